/**
 * The engine bench's run (benchEngine): starts the emulator with the fleet, runs each phase for
 * ours and for the floor through the real engine, and gathers wall times, API calls, state
 * sizes, provider memory and the end-state checks.
 */
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { engineFleet, problemsAfterUp, problemsAfterDestroy } = require("./fleet");
const { engineDir, engineFacts, createStack, runOp } = require("./stacks");
const { root, RUNNER, EMULATOR, LATENCY_MS, BUDGET, PHASES, KINDS, engineOptions, seconds } = require("./settings");

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

module.exports = { benchEngine };
