/**
 * The engine bench: N UserRoleAssignments over U users through the REAL Pulumi engine
 * (Automation API, the tests' stack-runner, a throwaway PULUMI_HOME and file backend) against
 * the emulator on loopback with 20 ms per call, phase by phase (up, no-change preview, refresh,
 * destroy), side by side with the engine floor: N trivial dynamic resources with the same
 * inputs whose provider does no I/O (bench/engine-program.js), through the same phases.
 *
 *   node bench/engine.js          run it alone: prints the markdown section and the verdicts
 *   node bench/run.js             runs it as one section of results.md (BENCH_SKIP_ENGINE=1 skips)
 *
 * Environment: BENCH_ENGINE_N (assignments, default 500), BENCH_ENGINE_USERS (default 50),
 * BENCH_ENGINE_PHASE_TIMEOUT_S (per engine run, default 600), PULUMI_ENGINE_DIR (else
 * scripts/ensure-pulumi is asked). Progress goes to stderr.
 *
 * Needs the compiled dist/ (provider, emulator) and .test-build/test/support/stack-runner.js.
 */
"use strict";

const { execFileSync, spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const RUNNER = path.join(root, ".test-build", "test", "support", "stack-runner.js");
const PROGRAM = path.join(__dirname, "engine-program.js");
const EMULATOR = path.join(root, "dist", "emulator", "index.js");
const LATENCY_MS = 20;
const BUDGET = "100000";
const PHASES = ["up", "preview", "refresh", "destroy"];
const KINDS = ["ours", "floor"];
const SAMPLE_MS = 200;
const PROGRESS_MS = 15_000;

/** The issue's targets. */
const TARGETS = {
  up: { text: "up: ≤ 1.2 API calls per assignment", maxPerAssignment: 1.2 },
  preview: { text: "no-change preview: 0 API calls (and no changes)", max: 0 },
  refresh: { text: "refresh: ≤ 5 API calls in all", max: 5 },
  destroy: { text: "destroy: ≤ 1.1 API calls per assignment", maxPerAssignment: 1.1 },
  ratio: { text: "each phase's wall time within 1.3× the engine floor's", max: 1.3 },
  rss: { text: "provider process peak RSS < 200 MB during up", maxMb: 200 },
};

function intFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number ≥ 1, not ${JSON.stringify(raw)}`);
  return n;
}

/** Sizes and limits from the environment. */
function engineOptions() {
  return {
    n: intFromEnv("BENCH_ENGINE_N", 500),
    users: intFromEnv("BENCH_ENGINE_USERS", 50),
    timeoutMs: intFromEnv("BENCH_ENGINE_PHASE_TIMEOUT_S", 600) * 1000,
  };
}

// ---------------------------------------------------------------------------------------------
// The fleet

const ROLES = ["admin", "viewer", "billing", "support", "auditor"];
const SET_ROLES = ["admin", "billing"];
const ADD_ROLES = ["auditor"];

/**
 * `users` users, each holding project role viewer and member (with viewer) of about half of the
 * tenants; assignment i is user i % users in scope ⌊i / users⌋ (0: the project, k: tenant
 * t<k-1>), so each user gets ⌈n / users⌉ scopes and there are as many tenants as needed. Mode
 * alternates per user and scope (set: admin + billing, add: auditor), crossed with membership,
 * so tenant assignments cover set/add × member/not member (not member: the create joins).
 */
function engineFleet(n, users) {
  const tenantCount = Math.max(1, Math.ceil(n / users) - 1);
  const tenants = Array.from({ length: tenantCount }, (_, j) => ({ id: `t${j}`, name: `Tenant ${j}` }));
  const memberOf = (u, j) => (j + Math.floor(u / 2)) % 2 === 0;
  const seed = { roles: ROLES.map((name) => ({ name })), tenants, users: [] };
  for (let u = 0; u < users; u++) {
    seed.users.push({
      loginId: `e${u}@example.com`,
      userId: `U2e${String(u).padStart(25, "0")}`,
      roleNames: ["viewer"],
      userTenants: tenants.filter((_, j) => memberOf(u, j)).map((t) => ({ tenantId: t.id, roleNames: ["viewer"] })),
    });
  }
  const assignments = [];
  for (let i = 0; i < n; i++) {
    const u = i % users;
    const s = Math.floor(i / users);
    const tenantId = s === 0 ? undefined : `t${s - 1}`;
    const mode = (u + s) % 2 === 0 ? "set" : "add";
    assignments.push({
      name: `e${u}-${tenantId ?? "project"}`,
      loginId: `e${u}@example.com`,
      tenantId,
      mode,
      roleNames: mode === "set" ? SET_ROLES : ADD_ROLES,
      seededMember: tenantId === undefined || memberOf(u, s - 1),
    });
  }
  const modes = { set: 0, add: 0, tenant: 0, joins: 0 };
  for (const a of assignments) {
    modes[a.mode] += 1;
    if (a.tenantId) modes.tenant += 1;
    if (!a.seededMember) modes.joins += 1;
  }
  return { seed, assignments, tenantCount, modes };
}

/** The roles a user holds in a scope (undefined: not a member of the tenant). */
function scopeRoles(user, tenantId) {
  if (!tenantId) return [...user.roleNames].sort();
  const t = user.userTenants.find((ut) => ut.tenantId === tenantId);
  return t ? [...t.roleNames].sort() : undefined;
}

/** After up: set scopes hold exactly their roles; add scopes hold theirs and keep the seeded viewer. */
function problemsAfterUp(emu, fleet) {
  const byLogin = new Map(emu.state.snapshot().users.map((u) => [u.loginIds[0], u]));
  const problems = [];
  for (const a of fleet.assignments) {
    const roles = scopeRoles(byLogin.get(a.loginId), a.tenantId);
    const want =
      a.mode === "set"
        ? [...a.roleNames].sort()
        : [...new Set([...a.roleNames, ...(a.seededMember ? ["viewer"] : [])])].sort();
    if (JSON.stringify(roles) !== JSON.stringify(want))
      problems.push(`${a.name}: ${JSON.stringify(roles)}, expected ${JSON.stringify(want)}`);
  }
  return problems;
}

/** After destroy: no declared role is left in its scope, and no membership the seed did not have. */
function problemsAfterDestroy(emu, fleet) {
  const users = emu.state.snapshot().users;
  const byLogin = new Map(users.map((u) => [u.loginIds[0], u]));
  const seeded = new Map(fleet.seed.users.map((u) => [u.loginId, new Set(u.userTenants.map((t) => t.tenantId))]));
  const problems = [];
  for (const a of fleet.assignments) {
    const roles = scopeRoles(byLogin.get(a.loginId), a.tenantId) ?? [];
    const left = a.roleNames.filter((r) => roles.includes(r));
    if (left.length > 0) problems.push(`${a.name}: still holds ${left.join(", ")}`);
  }
  for (const u of users) {
    const extra = u.userTenants.filter((t) => !seeded.get(u.loginIds[0])?.has(t.tenantId));
    if (extra.length > 0) problems.push(`${u.loginIds[0]}: still member of ${extra.map((t) => t.tenantId).join(", ")}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Processes: finding the provider, sampling its memory, ending what we started

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

// ---------------------------------------------------------------------------------------------
// The engine

function engineDir() {
  if (process.env.PULUMI_ENGINE_DIR) return process.env.PULUMI_ENGINE_DIR;
  return execFileSync(path.join(root, "scripts", "ensure-pulumi"), {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
  }).trim();
}

/** As test/support/pulumi.ts's engineEnv: no DESCOPE_ or PULUMI_ settings leak in; the engine first on PATH. */
function engineEnv(dir, pulumiHome) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith("DESCOPE_") || key.startsWith("PULUMI_")) delete env[key];
  }
  return {
    ...env,
    PATH: `${dir}${path.delimiter}${process.env.PATH ?? ""}`,
    PULUMI_HOME: pulumiHome,
    PULUMI_CONFIG_PASSPHRASE: "bench-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
  };
}

/** The engine's version and its default --parallel (from `pulumi up --help`). */
function engineFacts(dir) {
  const pulumi = path.join(dir, "pulumi");
  const env = engineEnv(dir, fs.mkdtempSync(path.join(os.tmpdir(), "pda-bench-home-")));
  try {
    const version = execFileSync(pulumi, ["version"], { env, encoding: "utf8" }).trim();
    const help = execFileSync(pulumi, ["up", "--help"], { env, encoding: "utf8" });
    const parallel = /--parallel\b.*\(default (\d+)\)/.exec(help)?.[1] ?? "?";
    return { version, parallel };
  } finally {
    fs.rmSync(env.PULUMI_HOME, { recursive: true, force: true });
  }
}

/** A throwaway stack as TestStack.create makes one: home, file backend, work dir linking this package and @pulumi. */
function createStack(kind) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pda-bench-engine-${kind}-`));
  for (const sub of ["home", "backend", "work/node_modules"]) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  fs.symlinkSync(path.join(root, "node_modules", "@pulumi"), path.join(dir, "work/node_modules/@pulumi"));
  fs.symlinkSync(root, path.join(dir, "work/node_modules/pulumi-descope-access"));
  return { kind, dir, runs: 0 };
}

/**
 * One stack-runner process (one Automation API operation), bounded by `timeoutMs`; samples the
 * provider's memory every SAMPLE_MS and prints progress. On a timeout or a failure, every
 * process it started that still runs is ended.
 */
async function runOp(ctx, stack, op, extra = {}) {
  const req = {
    op,
    workDir: path.join(stack.dir, "work"),
    projectName: "pda-bench",
    stackName: "bench",
    backendUrl: `file://${path.join(stack.dir, "backend")}`,
    programModule: PROGRAM,
    params: ctx.params[stack.kind],
    config: ctx.config,
    ...extra,
  };
  stack.runs += 1;
  const reqFile = path.join(stack.dir, `req-${stack.runs}.json`);
  const resFile = path.join(stack.dir, `res-${stack.runs}.json`);
  fs.writeFileSync(reqFile, JSON.stringify(req));
  const started = performance.now();
  const child = spawn(process.execPath, [RUNNER, reqFile, resFile], {
    env: engineEnv(ctx.engineDir, path.join(stack.dir, "home")),
    stdio: ["ignore", "ignore", "pipe"],
  });
  const tree = new ProcessTree(child.pid);
  watchRun(tree);
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-16_000);
  });
  const exited = new Promise((resolve) => child.on("close", (code, sig) => resolve({ code, sig })));
  const sampler = setInterval(() => tree.sample(), SAMPLE_MS);
  const progress = setInterval(() => {
    const rss = tree.providerPeakMb();
    ctx.log(
      `${stack.kind} ${op}: ${seconds(performance.now() - started)} s so far${rss ? `, provider peak RSS ${rss} MB` : ""}`,
    );
  }, PROGRESS_MS);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctx.log(`${stack.kind} ${op}: no result after ${ctx.timeoutMs / 1000} s, ending its processes`);
    void tree.end();
  }, ctx.timeoutMs);
  let exit;
  try {
    tree.sample();
    exit = await exited;
  } finally {
    clearInterval(sampler);
    clearInterval(progress);
    clearTimeout(timer);
  }
  const ms = performance.now() - started;
  let result;
  if (fs.existsSync(resFile)) result = JSON.parse(fs.readFileSync(resFile, "utf8"));
  else
    result = {
      ok: false,
      output: "",
      error: `stack-runner wrote no result (exit ${exit.code ?? exit.sig}): ${stderr.slice(-2000)}`,
    };
  if (timedOut) result = { ...result, ok: false, error: `timed out after ${ctx.timeoutMs / 1000} s` };
  // Nothing it started may outlive it (the engine normally ends its plugins itself).
  const leftovers = tree.alive();
  if (leftovers.length > 0) {
    ctx.log(`${stack.kind} ${op}: ending ${leftovers.length} leftover process(es): ${leftovers.join(", ")}`);
    await tree.end();
  }
  unwatchRun(tree);
  return { result, ms, providerPeakMb: tree.providerPeakMb(), providerProcesses: tree.providers.size };
}

const seconds = (ms) => (ms / 1000).toFixed(1);

/** `GET user ×50, POST user/update/role/set ×250`: the calls of a phase by route. */
function byRoute(requests) {
  const counts = new Map();
  for (const r of requests) {
    const key = `${r.method} ${r.path.replace(/^\/v1\/mgmt\//, "").replace(/^\/v2\/mgmt\//, "v2 ")}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ×${v}`)
    .join(", ");
}

/** Whether a change summary holds only unchanged resources. */
function noChanges(summary) {
  return summary !== undefined && Object.keys(summary).every((k) => k === "same");
}

/** Runs the bench. Returns everything the report and the verdicts need. */
async function benchEngine(opts = engineOptions(), log = (line) => process.stderr.write(`${line}\n`)) {
  for (const [file, what] of [
    [RUNNER, "the tests' stack-runner (compiled by the test build: tsc -p test/tsconfig.json)"],
    [EMULATOR, "the compiled emulator (npm run build)"],
    [path.join(root, "dist", "provider", "index.js"), "the compiled provider (npm run build)"],
  ]) {
    if (!fs.existsSync(file)) throw new Error(`engine bench: ${path.relative(root, file)} is missing: ${what}`);
  }
  const benchStarted = performance.now();
  const say = (line) => log(`engine [${seconds(performance.now() - benchStarted)} s] ${line}`);
  const dir = engineDir();
  const facts = engineFacts(dir);
  const fleet = engineFleet(opts.n, opts.users);
  say(
    `${opts.n} assignments over ${opts.users} users (${fleet.tenantCount} tenants), engine ${facts.version} at ${dir}, --parallel ${facts.parallel}`,
  );
  const { startEmulator } = require(EMULATOR);
  const warnings = [];
  const emu = await startEmulator({
    seed: fleet.seed,
    warn: (line) => warnings.push(line),
    faults: { latencyMs: LATENCY_MS },
    requestLogLimit: 10_000_000,
  });
  const assignments = fleet.assignments.map(({ seededMember: _, ...a }) => a);
  const ctx = {
    engineDir: dir,
    timeoutMs: opts.timeoutMs,
    log: say,
    params: { ours: { kind: "ours", assignments }, floor: { kind: "floor", assignments } },
    config: {
      "descope:projectId": { value: emu.projectId },
      "descope:managementKey": { value: emu.managementKey, secret: true },
      "descope:baseUrl": { value: emu.url },
      "descope:requestsPerMinute": { value: BUDGET },
    },
  };
  const stacks = { ours: createStack("ours"), floor: createStack("floor") };
  const phases = Object.fromEntries(PHASES.map((p) => [p, {}]));
  const state = {};
  const checks = {};
  const failed = {};
  try {
    for (const phase of PHASES) {
      for (const kind of KINDS) {
        if (failed[kind]) continue;
        say(`${kind} ${phase}: started`);
        emu.requests.clear();
        const run = await runOp(ctx, stacks[kind], phase);
        const requests = emu.requests.all();
        const r = run.result;
        phases[phase][kind] = {
          ok: r.ok,
          error: r.error,
          ms: Math.round(run.ms),
          calls: requests.length,
          failedCalls: requests.filter((q) => q.status !== 200).length,
          routes: byRoute(requests),
          changeSummary: r.changeSummary,
          providerPeakMb: run.providerPeakMb,
          providerProcesses: run.providerProcesses,
        };
        say(
          `${kind} ${phase}: ${r.ok ? "done" : "FAILED"} in ${seconds(run.ms)} s, ${requests.length} API calls, changes ${JSON.stringify(r.changeSummary ?? {})}${run.providerPeakMb ? `, provider peak RSS ${run.providerPeakMb} MB (${run.providerProcesses} provider process${run.providerProcesses === 1 ? "" : "es"})` : ""}`,
        );
        if (!r.ok) {
          failed[kind] = `${phase}: ${r.error}`;
          say(`${kind} ${phase}: ${String(r.error).slice(0, 500)}\n${String(r.output ?? "").slice(-3000)}`);
          continue;
        }
        if (phase === "up") {
          const exported = await runOp(ctx, stacks[kind], "export");
          if (exported.result.ok) {
            const resources = exported.result.deployment?.resources ?? [];
            const mine = resources.filter((res) => String(res.type).startsWith("pulumi-nodejs:dynamic/"));
            const entryBytes = mine.reduce((sum, res) => sum + Buffer.byteLength(JSON.stringify(res)), 0);
            const providerBytes = mine.reduce(
              (sum, res) => sum + Buffer.byteLength(String(res.inputs?.__provider ?? "")),
              0,
            );
            state[kind] = {
              bytes: Buffer.byteLength(exported.result.output),
              resources: mine.length,
              perAssignment: Math.round(Buffer.byteLength(exported.result.output) / opts.n),
              entryPerResource: Math.round(entryBytes / Math.max(1, mine.length)),
              providerPerResource: Math.round(providerBytes / Math.max(1, mine.length)),
            };
          } else {
            state[kind] = { error: exported.result.error };
          }
          if (kind === "ours") checks.up = problemsAfterUp(emu, fleet);
        }
        if (phase === "destroy" && kind === "ours") checks.destroy = problemsAfterDestroy(emu, fleet);
      }
    }
  } finally {
    await emu.close();
    for (const s of Object.values(stacks)) fs.rmSync(s.dir, { recursive: true, force: true });
  }
  const totalS = Math.round((performance.now() - benchStarted) / 1000);
  say(`finished in ${totalS} s`);
  return {
    ...opts,
    facts,
    fleet: { tenantCount: fleet.tenantCount, modes: fleet.modes },
    phases,
    state,
    checks,
    failed,
    warnings,
    totalS,
  };
}

// ---------------------------------------------------------------------------------------------
// Verdicts and the report

const fmt = (n) => (typeof n === "number" ? n.toLocaleString("en-US") : String(n));
const perAssignment = (calls, n) => Math.round((calls / n) * 1000) / 1000;
const ratioOf = (p) => (p?.ours?.ok && p?.floor?.ok ? Math.round((p.ours.ms / p.floor.ms) * 100) / 100 : undefined);

/** One verdict per target (measured for ours). */
function engineVerdicts(e) {
  const p = e.phases;
  const callsVerdict = (phase, target, measure) => {
    const run = p[phase].ours;
    if (!run) return { text: target.text, measured: `not run (${e.failed.ours})`, ok: false };
    if (!run.ok) return { text: target.text, measured: `failed: ${run.error}`, ok: false };
    return measure(run);
  };
  const ratios = PHASES.map((phase) => [phase, ratioOf(p[phase])]);
  const peak = p.up.ours?.providerPeakMb;
  return [
    callsVerdict("up", TARGETS.up, (run) => ({
      text: TARGETS.up.text,
      measured: `${perAssignment(run.calls, e.n)} (${fmt(run.calls)} calls for ${fmt(e.n)})`,
      ok: run.calls / e.n <= TARGETS.up.maxPerAssignment,
    })),
    callsVerdict("preview", TARGETS.preview, (run) => ({
      text: TARGETS.preview.text,
      measured: `${fmt(run.calls)} calls, ${noChanges(run.changeSummary) ? "no changes" : `changes ${JSON.stringify(run.changeSummary)}`}`,
      ok: run.calls <= TARGETS.preview.max && noChanges(run.changeSummary),
    })),
    callsVerdict("refresh", TARGETS.refresh, (run) => ({
      text: TARGETS.refresh.text,
      measured: `${fmt(run.calls)} calls`,
      ok: run.calls <= TARGETS.refresh.max,
    })),
    callsVerdict("destroy", TARGETS.destroy, (run) => ({
      text: TARGETS.destroy.text,
      measured: `${perAssignment(run.calls, e.n)} (${fmt(run.calls)} calls)`,
      ok: run.calls / e.n <= TARGETS.destroy.maxPerAssignment,
    })),
    {
      text: TARGETS.ratio.text,
      measured: ratios.map(([phase, r]) => `${phase} ${r === undefined ? "-" : `${r}×`}`).join(", "),
      ok: ratios.every(([, r]) => r !== undefined && r <= TARGETS.ratio.max),
    },
    {
      text: TARGETS.rss.text,
      measured:
        peak === undefined ? "not measured" : `${peak} MB (floor's provider: ${p.up.floor?.providerPeakMb ?? "-"} MB)`,
      ok: peak !== undefined && peak < TARGETS.rss.maxMb,
    },
    {
      text: "engine bench: every phase succeeds and the emulator ends in the expected state after up and after destroy",
      measured: endStateText(e),
      ok: Object.keys(e.failed).length === 0 && e.checks.up?.length === 0 && e.checks.destroy?.length === 0,
    },
  ].map((v) => ({ ...v, text: `engine (N=${fmt(e.n)}): ${v.text}` }));
}

function endStateText(e) {
  const parts = [];
  for (const [kind, why] of Object.entries(e.failed)) parts.push(`${kind} failed at ${why.slice(0, 200)}`);
  for (const phase of ["up", "destroy"]) {
    const problems = e.checks[phase];
    if (problems === undefined) parts.push(`${phase}: not checked`);
    else if (problems.length > 0) parts.push(`${phase}: ${problems.length} wrong, e.g. ${problems[0]}`);
  }
  return parts.length === 0 ? "all phases ok, end states as expected" : parts.join("; ");
}

/** The markdown section (no trailing blank line). */
function engineSection(e) {
  const p = e.phases;
  const row = (cells) => `| ${cells.map(fmt).join(" | ")} |`;
  const wall = (run) => (run ? (run.ok ? seconds(run.ms) : `**failed** (${seconds(run.ms)})`) : "not run");
  const changes = (run) =>
    run?.changeSummary
      ? Object.entries(run.changeSummary)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ")
      : "-";
  const lines = [
    `## Engine: ${fmt(e.n)} assignments over ${fmt(e.users)} users through the real engine (${e.facts.version}, Automation API, emulator on loopback with ${LATENCY_MS} ms per call, budget 100 000/min)`,
    "",
    `Fleet: each user in the project and in ${fmt(e.fleet.tenantCount)} tenants (a member of about half of them before), one assignment per user and scope: ` +
      `${fmt(e.fleet.modes.set)} \`set\` (admin + billing), ${fmt(e.fleet.modes.add)} \`add\` (auditor); ${fmt(e.fleet.modes.tenant)} in tenants, ${fmt(e.fleet.modes.joins)} of them joining the tenant. ` +
      `Floor: ${fmt(e.n)} trivial dynamic resources with the same inputs whose provider has only a create that echoes them (bench/engine-program.js). ` +
      `Each run is one Automation API operation in its own process (.test-build/test/support/stack-runner.js), engine defaults (--parallel ${e.facts.parallel}).`,
    "",
    "| phase | wall s: ours | wall s: floor | ours / floor | API calls | calls per assignment | calls by route | provider peak RSS MB: ours / floor | changes (ours) |",
    "|---|---|---|---|---|---|---|---|---|",
    ...PHASES.map((phase) => {
      const ours = p[phase].ours;
      const floor = p[phase].floor;
      const ratio = ratioOf(p[phase]);
      return row([
        phase === "preview" ? "preview (no change)" : phase,
        wall(ours),
        wall(floor),
        ratio === undefined ? "-" : `${ratio}×`,
        ours ? ours.calls + (ours.failedCalls ? ` (${ours.failedCalls} not 200)` : "") : "-",
        ours ? perAssignment(ours.calls, e.n) : "-",
        ours?.routes || "-",
        `${ours?.providerPeakMb ?? "-"} / ${floor?.providerPeakMb ?? "-"}`,
        changes(ours),
      ]);
    }),
    "",
    "| state (`pulumi stack export`, encrypted secrets) | bytes | bytes per assignment | one resource's entry | of which the stored provider (`__provider`) |",
    "|---|---|---|---|---|",
    ...KINDS.map((kind) => {
      const s = e.state[kind];
      if (!s) return row([kind, "not measured", "", "", ""]);
      if (s.error) return row([kind, `export failed: ${s.error}`, "", "", ""]);
      return row([
        kind === "ours" ? "ours (after up)" : "floor (after up)",
        s.bytes,
        s.perAssignment,
        s.entryPerResource,
        s.providerPerResource,
      ]);
    }),
    "",
    "Wall time is the whole stack-runner process (Node start, workspace and config set-up, the",
    "operation), the same for ours and the floor, so the fixed part (a few seconds) counts for both.",
    "API calls are the emulator's request log over the run. Provider peak RSS: the bench walks",
    `/proc from the stack-runner's pid every ${SAMPLE_MS} ms, finds the \`node …/@pulumi/pulumi/cmd/dynamic-provider\``,
    "process that `pulumi-resource-pulumi-nodejs` starts, and keeps the highest VmHWM (peak",
    "resident set) read from /proc/<pid>/status before it exits. The floor's figure is the Pulumi",
    `SDK's share. Each run is bounded (BENCH_ENGINE_PHASE_TIMEOUT_S, ${e.timeoutMs / 1000} s); on a failure every`,
    `process it started is ended. \`BENCH_ENGINE_N=${e.n} BENCH_ENGINE_USERS=${e.users}\`, ${e.totalS} s in all.`,
    "One run each: on a shared 2-core machine the ratios move by a few tenths from run to run, and",
    "the refresh and destroy call counts by a few calls (the provider's coalescing of loads depends on timing).",
  ];
  if (Object.keys(e.failed).length > 0) {
    lines.push(
      "",
      ...Object.entries(e.failed).map(
        ([kind, why]) => `**${kind} failed** at ${why.slice(0, 600).replace(/\s+/g, " ")}`,
      ),
    );
  }
  if (e.warnings.length > 0)
    lines.push("", `Emulator warnings: ${e.warnings.length}, first: ${e.warnings[0].slice(0, 300)}`);
  return lines.join("\n");
}

module.exports = { benchEngine, engineVerdicts, engineSection, engineOptions, engineFleet };

if (require.main === module) {
  benchEngine()
    .then((e) => {
      const verdicts = engineVerdicts(e);
      process.stdout.write(`${engineSection(e)}\n\n`);
      process.stdout.write(
        [
          "| target | measured | met |",
          "|---|---|---|",
          ...verdicts.map((v) => `| ${v.text} | ${v.measured} | ${v.ok ? "yes" : "**NO**"} |`),
        ].join("\n") + "\n",
      );
      process.exitCode = verdicts.every((v) => v.ok) ? 0 : 1;
    })
    .catch((err) => {
      console.error(err);
      process.exitCode = 1;
    });
}
