/**
 * The client-side limiter under a burst: 100 calls (the license handshake and 99 user loads)
 * fired at once at a budget of 50 per minute, from a client process (bench/limiter-worker.js)
 * against an emulator in this process, with the client built as the provider's `configure`
 * builds it (default 60 s per-operation deadline). Counts tokens handed out per 60 s (client
 * side) and arrivals per 60 s at the emulator (what the service counts). About 60 s.
 */
"use strict";

const { execFile } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { promisify } = require("node:util");

const { startEmulator } = require(path.resolve(__dirname, "..", "dist", "emulator"));

/** The largest number of times within any `windowMs` (half-open, starting at a time). */
function busiestWindow(times, windowMs) {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (j < sorted.length && sorted[j] < sorted[i] + windowMs) j++;
    best = Math.max(best, j - i);
  }
  return best;
}

/** The shortest time (ms) in which `count` of `times` happened: under a budget of `count - 1` per window, at least the window. */
function tightestSpan(times, count) {
  const sorted = [...times].sort((a, b) => a - b);
  let best = Infinity;
  for (let i = 0; i + count - 1 < sorted.length; i++) best = Math.min(best, sorted[i + count - 1] - sorted[i]);
  return Number.isFinite(best) ? Math.round(best) : null;
}

/** One burst of `loads` user loads (plus the handshake) at `budget` per minute. */
async function burst({ projectId, budget, loads }) {
  const arrivals = [];
  const clock = () => {
    const now = Date.now(); // with a rate limit set, the emulator reads its clock once per call
    arrivals.push(now);
    return now;
  };
  const loginIds = Array.from({ length: loads }, (_, i) => `l${i}@example.com`);
  // A limit far above the budget: it refuses nothing, but makes the emulator read its clock per call.
  const rateLimit = { requests: 1e9, perSeconds: 60 };
  const emu = await startEmulator({
    projectId,
    seed: { users: loginIds.map((loginId) => ({ loginId })) },
    clock,
    rateLimit,
    warn: () => undefined,
  });
  arrivals.length = 0; // readings taken while seeding
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pda-bench-limiter-"));
  try {
    const jobFile = path.join(dir, "job.json");
    fs.writeFileSync(
      jobFile,
      JSON.stringify({ projectId, managementKey: emu.managementKey, baseUrl: emu.url, budget, loginIds }),
    );
    const worker = path.join(__dirname, "limiter-worker.js");
    const { stdout } = await promisify(execFile)(process.execPath, [worker, jobFile], { maxBuffer: 16 << 20 });
    if (!stdout.trim()) throw new Error("bench/limiter-worker.js exited without a result");
    const { grants, outcomes } = JSON.parse(stdout.trim().split("\n").pop());
    const sortedArrivals = [...arrivals].sort((a, b) => a - b);
    const failures = {};
    for (const o of outcomes) if (!o.ok) failures[o.code] = (failures[o.code] ?? 0) + 1;
    return {
      budget,
      loads,
      tokens: grants.length,
      reachedEmulator: arrivals.length,
      loadsSucceeded: outcomes.filter((o) => o.ok).length,
      doneWithin1s: outcomes.filter((o) => o.ok && o.ms < 1000).length,
      nextAfterBudgetMs: sortedArrivals.length > budget ? sortedArrivals[budget] - sortedArrivals[0] : null,
      wallMs: Math.max(...outcomes.map((o) => o.ms)),
      busiestClientWindow: busiestWindow(grants, 60_000),
      busiestEmulatorWindow: busiestWindow(arrivals, 60_000),
      tightestClientSpan: tightestSpan(grants, budget + 1),
      tightestEmulatorSpan: tightestSpan(arrivals, budget + 1),
      failures,
    };
  } finally {
    await emu.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The burst: 99 loads and the handshake at 50 per minute. */
function benchLimiter() {
  return burst({ projectId: "P2benchlimiter00000000000000", budget: 50, loads: 99 });
}

module.exports = { benchLimiter, busiestWindow, tightestSpan };
