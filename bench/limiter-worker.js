/**
 * One client process for the limiter bench (bench/limiter.js runs the emulator):
 *   node bench/limiter-worker.js <job.json>
 * job.json: { projectId, managementKey, baseUrl, budget, loginIds }.
 * Builds the client as the provider's `configure` does (`resolveSettings` → `new
 * DescopeClient`, default timeouts), fires one `loadUser` per login ID at once, and prints one
 * JSON line: the times (ms after the burst started) at which the limiter handed out tokens,
 * and each call's outcome.
 */
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const dist = path.resolve(__dirname, "..", "dist");
const { DescopeClient } = require(path.join(dist, "provider", "client", "client.js"));
const { limiterFor } = require(path.join(dist, "provider", "client", "limiter.js"));
const { resolveSettings } = require(path.join(dist, "provider", "settings.js"));

/**
 * The times (the limiter's default clock, `performance.now()`) at which `limiter` hands out
 * tokens: noted when a token enters its list of tokens in use, i.e. at the hand-out itself. (A
 * timestamp taken when `acquire` resolves would lag by however long the microtask queue is.)
 */
function recordGrants(limiter) {
  const spent = limiter.spent;
  if (!Array.isArray(spent))
    throw new Error("the limiter no longer keeps a `spent` list: update bench/limiter-worker.js");
  const grants = [];
  spent.push = function push(...tokens) {
    for (let i = 0; i < tokens.length; i++) grants.push(performance.now());
    return Array.prototype.push.apply(this, tokens);
  };
  return grants;
}

async function main() {
  const job = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const config = {
    projectId: job.projectId,
    managementKey: job.managementKey,
    baseUrl: job.baseUrl,
    requestsPerMinute: String(job.budget),
  };
  // The in-process limiter is measured here (its hand-outs are observable); without budgetDir
  // the client uses it rather than the cross-process budget file.
  const settings = { ...resolveSettings(config, {}), budgetDir: undefined };
  const grants = recordGrants(limiterFor(settings.projectId, settings.rateLimit)); // the limiter the client will share
  const client = new DescopeClient(settings);
  const started = performance.now();
  const since = () => Math.round(performance.now() - started);
  const outcomes = await Promise.all(
    job.loginIds.map((id) =>
      client.loadUser(id).then(
        () => ({ ok: true, ms: since() }),
        (err) => ({ ok: false, code: err.code, ms: since() }),
      ),
    ),
  );
  process.stdout.write(`${JSON.stringify({ grants: grants.map((t) => t - started), outcomes })}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
