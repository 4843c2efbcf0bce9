/**
 * Client-side rate limiter: at most `requests` Management API calls per `perSeconds`, per
 * Descope project, shared by every client in the process, so a large stack stays under the
 * service's budget (about 500 per 60 s, with a 60 s lockout once tripped). This is the
 * in-process limiter; `shared-budget.ts` keeps the same budget across the processes of a
 * machine through a state file, with the same window rule.
 *
 * It is a token bucket whose `requests` tokens each come back `perSeconds` after the call that
 * spent it finished (a sliding window). The service counts a call when it arrives, which is
 * after the token was handed out and before the call finished, so counting from the finish
 * never lets more than `requests` calls ARRIVE in any window of `perSeconds` — the bench
 * measured a window counted from the hand-out letting 79 of 50 arrive, because the first
 * calls of a burst are slow to connect. A bucket that refills continuously would be worse.
 *
 * Written by hand (about 80 lines) rather than taken from npm: `bottleneck` is unmaintained
 * since 2019, `p-throttle` and `limiter` 3+ are ESM-only or lack an injectable clock, and none
 * gives the "any window" guarantee with a fake clock for tests; adding a dependency is also
 * outside this change.
 */
import { DEFAULT_REQUESTS_PER_MINUTE } from "../settings";
import { resetSharedBudgetState, SharedRateLimiter } from "./shared-budget";
import { enqueueWaiter, type Release, type Waiter } from "./waiters";

/** The budget: `requests` per `perSeconds`. */
export interface RateLimit {
  /** Requests allowed in any window. @default 400 */
  requests: number;
  /** Window length in seconds. @default 60 */
  perSeconds: number;
}

/** Time source and timers; tests pass a fake. */
export interface LimiterClock {
  /** Current time in ms (any monotonic origin). */
  now(): number;
  /** Schedules `fn` after `ms`; returns a handle for `clearTimer`. */
  setTimer(fn: () => void, ms: number): unknown;
  /** Cancels a handle from `setTimer`. */
  clearTimer(handle: unknown): void;
}

/** The default budget: {@link DEFAULT_REQUESTS_PER_MINUTE} (400) requests per 60 s, below Descope's documented ~500 per 60 s. */
export function defaultRateLimit(): RateLimit {
  return { requests: DEFAULT_REQUESTS_PER_MINUTE, perSeconds: 60 };
}

/** What the client needs of a limiter: in-process ({@link RateLimiter}) or machine-wide ({@link SharedRateLimiter}). */
export interface Limiter {
  /** The budget. */
  readonly limit: RateLimit;
  /**
   * Waits for a token and spends it; call the returned `release` when the call finished (its
   * window starts then). Rejects with `signal.reason` if `signal` aborts first.
   */
  acquire(signal?: AbortSignal): Promise<Release>;
}

/**
 * The real clock: `performance.now()` and ordinary timers. A timer exists only while a call
 * waits for a token, and it must keep the process alive: a waiting call is work in progress.
 */
export function systemClock(): LimiterClock {
  return {
    now: () => performance.now(),
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
  };
}

/** Gives a token back: its window starts now. Idempotent. */
export type { Release } from "./waiters";

/** A token in use (`finishedAt` undefined) or finished at a time. */
interface Spent {
  finishedAt?: number;
}

/** A sliding-window token bucket; {@link acquire} resolves when a token is free (FIFO). */
export class RateLimiter implements Limiter {
  private readonly spent: Spent[] = [];
  private readonly waiters: Waiter[] = [];
  private timer: unknown = undefined;
  private readonly windowMs: number;

  /** `limit.requests` must be ≥ 1 and `limit.perSeconds` > 0. */
  constructor(
    readonly limit: RateLimit,
    private readonly clock: LimiterClock = systemClock(),
  ) {
    if (!(limit.requests >= 1) || !(limit.perSeconds > 0)) {
      throw new RangeError(`invalid rate limit ${limit.requests} per ${limit.perSeconds} s`);
    }
    this.windowMs = limit.perSeconds * 1000;
  }

  /**
   * Waits for a token and spends it; call the returned `release` when the call finished (its
   * window starts then; a token never released never comes back). Rejects with
   * `signal.reason` if `signal` aborts first.
   */
  acquire(signal?: AbortSignal): Promise<Release> {
    return enqueueWaiter(this.waiters, () => this.pump(), signal);
  }

  /** Tokens free right now. */
  available(): number {
    this.expire(this.clock.now());
    return Math.max(0, Math.floor(this.limit.requests) - this.spent.length);
  }

  private expire(now: number): void {
    for (let i = this.spent.length - 1; i >= 0; i--) {
      const at = this.spent[i].finishedAt;
      if (at !== undefined && at + this.windowMs <= now) this.spent.splice(i, 1);
    }
  }

  private pump(): void {
    if (this.timer !== undefined) {
      this.clock.clearTimer(this.timer);
      this.timer = undefined;
    }
    const now = this.clock.now();
    this.expire(now);
    while (this.waiters.length > 0 && this.spent.length < Math.floor(this.limit.requests)) {
      const w = this.waiters.shift()!;
      if (w.signal && w.onAbort) w.signal.removeEventListener("abort", w.onAbort);
      const token: Spent = {};
      this.spent.push(token);
      w.resolve(() => {
        if (token.finishedAt !== undefined) return;
        token.finishedAt = this.clock.now();
        this.pump();
      });
    }
    let earliest = Infinity;
    for (const t of this.spent) if (t.finishedAt !== undefined && t.finishedAt < earliest) earliest = t.finishedAt;
    if (this.waiters.length > 0 && earliest !== Infinity) {
      // Tokens still in use wake the queue when they are released.
      const wait = Math.max(1, earliest + this.windowMs - now);
      this.timer = this.clock.setTimer(() => {
        this.timer = undefined;
        this.pump();
      }, wait);
    }
  }
}

const registry = new Map<string, Limiter>();

/** Where a machine-wide budget is kept: see {@link SharedRateLimiter}. */
export interface SharedBudget {
  /** The base URL the project is reached at (part of the state file's name). */
  baseUrl: string;
  /** The directory of the state files, e.g. from `resolveSettings`. */
  dir: string;
}

/**
 * The limiter shared by every client of `projectId` in this process with this budget
 * (a different budget gets its own limiter, so tests with shrunk budgets do not interfere).
 * With `shared`, it also shares the budget with the other processes of the machine that use
 * the same directory, project and base URL; without, it counts this process only.
 */
export function limiterFor(projectId: string, limit: RateLimit = defaultRateLimit(), shared?: SharedBudget): Limiter {
  const where = shared ? `\u0000${shared.baseUrl}\u0000${shared.dir}` : "";
  const key = `${projectId}\u0000${limit.requests}/${limit.perSeconds}${where}`;
  let limiter = registry.get(key);
  if (!limiter) {
    limiter = shared
      ? new SharedRateLimiter(limit, { dir: shared.dir, projectId, baseUrl: shared.baseUrl })
      : new RateLimiter(limit);
    registry.set(key, limiter);
  }
  return limiter;
}

/** Forgets every shared limiter, and what the machine-wide budget remembers per process (for tests). */
export function resetLimiters(): void {
  registry.clear();
  resetSharedBudgetState();
}
