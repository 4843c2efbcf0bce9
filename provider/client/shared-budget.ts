/**
 * The client-side request budget shared by the processes of one machine: Pulumi may run
 * several provider processes against one project at once (parallel stacks, `pulumi up` next to
 * `descope-access report`), and the service's budget (about 500 calls a minute, then a 60 s
 * lockout) is per project, not per process.
 *
 * Each project and base URL has a small state file, `<dir>/<sha256(projectId \n baseUrl)>.json`,
 * listing the tokens handed out recently, by any process: when each was handed out and, once
 * its call finished, when. A token counts until `perSeconds` after its call finished, as in the
 * in-process `RateLimiter` (limiter.ts), so no more than the budget can ARRIVE at the service in any
 * window. Reading and updating the file happens under an exclusive lock file
 * (`<file>.lock`, created with `O_EXCL`), held for one read and one write.
 *
 * To keep the file small whatever the budget, an instance's finished tokens are kept as counts
 * per finish time, rounded UP to 1/60 of the window (1 s for a minute): a slot comes back at
 * most that much later than it would in-process, never earlier. The file then holds at most
 * about 61 finished entries per process, plus the calls in flight.
 *
 * State files are per base URL, so tests against emulators on random ports leave one each: the
 * first limiter of a process on a directory deletes the files there untouched for a day
 * ({@link sweepBudgetDir}); no token lives that long.
 *
 * Failure modes: a token whose process died before its call finished counts as finished when
 * that is noticed (same host, pid gone) or at the latest {@link SharedLimiterOptions.maxHoldMs}
 * after it was handed out; a lock left by a dead process (or older than `staleMs`) is broken;
 * when the directory or the file cannot be used at all, the limiter counts this process's own
 * tokens only (the in-process budget) and tries the file again on its next round.
 *
 * The lock is hand-written (about 60 lines) rather than `proper-lockfile`, whose last release
 * is from 2021 and which brings three dependencies for what `open(…, "wx")` gives.
 */
import { createHash, randomUUID } from "node:crypto";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Limiter, LimiterClock, RateLimit } from "./limiter";
import { enqueueWaiter, type Release, type Waiter } from "./waiters";

/** One token in the state file. Times are wall-clock epoch ms (the processes share no other clock). */
export interface SharedToken {
  /** The limiter instance that holds it (random per instance). */
  owner: string;
  /** Process that holds it. */
  pid: number;
  /** Host name of that process (the pid means nothing elsewhere, e.g. a home directory on NFS). */
  host: string;
  /** When it was handed out. */
  startedAt: number;
  /** When its call finished; absent while the call runs. */
  finishedAt?: number;
  /** How many tokens this entry stands for (finished tokens of one owner are merged). @default 1 */
  count?: number;
}

/** How many tokens `tokens` stand for. */
export function tokenCount(tokens: readonly SharedToken[]): number {
  let n = 0;
  for (const t of tokens) n += t.count ?? 1;
  return n;
}

/**
 * PURE: `tokens` with the finished ones merged per finish time (their `startedAt` the
 * earliest), in-use ones as they are (the same objects).
 */
export function mergeFinished(tokens: readonly SharedToken[]): SharedToken[] {
  const inUse: SharedToken[] = [];
  const byFinish = new Map<number, SharedToken>();
  for (const t of tokens) {
    if (t.finishedAt === undefined) {
      inUse.push(t);
      continue;
    }
    const seen = byFinish.get(t.finishedAt);
    if (seen)
      byFinish.set(t.finishedAt, {
        ...seen,
        startedAt: Math.min(seen.startedAt, t.startedAt),
        count: (seen.count ?? 1) + (t.count ?? 1),
      });
    else byFinish.set(t.finishedAt, t);
  }
  return [...byFinish.values(), ...inUse];
}

/** PURE: `ms` rounded up to a multiple of `step`. */
export function roundUp(ms: number, step: number): number {
  return Math.ceil(ms / step) * step;
}

/** How {@link liveTokens} judges tokens. */
export interface LiveRules {
  /** Window length in ms: a finished token counts until `finishedAt + windowMs`. */
  windowMs: number;
  /** A token unfinished this long after `startedAt` counts as finished then. */
  maxHoldMs: number;
  /** True when the token's process is known to be gone (its token counts as finished now). */
  isDead(token: SharedToken): boolean;
}

/**
 * PURE: the tokens that still count at `now`, in order: finished ones within their window,
 * and unfinished ones, except that an unfinished token of a dead process is finished at `now`
 * and one held past `maxHoldMs` is finished at `startedAt + maxHoldMs`. Unchanged tokens are
 * returned as the same objects.
 */
export function liveTokens(tokens: readonly SharedToken[], now: number, rules: LiveRules): SharedToken[] {
  const out: SharedToken[] = [];
  for (const t of tokens) {
    let finishedAt = t.finishedAt;
    if (finishedAt === undefined) {
      if (t.startedAt + rules.maxHoldMs <= now) finishedAt = t.startedAt + rules.maxHoldMs;
      else if (rules.isDead(t)) finishedAt = now;
    }
    if (finishedAt !== undefined && finishedAt + rules.windowMs <= now) continue;
    out.push(finishedAt === t.finishedAt ? t : { ...t, finishedAt });
  }
  return out;
}

/** PURE: how many of `wanted` tokens can be handed out when `live` tokens count against `limit`. */
export function grantable(live: number, limit: RateLimit, wanted: number): number {
  return Math.max(0, Math.min(wanted, Math.floor(limit.requests) - live));
}

/**
 * PURE: ms until a waiting limiter should look at the file again, or `undefined` when only a
 * release of its own tokens can free one: when the first finished token's window ends, and
 * at most `pollMs` while another instance holds a token (its release is not announced).
 */
export function nextCheckMs(
  live: readonly SharedToken[],
  now: number,
  windowMs: number,
  owner: string,
  pollMs: number,
): number | undefined {
  let wait = Infinity;
  for (const t of live) {
    if (t.finishedAt !== undefined) wait = Math.min(wait, t.finishedAt + windowMs - now);
    else if (t.owner !== owner) wait = Math.min(wait, pollMs);
  }
  return wait === Infinity ? undefined : Math.max(1, Math.ceil(wait));
}

/** The state file's name for a project and base URL: `<sha256 hex>.json`. */
export function budgetFileName(projectId: string, baseUrl: string): string {
  return `${createHash("sha256").update(`${projectId}\n${baseUrl}`).digest("hex")}.json`;
}

/** The tokens in a state file's text; anything unreadable is dropped (a corrupt file is an empty one). */
export function parseBudgetState(text: string | undefined): SharedToken[] {
  if (!text) return [];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return [];
  }
  const tokens = (json as { tokens?: unknown } | null)?.tokens;
  if (!Array.isArray(tokens)) return [];
  return tokens.filter((t): t is SharedToken => {
    const o = t as Partial<SharedToken> | null;
    return (
      o !== null &&
      typeof o === "object" &&
      typeof o.owner === "string" &&
      typeof o.host === "string" &&
      Number.isInteger(o.pid) &&
      Number.isFinite(o.startedAt) &&
      (o.finishedAt === undefined || Number.isFinite(o.finishedAt)) &&
      (o.count === undefined || (Number.isInteger(o.count) && (o.count as number) >= 1))
    );
  });
}

/** A state file's text for `tokens`. */
export function formatBudgetState(tokens: readonly SharedToken[]): string {
  return JSON.stringify({ version: 1, tokens });
}

/** True unless `pid` is known not to exist on this host. */
export function isPidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM"; // exists, but not ours to signal
  }
}

/** Tunables of {@link withFileLock}. */
export interface FileLockOptions {
  /** A lock older than this is broken (a holder keeps it for one read and one write). @default 5000 */
  staleMs?: number;
  /** Give up (throw) after waiting this long. @default 10000 */
  waitMs?: number;
}

/**
 * Runs `fn` holding the exclusive lock `lockPath` (a file created with `O_EXCL` holding the
 * holder's pid, host and a nonce), across processes. A lock whose process is gone (same host)
 * or older than `staleMs` is broken; breaking renames it away first and checks it renamed the
 * lock it judged, so two breakers do not both win.
 *
 * @throws the file system's error when the lock cannot be created, or an Error after `waitMs`.
 */
export async function withFileLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const staleMs = options.staleMs ?? 5_000;
  const giveUpAt = Date.now() + (options.waitMs ?? 10_000);
  const host = os.hostname();
  const nonce = randomUUID();
  for (let round = 0; ; round++) {
    try {
      const handle = await fs.open(lockPath, "wx", 0o600);
      try {
        await handle.writeFile(JSON.stringify({ pid: process.pid, host, nonce }));
      } finally {
        await handle.close();
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    if (await breakIfStale(lockPath, staleMs, host)) continue;
    if (Date.now() > giveUpAt) throw new Error(`could not lock ${lockPath} within ${options.waitMs ?? 10_000} ms`);
    await sleep(Math.min(50, 2 + round) + Math.random() * 5);
  }
  try {
    return await fn();
  } finally {
    await fs.unlink(lockPath).catch(() => undefined);
  }
}

/** Breaks `lockPath` when it is stale; true when the caller should try to lock again at once. */
async function breakIfStale(lockPath: string, staleMs: number, host: string): Promise<boolean> {
  let judged: { ino: number; mtimeMs: number };
  let holder: { pid?: unknown; host?: unknown } = {};
  try {
    const stat = await fs.stat(lockPath);
    judged = { ino: stat.ino, mtimeMs: stat.mtimeMs };
    try {
      holder = JSON.parse(await fs.readFile(lockPath, "utf8"));
    } catch {
      // being written, or gone: judge by age alone
    }
  } catch {
    return true; // gone: try again
  }
  const dead = holder.host === host && typeof holder.pid === "number" && !isPidAlive(holder.pid);
  if (!dead && Date.now() - judged.mtimeMs < staleMs) return false;
  const aside = `${lockPath}.${randomUUID()}.stale`;
  try {
    await fs.rename(lockPath, aside);
  } catch {
    return true; // someone else broke it first
  }
  const moved = await fs.stat(aside).catch(() => undefined);
  if (moved && (moved.ino !== judged.ino || moved.mtimeMs !== judged.mtimeMs)) {
    // We moved a fresh lock taken after we judged: put it back unless another was taken since.
    await fs.link(aside, lockPath).catch(() => undefined);
  }
  await fs.unlink(aside).catch(() => undefined);
  return true;
}

/** Files untouched this long are deleted by {@link sweepBudgetDir}: a day, far beyond any token's life. */
export const BUDGET_FILE_MAX_AGE_MS = 24 * 60 * 60 * 1000;

const swept = new Set<string>();

/**
 * Deletes the state files (and leftover temporary or broken-lock files) in `dir` not modified
 * for `maxAgeMs`, each under its lock, so a file being rewritten is never lost. Best effort:
 * never rejects. Returns how many files it deleted.
 */
export async function sweepBudgetDir(
  dir: string,
  maxAgeMs = BUDGET_FILE_MAX_AGE_MS,
  nowMs = Date.now(),
): Promise<number> {
  let deleted = 0;
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      const old = async () => nowMs - (await fs.stat(file)).mtimeMs >= maxAgeMs;
      if (!(await old())) continue;
      if (/^[0-9a-f]{64}\.json$/.test(name)) {
        await withFileLock(
          `${file}.lock`,
          async () => {
            if (await old()) {
              await fs.unlink(file);
              deleted++;
            }
          },
          { waitMs: 1_000 },
        );
      } else if (/\.(tmp|stale)$/.test(name)) {
        await fs.unlink(file);
        deleted++;
      }
    } catch {
      // gone already, or busy: next time
    }
  }
  return deleted;
}

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

/** Writes `text` to `file` through a temporary file and a rename, so a reader never sees half of it. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await fs.writeFile(tmp, text, { mode: 0o600 });
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.unlink(tmp).catch(() => undefined);
    throw err;
  }
}
