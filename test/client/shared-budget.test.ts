/**
 * The client-side budget shared by processes through a state file, against the emulator's
 * per-project rate limit (its own file, so no request left over from another suite spends the
 * emulator's budget). Two limiter instances on one directory stand for two provider processes.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RateLimiter } from "../../provider/client/limiter";
import { budgetFileName, parseBudgetState, tokenCount } from "../../provider/client/budget-tokens";
import { SharedRateLimiter } from "../../provider/client/shared-budget";
import { useEmulator } from "./harness";

const h = useEmulator();
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "descope-budget-"));
});
// Finishes are written in the background: let them land, and retry while a late one appears.
afterEach(async () => {
  await new Promise((r) => setTimeout(r, 200));
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
});

describe("shared budget (acquire across processes)", () => {
  const budget = { requests: 5, perSeconds: 1 };
  const burst = 7;
  const loadMany = (client: ReturnType<typeof h.client>) =>
    Array.from({ length: burst }, () => client.loadUser("alice@example.com"));

  it("keeps two processes' bursts under the service budget when they share the budget directory", async () => {
    h.emu.setRateLimit({ requests: 6, perSeconds: 1, lockoutSeconds: 5 });
    const shared = () => new SharedRateLimiter(budget, { dir, projectId: h.emu.projectId, baseUrl: h.emu.url });
    const [a, b] = [h.client({ limiter: shared() }), h.client({ limiter: shared() })];
    const results = await Promise.allSettled([...loadMany(a), ...loadMany(b)]);
    expect(results.every((r) => r.status === "fulfilled")).toBe(true);
    expect(h.emu.requests.all().filter((r) => r.status === 429)).toEqual([]);
    expect(h.emu.requests.all()).toHaveLength(2 * burst + 1); // + the handshake
  }, 20_000);

  it("trips the service limit when each process counts only itself (control for the test above)", async () => {
    h.emu.setRateLimit({ requests: 6, perSeconds: 1, lockoutSeconds: 5 });
    const alone = () => h.client({ limiter: new RateLimiter(budget), retry: { maxAttempts: 1 } });
    const [a, b] = [alone(), alone()];
    const results = await Promise.allSettled([...loadMany(a), ...loadMany(b)]);
    expect(results.length).toBe(2 * burst);
    expect(h.emu.requests.all().some((r) => r.status === 429)).toBe(true);
  }, 20_000);

  it("keeps the budget in <budgetDir>/pulumi-descope-access-budget/pda-budget-<sha256>.json when the client is given budgetDir", async () => {
    const client = h.client({ budgetDir: dir, rateLimit: { requests: 50, perSeconds: 60 } });
    await client.loadUser("alice@example.com");
    const file = path.join(dir, "pulumi-descope-access-budget", budgetFileName(h.emu.projectId, h.emu.url));
    const tokens = parseBudgetState(fs.readFileSync(file, "utf8"));
    expect(tokenCount(tokens)).toBe(2); // the handshake's and the load's
    expect(tokens[0]).toMatchObject({ pid: process.pid, host: os.hostname() });
    // The finishes are written in the background; wait for them before the directory goes.
    const until = Date.now() + 5_000;
    while (!parseBudgetState(fs.readFileSync(file, "utf8")).every((t) => t.finishedAt !== undefined)) {
      if (Date.now() > until) throw new Error("the finishes were never written");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  });
});
