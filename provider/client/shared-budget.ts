/**
 * The client-side request budget shared by the processes of one machine: Pulumi may run
 * several provider processes against one project at once (parallel stacks, `pulumi up` next to
 * `descope-access report`), and the service's budget (about 500 calls a minute, then a 60 s
 * lockout) is per project, not per process.
 *
 * Each project and base URL has a small state file listing the tokens handed out recently, by
 * any process; a token counts until `perSeconds` after its call finished (the token arithmetic
 * and the file format: budget-tokens.ts). Reading and updating the file happens under an
 * exclusive lock file, held for one read and one write (budget-lock.ts). The files live in the
 * package's own subdirectory of the configured directory (budget-files.ts); the first limiter of
 * a process on it deletes the package's files there untouched for a day (budget-sweep.ts).
 *
 * Failure modes: a token whose process died before its call finished counts as finished when
 * that is noticed (same host, pid gone) or at the latest {@link SharedLimiterOptions.maxHoldMs}
 * after it was handed out; a token dated in the future is ignored; a lock left by a dead process
 * (or older than `staleMs`, or dated in the future) is broken; waiting for the lock is bounded.
 * When the directory or a file is not one the package may trust (a symbolic link, a FIFO, another
 * user's, too big, a world-writable directory without the sticky bit, not writable), the limiter
 * keeps to the budget on its own for the rest of the process (counting, until they expire, the
 * other processes' tokens it last saw); when a round fails otherwise, only that round does.
 * Either way the process warns once, naming the path and the reason.
 */
import { randomUUID } from "node:crypto";
import * as os from "node:os";
import * as path from "node:path";
import {
  budgetFileName,
  formatBudgetState,
  grantable,
  isAhead,
  liveTokens,
  mergeFinished,
  nextCheckMs,
  parseBudgetState,
  roundUp,
  tokenCount,
  type LiveRules,
  type SharedToken,
} from "./budget-tokens";
import { BUDGET_SUBDIR, isUnusableBudgetError, prepareBudgetDir, readOwnFile, writeAtomically } from "./budget-files";
import { isPidAlive, withFileLock, type FileLockOptions } from "./budget-lock";
import { sweepBudgetDir } from "./budget-sweep";
import type { Limiter, LimiterClock, RateLimit } from "./limiter";
import { enqueueWaiter, type Release, type Waiter } from "./waiters";

/** What the shared budget remembers per process: one holder, one reset (for tests). */
interface BudgetProcessState {
  /** Directories swept already ({@link sweepBudgetDir} runs once per directory). */
  swept: Set<string>;
  /** Whether this process has warned about the budget (it warns once). */
  warned: boolean;
}

let processState: BudgetProcessState = { swept: new Set(), warned: false };

/** Forgets the directories swept and the warning given (for tests; `resetLimiters` calls it). */
export function resetSharedBudgetState(): void {
  processState = { swept: new Set(), warned: false };
}

/**
 * How long a finished token may wait to be written when no call waits, in ms. Other processes
 * count it as in use meanwhile, which is the same count: its window starts at its finish.
 */
const PUBLISH_DELAY_MS = 100;

/** A state file holds a few entries per process (budget-tokens.ts); one this big is not ours. */
export const MAX_STATE_BYTES = 1024 * 1024;

/** Clocks of the processes sharing a file may differ this much (a token's finish is also rounded up). */
const CLOCK_SKEW_MS = 2_000;

/** The longest delay a Node.js timer takes (about 24.8 days); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Emits a warning as Node.js does, with a code to filter on. */
function emitBudgetWarning(message: string): void {
  process.emitWarning(message, { code: "DESCOPE_BUDGET" });
}

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
  /** Where the once-per-process warning goes. @default process.emitWarning, code `DESCOPE_BUDGET` */
  warn?: (message: string) => void;
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
  /** The state file: `<dir>/pulumi-descope-access-budget/pda-budget-<sha256(projectId, baseUrl)>.json`. */
  readonly file: string;
  private readonly owner = randomUUID();
  private readonly host = os.hostname();
  private readonly clock: LimiterClock;
  private readonly windowMs: number;
  private readonly pollMs: number;
  private readonly rules: LiveRules;
  /** This instance's tokens that still count: in use (the objects their releases finish), and finished ones merged. */
  private own: SharedToken[] = [];
  /** The other instances' tokens as last read; counted while the file cannot be read, until they expire. */
  private others: SharedToken[] = [];
  private readonly waiters: Waiter[] = [];
  private timer: unknown = undefined;
  /** A pending round that only publishes finished tokens (see `release`). */
  private publishTimer: unknown = undefined;
  private running = false;
  private again = false;
  private dirReady = false;
  /** Set once the directory or a file proved unusable: from then on this instance counts on its own. */
  private unshared = false;

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
    this.rules = {
      windowMs: this.windowMs,
      maxHoldMs: options.maxHoldMs ?? 300_000,
      // A finish is rounded up by up to 1/60 of the window (see release), on a clock that may differ a little.
      aheadMs: this.windowMs / 60 + CLOCK_SKEW_MS,
      isDead: (t) => t.host === this.host && !isPidAlive(t.pid),
    };
    this.file = path.join(options.dir, BUDGET_SUBDIR, budgetFileName(options.projectId, options.baseUrl));
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
   * Without the file, the same with the other instances' tokens last seen.
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
    let granted: (() => void)[] | undefined;
    if (!this.unshared) {
      try {
        await this.prepareDir();
        await withFileLock(
          `${this.file}.lock`,
          async () => {
            const text = await readOwnFile(this.file, MAX_STATE_BYTES);
            const now = this.clock.now();
            this.others = this.sane(parseBudgetState(text), now).filter((t) => t.owner !== this.owner);
            granted = this.handOut(now);
            const next = formatBudgetState([...this.others, ...this.own]);
            if (next !== text) await writeAtomically(this.file, next);
          },
          this.options.lock,
        );
      } catch (err) {
        this.fallBack(err);
      }
    }
    granted ??= this.handOut(this.clock.now());
    for (const start of granted) start();
    this.schedule();
  }

  /** Creates and checks the directory once, and has the first limiter of the process on it sweep it. */
  private async prepareDir(): Promise<void> {
    if (this.dirReady) return;
    const dir = await prepareBudgetDir(this.options.dir);
    this.dirReady = true;
    if (!processState.swept.has(dir)) {
      processState.swept.add(dir);
      void sweepBudgetDir(dir);
    }
  }

  /** `tokens` without those dated ahead (warning once about them) and with what died or expired settled. */
  private sane(tokens: SharedToken[], now: number): SharedToken[] {
    const ahead = tokens.filter((t) => isAhead(t, now, this.rules.aheadMs)).length;
    if (ahead > 0) {
      this.warnOnce(
        `${this.file}: ignored ${ahead} token(s) dated more than ${this.rules.aheadMs} ms ahead ` +
          `(another clock far ahead, or not written by this package)`,
      );
    }
    return liveTokens(tokens, now, this.rules);
  }

  /** After a failed round: for good when the file is unusable (warned once either way). */
  private fallBack(err: unknown): void {
    const message = (err as Error)?.message ?? String(err);
    if (isUnusableBudgetError(err)) {
      this.unshared = true;
      this.warnOnce(`${message}; this process keeps to the request budget on its own from now on`);
    } else {
      this.warnOnce(`${message}; this round counted only the requests this process knows of`);
    }
  }

  private warnOnce(message: string): void {
    if (processState.warned) return;
    processState.warned = true;
    (this.options.warn ?? emitBudgetWarning)(
      `pulumi-descope-access: the request budget is not fully shared across processes: ${message}`,
    );
  }

  /**
   * Takes tokens for waiters, FIFO, while the other instances' live tokens plus this instance's
   * stay under the budget; returns the functions that hand them over.
   */
  private handOut(now: number): (() => void)[] {
    this.own = mergeFinished(this.own.filter((t) => t.finishedAt === undefined || t.finishedAt + this.windowMs > now));
    this.others = liveTokens(this.others, now, this.rules);
    const granted: (() => void)[] = [];
    let n = grantable(tokenCount(this.others) + tokenCount(this.own), this.limit, this.waiters.length);
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

  private schedule(): void {
    if (this.waiters.length === 0) return;
    const live = [...this.others, ...this.own];
    const wait = nextCheckMs(live, this.clock.now(), this.windowMs, this.owner, this.pollMs);
    if (wait === undefined) return; // our own tokens in use: their releases run the next round
    this.timer = this.clock.setTimer(
      () => {
        this.timer = undefined;
        this.sync();
      },
      Math.min(wait, MAX_TIMER_MS),
    );
  }
}
