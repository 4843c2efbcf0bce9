/**
 * Repeats of the engine bench: this machine is noisy (2 cores shared with the engine, the
 * language host and the emulator), so `BENCH_ENGINE_REPEATS` full runs (default 3) are merged:
 * wall times, ours/floor ratios (per run, ours against the floor of the same run) and provider
 * peak RSS as medians with every sample kept for the report; API calls as the highest count
 * seen; a phase ok only when it was ok in every run; end-state problems of every run.
 */
"use strict";

const { benchEngine } = require("./bench");
const { PHASES, KINDS, engineOptions } = require("./settings");

/** The median of `xs` (the lower middle of an even count); undefined when empty. */
function median(xs) {
  const sorted = xs.filter((x) => typeof x === "number").sort((a, b) => a - b);
  return sorted.length === 0 ? undefined : sorted[Math.floor((sorted.length - 1) / 2)];
}

/** One phase and kind over every run. */
function mergeKind(samples, runs) {
  const last = samples[samples.length - 1];
  const rss = samples.map((s) => s.providerPeakMb).filter((x) => typeof x === "number");
  return {
    ...last,
    ok: samples.length === runs && samples.every((s) => s.ok),
    error: samples.find((s) => !s.ok)?.error,
    ms: median(samples.map((s) => s.ms)),
    msSamples: samples.map((s) => s.ms),
    calls: Math.max(...samples.map((s) => s.calls)),
    callsSamples: samples.map((s) => s.calls),
    providerPeakMb: median(rss),
    rssSamples: rss,
  };
}

/** Merges the results of several benchEngine runs (see the file comment). */
function mergeRuns(runs) {
  const phases = {};
  for (const phase of PHASES) {
    phases[phase] = {};
    for (const kind of KINDS) {
      const samples = runs.map((r) => r.phases[phase][kind]).filter(Boolean);
      if (samples.length > 0) phases[phase][kind] = mergeKind(samples, runs.length);
    }
    phases[phase].ratios = runs
      .map((r) => r.phases[phase])
      .filter((p) => p.ours?.ok && p.floor?.ok)
      .map((p) => Math.round((p.ours.ms / p.floor.ms) * 100) / 100);
  }
  const problems = (phase) =>
    runs.some((r) => r.checks[phase] === undefined) ? undefined : runs.flatMap((r) => r.checks[phase]);
  return {
    ...runs[0],
    repeats: runs.length,
    phases,
    failed: Object.assign({}, ...runs.map((r) => r.failed)),
    checks: { up: problems("up"), destroy: problems("destroy") },
    warnings: runs.flatMap((r) => r.warnings),
    totalS: runs.reduce((sum, r) => sum + r.totalS, 0),
  };
}

/** Runs the engine bench `opts.repeats` times and merges the runs. */
async function benchEngineRepeated(opts = engineOptions(), log = (line) => process.stderr.write(`${line}\n`)) {
  const runs = [];
  for (let i = 1; i <= opts.repeats; i++) {
    log(`engine: run ${i} of ${opts.repeats}`);
    runs.push(await benchEngine(opts, log));
  }
  return mergeRuns(runs);
}

module.exports = { benchEngineRepeated, mergeRuns, median };
