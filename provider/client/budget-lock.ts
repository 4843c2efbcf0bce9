/**
 * The exclusive lock of the machine-wide budget (shared-budget.ts), across processes: a file
 * `<state file>.lock` created with `O_EXCL`, held for one read and one write of a state file.
 *
 * Hand-written (about 80 lines) rather than `proper-lockfile`, whose last release is from 2021,
 * which brings three dependencies for what `open(…, "wx")` gives, and which would still need
 * the checks below. Every wait is bounded: a lock is broken when its holder is gone, when it is
 * older than `staleMs` or dated in the future; a lock path holding anything but a small regular
 * file of this user, or a stale lock that cannot be removed, is an `UnusableBudgetError` at once;
 * otherwise the caller gives up after `waitMs`, sleeping between tries.
 */
import { randomUUID } from "node:crypto";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { isUnusableBudgetError, lstatOwnFile, readOwnFile, UnusableBudgetError } from "./budget-files";

/** A lock dated further ahead than this (clock trouble, or not ours) is broken at once. */
export const LOCK_SKEW_MS = 2_000;

/** A lock holds one short JSON line; a bigger file is not a lock this package wrote. */
const LOCK_MAX_BYTES = 4096;

/** Errors creating the lock that no wait cures: the directory is not writable. */
const REFUSED = new Set(["EACCES", "EPERM", "EROFS"]);

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
  /** Give up (throw) after waiting this long in all. @default 1000 */
  waitMs?: number;
}

/**
 * Runs `fn` holding the exclusive lock `lockPath` (a file created with `O_EXCL` holding the
 * holder's pid, host and a nonce), across processes. A lock whose process is gone (same host),
 * older than `staleMs` or dated more than {@link LOCK_SKEW_MS} ahead is broken; breaking renames
 * it away first and checks it renamed the lock it judged, so two breakers do not both win.
 *
 * @throws UnusableBudgetError when the lock path holds something else, or the lock cannot be
 *   created or broken; an Error after `waitMs`; the file system's error otherwise.
 */
export async function withFileLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const staleMs = options.staleMs ?? 5_000;
  const waitMs = options.waitMs ?? 1_000;
  const giveUpAt = Date.now() + waitMs;
  const holder = JSON.stringify({ pid: process.pid, host: os.hostname(), nonce: randomUUID() });
  for (let round = 0; !(await tryLock(lockPath, holder)); round++) {
    await breakIfStale(lockPath, staleMs);
    if (Date.now() >= giveUpAt) throw new Error(`could not lock ${lockPath} within ${waitMs} ms`);
    await sleep(Math.min(50, 2 + round) + Math.random() * 5);
  }
  try {
    return await fn();
  } finally {
    await fs.unlink(lockPath).catch(() => undefined);
  }
}

/** Creates the lock holding `holder`; false when it exists already. */
async function tryLock(lockPath: string, holder: string): Promise<boolean> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(lockPath, "wx", 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "";
    if (code === "EEXIST") return false;
    if (REFUSED.has(code)) throw new UnusableBudgetError(lockPath, `cannot be created (${code})`);
    throw err;
  }
  try {
    await handle.writeFile(holder);
  } finally {
    await handle.close();
  }
  return true;
}

/** Breaks `lockPath` when it is stale; returns when it was broken, or is not stale, or is gone. */
async function breakIfStale(lockPath: string, staleMs: number): Promise<void> {
  const judged = await lstatOwnFile(lockPath);
  if (!judged) return;
  let holder: { pid?: unknown; host?: unknown } = {};
  try {
    holder = JSON.parse((await readOwnFile(lockPath, LOCK_MAX_BYTES)) ?? "{}");
  } catch (err) {
    if (isUnusableBudgetError(err)) throw err;
    // being written, or gone: judge by age alone
  }
  const age = Date.now() - judged.mtimeMs;
  const dead = holder.host === os.hostname() && typeof holder.pid === "number" && !isPidAlive(holder.pid);
  if (!dead && age < staleMs && age > -LOCK_SKEW_MS) return;
  const aside = `${lockPath}.${randomUUID()}.stale`;
  try {
    await fs.rename(lockPath, aside);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return; // someone else broke it first
    throw new UnusableBudgetError(lockPath, `is stale but cannot be removed (${code})`);
  }
  const moved = await fs.lstat(aside).catch(() => undefined);
  if (moved && (moved.ino !== judged.ino || moved.mtimeMs !== judged.mtimeMs)) {
    // We moved a fresh lock taken after we judged: put it back unless another was taken since.
    await fs.link(aside, lockPath).catch(() => undefined);
  }
  await fs.unlink(aside).catch(() => undefined);
}
