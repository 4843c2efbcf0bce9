import {
  RateLimiter,
  limiterFor,
  resetLimiters,
  defaultRateLimit,
  type LimiterClock,
} from "../../provider/client/limiter";
import { SharedRateLimiter } from "../../provider/client/shared-budget";
import { DEFAULT_REQUESTS_PER_MINUTE } from "../../provider/settings";

/** A clock that only moves when the test says so. */
class FakeClock implements LimiterClock {
  t = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  now(): number {
    return this.t;
  }
  setTimer(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimer(handle: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== handle);
  }
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const due = this.timers[0];
      if (!due || due.at > end) break;
      this.timers.shift();
      this.t = due.at;
      due.fn();
      await flush();
    }
    this.t = end;
    await flush();
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

function track(limiter: RateLimiter, n: number, clock: FakeClock): number[] {
  const grantedAt: number[] = [];
  // Each call "finishes" at once: its token's window starts when it was handed out.
  for (let i = 0; i < n; i++)
    void limiter.acquire().then((release) => {
      grantedAt.push(clock.now());
      release();
    });
  return grantedAt;
}

describe("acquire", () => {
  it("grants the whole budget at once when the bucket is full", async () => {
    const clock = new FakeClock();
    const granted = track(new RateLimiter({ requests: 3, perSeconds: 10 }, clock), 3, clock);
    await flush();
    expect(granted).toEqual([0, 0, 0]);
  });

  it("makes the next caller wait a full window when the budget is spent", async () => {
    const clock = new FakeClock();
    const granted = track(new RateLimiter({ requests: 2, perSeconds: 10 }, clock), 3, clock);
    await flush();
    expect(granted).toEqual([0, 0]);
    await clock.advance(9_999);
    expect(granted).toHaveLength(2);
    await clock.advance(1);
    expect(granted).toEqual([0, 0, 10_000]);
  });

  it("never lets more than the budget through in any window when calls keep coming", async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ requests: 5, perSeconds: 1 }, clock);
    const granted: number[] = [];
    for (let step = 0; step < 40; step++) {
      for (let i = 0; i < 3; i++)
        void limiter.acquire().then((release) => {
          granted.push(clock.now());
          release();
        });
      await flush(); // record immediate grants at the current time
      await clock.advance(137);
    }
    await clock.advance(30_000);
    expect(granted).toHaveLength(120);
    for (const start of granted) {
      expect(granted.filter((t) => t >= start && t < start + 1000).length).toBeLessThanOrEqual(5);
    }
  });

  it("serves waiters in arrival order when tokens come back", async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ requests: 1, perSeconds: 1 }, clock);
    const order: string[] = [];
    for (const name of ["a", "b", "c"])
      void limiter.acquire().then((release) => {
        order.push(name);
        release();
      });
    await flush(); // "a" runs and finishes at 0
    await clock.advance(2_000);
    expect(order).toEqual(["a", "b", "c"]);
  });

  it("rejects with the abort reason and frees the queue slot when the signal aborts", async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ requests: 1, perSeconds: 1 }, clock);
    (await limiter.acquire())();
    const ac = new AbortController();
    const waiting = limiter.acquire(ac.signal);
    const next = track(limiter, 1, clock);
    ac.abort(new Error("deadline"));
    await expect(waiting).rejects.toThrow("deadline");
    await clock.advance(1_000);
    expect(next).toEqual([1_000]);
  });

  it("keeps a token in use until it is released, and starts its window then", async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ requests: 1, perSeconds: 1 }, clock);
    const release = await limiter.acquire();
    const next = track(limiter, 1, clock);
    await clock.advance(5_000); // the first call is still running: no token comes back
    expect(next).toEqual([]);
    release();
    await clock.advance(999);
    expect(next).toEqual([]);
    await clock.advance(1);
    expect(next).toEqual([6_000]);
  });

  it("rejects at once when the signal is already aborted", async () => {
    const ac = new AbortController();
    ac.abort(new Error("gone"));
    await expect(new RateLimiter({ requests: 1, perSeconds: 1 }, new FakeClock()).acquire(ac.signal)).rejects.toThrow(
      "gone",
    );
  });
});

describe("available", () => {
  it("counts tokens back when their window has passed", async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ requests: 4, perSeconds: 2 }, clock);
    (await limiter.acquire())();
    await clock.advance(500);
    (await limiter.acquire())();
    expect(limiter.available()).toBe(2);
    await clock.advance(1_500);
    expect(limiter.available()).toBe(3);
    await clock.advance(500);
    expect(limiter.available()).toBe(4);
  });
});

describe("RateLimiter", () => {
  it.each([[{ requests: 0, perSeconds: 1 }], [{ requests: 1, perSeconds: 0 }], [{ requests: NaN, perSeconds: 1 }]])(
    "throws when constructed with %j",
    (limit) => {
      expect(() => new RateLimiter(limit, new FakeClock())).toThrow(RangeError);
    },
  );
});

describe("limiterFor", () => {
  afterEach(() => resetLimiters());

  it("shares one limiter when the project and budget are the same", () => {
    expect(limiterFor("P1")).toBe(limiterFor("P1", defaultRateLimit()));
  });

  it("keeps limiters apart when the project or the budget differs", () => {
    expect(limiterFor("P1")).not.toBe(limiterFor("P2"));
    expect(limiterFor("P1")).not.toBe(limiterFor("P1", { requests: 5, perSeconds: 1 }));
  });

  it("defaults to 400 requests per 60 seconds when no budget is given", () => {
    expect(limiterFor("P3").limit).toEqual({ requests: 400, perSeconds: 60 });
    expect(defaultRateLimit().requests).toBe(DEFAULT_REQUESTS_PER_MINUTE);
  });

  it("shares the budget through the directory's state file when a budget directory is given", () => {
    const shared = { baseUrl: "https://api.descope.com", dir: "/tmp/budget-not-created" };
    const limiter = limiterFor("P4", undefined, shared);
    expect(limiter).toBeInstanceOf(SharedRateLimiter);
    expect(limiterFor("P4", defaultRateLimit(), shared)).toBe(limiter);
    expect(limiterFor("P4")).toBeInstanceOf(RateLimiter);
    expect(limiterFor("P4", undefined, { ...shared, baseUrl: "https://api.euc1.descope.com" })).not.toBe(limiter);
  });
});
