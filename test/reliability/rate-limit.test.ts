/**
 * The service's rate limit, through the real engine: the provider waits out 429s (Retry-After,
 * no storm), and its client-side budget (`DESCOPE_REQUESTS_PER_MINUTE`) keeps a stack from
 * tripping the limit at all. The emulator's log, with arrival times, is the witness.
 */
// Each step runs the real engine in its own process; the budget test waits out a 60 s window.
jest.setTimeout(240_000);

import { accessOf, busiestWindow, fleet, startTimedScenario, unwaited429s, type TimedScenario } from "./fleet";

// 25 mutations (20 users, 5 writes per 4) + the license handshake + one user sweep (a search page,
// reused by create) + one load each of the project's roles and tenants (the preview checks) = 29
// calls: more than the 20 a minute the budget tests' service allows.
const { seed, grants, afterUp } = fleet(20);
const CALLS = 29;
const userIds = new Map(seed.users!.map((u) => [u.loginId!, u.userId!]));

describe("pulumi up", () => {
  let s: TimedScenario | undefined;
  afterEach(async () => {
    await s?.dispose();
    s = undefined;
  });

  it("waits Retry-After after every 429 and converges when the service allows 10 calls per 2 s", async () => {
    s = await startTimedScenario(seed, { requests: 10, perSeconds: 2, lockoutSeconds: 1 });
    const up = await s.stack.up({ grants });
    expect(up.error).toBeUndefined();
    expect(up.changeSummary).toEqual({ create: 21 });
    expect(accessOf(s.emu)).toEqual(afterUp);

    const calls = s.timed();
    const refused = calls.filter((c) => c.status === 429);
    expect(refused.length).toBeGreaterThan(0); // the limit really bit
    expect(unwaited429s(calls, userIds)).toEqual([]);
    expect(calls.filter((c) => c.status !== 200 && c.status !== 429)).toEqual([]);
    // No storm: a refused call is retried once per lockout, not hammered; every call succeeds once.
    expect(calls.filter((c) => c.status === 200)).toHaveLength(CALLS);
    expect(refused.length).toBeLessThanOrEqual(CALLS);
  });

  it("meets 429s with the default budget when the service allows 20 calls per 60 s", async () => {
    // The control for the next test: this stack's burst is more than that service allows.
    s = await startTimedScenario(seed, { requests: 20, perSeconds: 60, lockoutSeconds: 5 });
    const up = await s.stack.up({ grants });
    expect(up.error).toBeUndefined();
    expect(accessOf(s.emu)).toEqual(afterUp);
    expect(s.timed().filter((c) => c.status === 429).length).toBeGreaterThan(0);
  });

  it("meets no 429 when DESCOPE_REQUESTS_PER_MINUTE is 15 and the service allows 20 calls per 60 s", async () => {
    // 29 calls against a budget of 15 per minute: 15 go at once, the rest when the window slides.
    s = await startTimedScenario(
      seed,
      { requests: 20, perSeconds: 60, lockoutSeconds: 5 },
      { DESCOPE_REQUESTS_PER_MINUTE: "15" },
    );
    const up = await s.stack.up({ grants });
    expect(up.error).toBeUndefined();
    expect(accessOf(s.emu)).toEqual(afterUp);

    const calls = s.timed();
    expect(calls.filter((c) => c.status !== 200)).toEqual([]);
    expect(calls).toHaveLength(CALLS); // more than the service's 20: the budget spread them out
    expect(busiestWindow(calls, 60_000)).toBeLessThanOrEqual(15); // as the service counts: by arrival
  });
});
