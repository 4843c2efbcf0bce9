/**
 * The client-side request budget shared by the processes of one machine: Pulumi may run
 * several provider processes against one project at once (parallel stacks, `pulumi up` next to
 * `descope-access report`), and the service's budget (about 500 calls a minute, then a 60 s
 * lockout) is per project, not per process.
 *
 * Each project and base URL has a small state file listing the tokens handed out recently, by
 * any process; a token counts until `perSeconds` after its call finished (the token arithmetic
 * and the file format: budget-tokens.ts). Reading and updating the file happens under an
 * exclusive lock file, held for one read and one write (budget-files.ts, which also sweeps old
 * state files: the first limiter of a process on a directory does it once).
 *
 * Failure modes: a token whose process died before its call finished counts as finished when
 * that is noticed (same host, pid gone) or at the latest {@link SharedLimiterOptions.maxHoldMs}
 * after it was handed out; a lock left by a dead process (or older than `staleMs`) is broken;
 * when the directory or the file cannot be used at all, the limiter counts this process's own
 * tokens only (the in-process budget) and tries the file again on its next round.
 */
import { randomUUID } from "node:crypto";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  budgetFileName,
  formatBudgetState,
  grantable,
  liveTokens,
  mergeFinished,
  nextCheckMs,
  parseBudgetState,
  roundUp,
  tokenCount,
  type LiveRules,
  type SharedToken,
} from "./budget-tokens";
import { isPidAlive, sweepBudgetDir, withFileLock, writeAtomically, type FileLockOptions } from "./budget-files";
import type { Limiter, LimiterClock, RateLimit } from "./limiter";
import { enqueueWaiter, type Release, type Waiter } from "./waiters";

/** Directories this process has swept already ({@link sweepBudgetDir} runs once per directory). */
const swept = new Set<string>();

/**
 * How long a finished token may wait to be written when no call waits, in ms. Other processes
 * count it as in use meanwhile, which is the same count: its window starts at its finish.
 */
const PUBLISH_DELAY_MS = 100;

/** Options of {@link SharedRateLimiter}. */
export interface SharedLimiterOptions {
  /** Directory of the state files; created (mode 0700) when missing. */
  dir: string;
  /** The project the budget is for. */
  projectId: string;
  /** The base URL the project is reached at. */
  baseUrl: string;
  /** Wall clock (epoch ms, the same in every process) and timers. @default Date.now and setTimeout */
  clock?: LimiterClock;
  /** While another process holds a token, look again this often. @default 250 */
  pollMs?: number;
  /** A token of another process unfinished this long counts as finished. @default 300000 */
  maxHoldMs?: number;
  /** Lock tunables. */
  lock?: FileLockOptions;
}

/** The wall clock and ordinary timers (a timer exists only while a call waits, and keeps the process alive). */
export function wallClock(): LimiterClock {
  return {
    now: () => Date.now(),
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
  };
}

/**
 * A sliding-window token bucket like `RateLimiter` in limiter.ts (FIFO within the process), whose
 * tokens are counted together with those of every other instance using the same state file.
 */
export class SharedRateLimiter implements Limiter {
  /** The state file. */
  readonly file: string;
  private readonly owner = randomUUID();
  private readonly host = os.hostname();
  private readonly clock: LimiterClock;
  private readonly windowMs: number;
  private readonly pollMs: number;
  private readonly maxHoldMs: number;
  /** This instance's tokens that still count: in use (the objects their releases finish), and finished ones merged. */
  private own: SharedToken[] = [];
  private readonly waiters: Waiter[] = [];
  private timer: unknown = undefined;
  /** A pending round that only publishes finished tokens (see `release`). */
  private publishTimer: unknown = undefined;
  private running = false;
  private again = false;
  private dirReady = false;

  /** `limit.requests` must be ≥ 1 and `limit.perSeconds` > 0. */
  constructor(
    readonly limit: RateLimit,
    private readonly options: SharedLimiterOptions,
  ) {
    if (!(limit.requests >= 1) || !(limit.perSeconds > 0)) {
      throw new RangeError(`invalid rate limit ${limit.requests} per ${limit.perSeconds} s`);
    }
    this.windowMs = limit.perSeconds * 1000;
    this.clock = options.clock ?? wallClock();
    this.pollMs = options.pollMs ?? 250;
    this.maxHoldMs = options.maxHoldMs ?? 300_000;
    this.file = path.join(options.dir, budgetFileName(options.projectId, options.baseUrl));
  }

  /**
   * Waits for a token and spends it; call the returned `release` when the call finished (its
   * window starts then). Rejects with `signal.reason` if `signal` aborts first.
   */
  acquire(signal?: AbortSignal): Promise<Release> {
    return enqueueWaiter(this.waiters, () => this.sync(), signal);
  }

  /** Runs a round now, or once more after the one running (rounds never overlap). */
  private sync(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.run();
  }

  private async run(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.round();
      } while (this.again);
    } finally {
      this.running = false;
    }
  }

  /**
   * Under the lock: read the file, hand out what the budget allows, write it back; then start
   * the calls that got a token (only once the file shows their tokens) and schedule the next look.
   */
  private async round(): Promise<void> {
    if (this.timer !== undefined) {
      this.clock.clearTimer(this.timer);
      this.timer = undefined;
    }
    if (this.publishTimer !== undefined) {
      this.clock.clearTimer(this.publishTimer); // this round publishes the finishes
      this.publishTimer = undefined;
    }
    let others: SharedToken[] = [];
    let granted: (() => void)[] | undefined;
    try {
      if (!this.dirReady) {
        await fs.mkdir(this.options.dir, { recursive: true, mode: 0o700 });
        this.dirReady = true;
        if (!swept.has(this.options.dir)) {
          swept.add(this.options.dir);
          void sweepBudgetDir(this.options.dir);
        }
      }
      await withFileLock(
        `${this.file}.lock`,
        async () => {
          const text = await fs.readFile(this.file, "utf8").catch((err: NodeJS.ErrnoException) => {
            if (err.code === "ENOENT") return undefined;
            throw err;
          });
          const now = this.clock.now();
          const rules: LiveRules = {
            windowMs: this.windowMs,
            maxHoldMs: this.maxHoldMs,
            isDead: (t) => t.host === this.host && !isPidAlive(t.pid),
          };
          others = liveTokens(
            parseBudgetState(text).filter((t) => t.owner !== this.owner),
            now,
            rules,
          );
          granted = this.handOut(tokenCount(others), now);
          const next = formatBudgetState([...others, ...this.own]);
          if (next !== text) await writeAtomically(this.file, next);
        },
        this.options.lock,
      );
    } catch {
      // The file cannot be used: count this instance's tokens only; the next round tries the file again.
      others = [];
      granted ??= this.handOut(0, this.clock.now());
    }
    for (const start of granted ?? []) start();
    this.schedule(others);
  }

  /**
   * Takes tokens for waiters, FIFO, while `othersLive` plus this instance's live tokens stay
   * under the budget; returns the functions that hand them over.
   */
  private handOut(othersLive: number, now: number): (() => void)[] {
    this.own = mergeFinished(this.own.filter((t) => t.finishedAt === undefined || t.finishedAt + this.windowMs > now));
    const granted: (() => void)[] = [];
    let n = grantable(othersLive + tokenCount(this.own), this.limit, this.waiters.length);
    while (n-- > 0) {
      const w = this.waiters.shift()!;
      if (w.signal && w.onAbort) w.signal.removeEventListener("abort", w.onAbort);
      const token: SharedToken = { owner: this.owner, pid: process.pid, host: this.host, startedAt: now };
      this.own.push(token);
      granted.push(() =>
        w.resolve(() => {
          if (token.finishedAt !== undefined) return;
          token.finishedAt = roundUp(this.clock.now(), this.windowMs / 60);
          // A waiter needs a round now. Otherwise the finish is published a moment later, with
          // the others that come in the meantime: a round per release was most of the I/O.
          if (this.waiters.length > 0) this.sync();
          else this.publishSoon();
        }),
      );
    }
    return granted;
  }

  private publishSoon(): void {
    if (this.publishTimer !== undefined) return;
    this.publishTimer = this.clock.setTimer(() => {
      this.publishTimer = undefined;
      this.sync();
    }, PUBLISH_DELAY_MS);
  }

  private schedule(others: readonly SharedToken[]): void {
    if (this.waiters.length === 0) return;
    const wait = nextCheckMs([...others, ...this.own], this.clock.now(), this.windowMs, this.owner, this.pollMs);
    if (wait === undefined) return; // our own tokens in use: their releases run the next round
    this.timer = this.clock.setTimer(() => {
      this.timer = undefined;
      this.sync();
    }, wait);
  }
}
