/**
 * The client-side limiter against the emulator's per-project rate limit (its own file, so no
 * request left over from another suite spends the emulator's budget).
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { useEmulator } from "./harness";

const h = useEmulator();

describe("rate limiter (acquire per project)", () => {
  const burst = 14;
  const loadMany = (client: ReturnType<typeof h.client>) =>
    Promise.allSettled(Array.from({ length: burst }, () => client.loadUser("alice@example.com")));

  it("keeps a burst under the service budget when the client budget is lower", async () => {
    h.emu.setRateLimit({ requests: 6, perSeconds: 1, lockoutSeconds: 5 });
    const started = performance.now();
    const results = await loadMany(h.client({ rateLimit: { requests: 5, perSeconds: 1 } }));
    expect(results.every((r) => r.status === "fulfilled")).toBe(true);
    expect(h.emu.requests.all().filter((r) => r.status === 429)).toEqual([]);
    expect(h.emu.requests.all()).toHaveLength(burst + 1); // + the handshake
    expect(performance.now() - started).toBeGreaterThanOrEqual(2_000); // 15 requests at 5 per second
  }, 20_000);

  it("trips the service limit when the client budget is higher (control for the test above)", async () => {
    h.emu.setRateLimit({ requests: 6, perSeconds: 1, lockoutSeconds: 5 });
    const results = await loadMany(
      h.client({ rateLimit: { requests: 1000, perSeconds: 1 }, retry: { maxAttempts: 1 } }),
    );
    expect(results.filter((r) => r.status === "rejected").length).toBeGreaterThan(0);
    expect(h.emu.requests.all().some((r) => r.status === 429)).toBe(true);
  });

  it("does not count time queued for the client budget against the operation deadline", async () => {
    // 7 calls (with the handshake) at 2 per second queue for about 3 s; each has a 1 s deadline.
    const client = h.client({ rateLimit: { requests: 2, perSeconds: 1 }, operationDeadlineMs: 1_000 });
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => client.loadUser("alice@example.com")));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill("fulfilled"));
    const arrivals = h.emu.requests.all().map((r) => r.seq);
    expect(arrivals).toHaveLength(7);
  }, 20_000);

  it("keeps a plain Node.js process alive while its calls wait for the budget", async () => {
    // Regression: an unref'd limiter timer let a script exit (code 0) with calls still queued.
    const clientModule = path.resolve(__dirname, "..", "..", "dist", "provider", "client", "client.js");
    const script = `
      const { DescopeClient } = require(${JSON.stringify(clientModule)});
      const c = new DescopeClient({ projectId: process.env.PID, managementKey: process.env.KEY, baseUrl: process.env.URL,
        rateLimit: { requests: 2, perSeconds: 1 } });
      (async () => { for (let i = 1; i <= 4; i++) { await c.loadUser("alice@example.com"); console.log("loaded " + i); } })();`;
    const { stdout } = await promisify(execFile)(process.execPath, ["-e", script], {
      env: { ...process.env, PID: h.emu.projectId, KEY: h.emu.managementKey, URL: h.emu.url },
    });
    expect(stdout.trim().split("\n").pop()).toBe("loaded 4");
  }, 20_000);
});
