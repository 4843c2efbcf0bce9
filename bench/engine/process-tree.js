/**
 * Process-tree watching for the engine bench, from /proc: every process under one stack-runner
 * (ProcessTree), the dynamic provider's peak memory among them, and ending what a run started,
 * also when the bench itself is interrupted or exits (watchRun / unwatchRun).
 */
"use strict";

const fs = require("node:fs");

/** ppid and start time (clock ticks since boot, to tell a reused pid apart) of a process. */
function procStat(pid) {
  const text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" "); // fields[0] is field 3 (state)
  return { ppid: Number(fields[1]), start: fields[19] };
}

function processTable() {
  const table = new Map();
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      table.set(Number(name), procStat(name));
    } catch {
      // gone meanwhile
    }
  }
  return table;
}

function descendantsOf(rootPid, table) {
  const children = new Map();
  for (const [pid, { ppid }] of table) {
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(pid);
  }
  const out = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.shift();
    for (const child of children.get(pid) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

function argvOf(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * The dynamic-provider plugin: `pulumi-resource-pulumi-nodejs` is a shell script that asks
 * `node -e` where @pulumi/pulumi/cmd/dynamic-provider is, then runs `node <that>/index.js <engine
 * address>`. That second node process is the provider (the `-e` one only resolves the path).
 */
function isProvider(argv) {
  return !argv.includes("-e") && argv.slice(1).some((a) => /[\\/]cmd[\\/]dynamic-provider([\\/]index\.js)?$/.test(a));
}

/** kB values of VmHWM (peak resident) and VmRSS from /proc/<pid>/status. */
function memoryOf(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key) => Number(new RegExp(`^${key}:\\s*(\\d+) kB`, "m").exec(text)?.[1] ?? 0);
    return { hwmKb: kb("VmHWM"), rssKb: kb("VmRSS") };
  } catch {
    return undefined;
  }
}

/** Every process under one stack-runner: the provider's memory, and who to end on failure. */
class ProcessTree {
  constructor(rootPid) {
    this.rootPid = rootPid;
    this.seen = new Map(); // pid → start time, everything ever under rootPid (rootPid included)
    this.providers = new Map(); // pid → { hwmKb, rssKb } (the highest readings)
    try {
      this.seen.set(rootPid, procStat(rootPid).start);
    } catch {
      // already gone
    }
  }

  sample() {
    let table;
    try {
      table = processTable();
    } catch {
      return;
    }
    for (const pid of descendantsOf(this.rootPid, table)) {
      if (!this.seen.has(pid)) this.seen.set(pid, table.get(pid).start);
      // Re-read until it matches: right after fork a child still shows its parent's cmdline.
      if (!this.providers.has(pid) && isProvider(argvOf(pid))) this.providers.set(pid, { hwmKb: 0, rssKb: 0 });
      const mem = this.providers.has(pid) ? memoryOf(pid) : undefined;
      if (mem) {
        const best = this.providers.get(pid);
        best.hwmKb = Math.max(best.hwmKb, mem.hwmKb);
        best.rssKb = Math.max(best.rssKb, mem.rssKb);
      }
    }
  }

  /** The highest VmHWM of any provider process seen, in MB (undefined: none seen). */
  providerPeakMb() {
    const peaks = [...this.providers.values()].map((p) => Math.max(p.hwmKb, p.rssKb));
    return peaks.length === 0 ? undefined : Math.round((Math.max(...peaks) / 1024) * 10) / 10;
  }

  /** The processes seen under the runner that still run (same pid and start time). */
  alive() {
    const out = [];
    for (const [pid, start] of this.seen) {
      try {
        if (procStat(pid).start === start) out.push(pid);
      } catch {
        // ended
      }
    }
    return out;
  }

  /** SIGTERM to every process seen that still runs (by pid), SIGKILL to any left after `graceMs`. */
  async end(graceMs = 3000) {
    this.sample();
    for (const pid of this.alive()) signal(pid, "SIGTERM");
    const until = Date.now() + graceMs;
    while (this.alive().length > 0 && Date.now() < until) await sleep(100);
    for (const pid of this.alive()) signal(pid, "SIGKILL");
  }

  endNow() {
    for (const pid of this.alive()) signal(pid, "SIGKILL");
  }
}

function signal(pid, sig) {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Trees of runs in progress, ended if the bench itself is interrupted or exits. */
const running = new Set();
function onExit() {
  for (const tree of running) tree.endNow();
}
function onSignal(sig) {
  onExit();
  process.exit(sig === "SIGINT" ? 130 : 143);
}
function watchRun(tree) {
  if (running.size === 0) {
    process.on("exit", onExit);
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }
  running.add(tree);
}
function unwatchRun(tree) {
  running.delete(tree);
  if (running.size === 0) {
    process.off("exit", onExit);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

module.exports = { ProcessTree, watchRun, unwatchRun };
