/**
 * The engine bench's fixed settings (the files it runs, the emulator's latency and budget, the
 * phases and the two kinds of stack, how often it samples and reports) and its sizes from the
 * environment (engineOptions). Shared by the other bench/engine/ modules.
 */
"use strict";

const path = require("node:path");

const root = path.resolve(__dirname, "..", "..");
const RUNNER = path.join(root, ".test-build", "test", "support", "stack-runner.js");
const PROGRAM = path.join(root, "bench", "engine-program.js");
const EMULATOR = path.join(root, "dist", "emulator", "index.js");
const LATENCY_MS = 20;
const BUDGET = "100000";
const PHASES = ["up", "preview", "refresh", "destroy"];
const KINDS = ["ours", "floor"];
const SAMPLE_MS = 200;
const PROGRESS_MS = 15_000;

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
    repeats: intFromEnv("BENCH_ENGINE_REPEATS", 3),
  };
}

/** Milliseconds as seconds with one decimal, as the progress lines and the report write them. */
const seconds = (ms) => (ms / 1000).toFixed(1);

module.exports = {
  root,
  RUNNER,
  PROGRAM,
  EMULATOR,
  LATENCY_MS,
  BUDGET,
  PHASES,
  KINDS,
  SAMPLE_MS,
  PROGRESS_MS,
  engineOptions,
  seconds,
};
