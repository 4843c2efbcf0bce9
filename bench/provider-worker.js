/**
 * One provider process, driven by hand the way the engine drives it, so its peak RSS is the
 * provider's alone (the emulator runs in the parent):
 *   node bench/provider-worker.js up <job.json>       configure, check and create every assignment
 *   node bench/provider-worker.js destroy <job.json>  configure, diff (expects no change) and remove
 * Two processes because the engine starts one per deployment (`pulumi up`, then `pulumi
 * destroy`), and the provider remembers per process what it asserted. Every assignment runs
 * at once, as the engine's default (unbounded) parallelism does. Prints one JSON line.
 * job.json: { config: { "descope:…": … }, assignments: [...], states: [...] (destroy), out }.
 */
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");

/** Runs `fn` and returns its result with the wall time in ms. */
async function timed(fn) {
  const started = performance.now();
  const result = await fn();
  return { result, ms: Math.round(performance.now() - started) };
}

async function up(lifecycle, job) {
  const checks = await timed(() => Promise.all(job.assignments.map((news) => lifecycle.check(undefined, news))));
  const failures = checks.result.flatMap((c) => c.failures ?? []);
  if (failures.length > 0) throw new Error(`check failed: ${JSON.stringify(failures[0])}`);
  const creates = await timed(() => Promise.all(checks.result.map((c) => lifecycle.create(c.inputs))));
  fs.writeFileSync(
    job.out,
    JSON.stringify(creates.result.map((r, i) => ({ id: r.id, outs: r.outs, news: checks.result[i].inputs }))),
  );
  return { checkMs: checks.ms, createMs: creates.ms, count: creates.result.length };
}

async function destroy(lifecycle, job) {
  const states = JSON.parse(fs.readFileSync(job.states, "utf8"));
  const diffs = await timed(() => Promise.all(states.map((s) => lifecycle.diff(s.id, s.outs, s.news))));
  const changed = diffs.result.filter((d) => d.changes).length;
  const removes = await timed(() => Promise.all(states.map((s) => lifecycle.remove(s.id, s.outs))));
  return { diffMs: diffs.ms, changed, removeMs: removes.ms, count: states.length };
}

async function main() {
  const [mode, jobFile] = process.argv.slice(2);
  const job = JSON.parse(fs.readFileSync(jobFile, "utf8"));
  // The real provider process hosts the Pulumi SDK (the dynamic-provider host loads it): load
  // it too, so the peak RSS is that of a provider process, not of our code alone.
  require(path.join(root, "node_modules", "@pulumi", "pulumi"));
  const lifecycle = require(path.join(root, "dist", "provider", "lifecycle.js"));
  const baselineRssMb = process.memoryUsage().rss / 2 ** 20;
  await lifecycle.configure({ config: { get: (key) => job.config[key] } });
  const numbers = mode === "up" ? await up(lifecycle, job) : await destroy(lifecycle, job);
  const peakRssMb = process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
  process.stdout.write(
    `${JSON.stringify({ ...numbers, baselineRssMb: round1(baselineRssMb), peakRssMb: round1(peakRssMb) })}\n`,
  );
}

function round1(x) {
  return Math.round(x * 10) / 10;
}

main().catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
