/**
 * The file primitives of the machine-wide budget (shared-budget.ts): an exclusive lock file
 * across processes, an atomic write, and the sweep of old state files.
 *
 * The lock ({@link withFileLock}) is a file `<file>.lock` created with `O_EXCL`, held for one
 * read and one write of a state file; a lock left by a dead process (or older than `staleMs`)
 * is broken. It is hand-written (about 60 lines) rather than `proper-lockfile`, whose last
 * release is from 2021 and which brings three dependencies for what `open(…, "wx")` gives.
 *
 * State files are per base URL, so tests against emulators on random ports leave one each: the
 * first limiter of a process on a directory deletes the files there untouched for a day
 * ({@link sweepBudgetDir}); no token lives that long.
 */
import { randomUUID } from "node:crypto";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

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

/** Writes `text` to `file` through a temporary file and a rename, so a reader never sees half of it. */
export async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await fs.writeFile(tmp, text, { mode: 0o600 });
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.unlink(tmp).catch(() => undefined);
    throw err;
  }
}
