/**
 * The file primitives of the machine-wide budget (shared-budget.ts): the directory it may use,
 * a bounded read of a file it wrote, and an atomic write. The lock is budget-lock.ts, the sweep
 * of old files budget-sweep.ts.
 *
 * Nothing read from the directory is trusted: the state files live in a subdirectory of the
 * package's own ({@link BUDGET_SUBDIR}) that must be a real directory owned by this user and
 * writable by nobody else, and a file is read only when it is a regular file of this user below
 * a size cap, opened without following a symbolic link or waiting on a FIFO. Anything else is an
 * {@link UnusableBudgetError}: the limiter then keeps to the budget on its own.
 */
import { randomUUID } from "node:crypto";
import { constants, promises as fs, type Stats } from "node:fs";
import * as path from "node:path";

/** The package's own subdirectory of the configured budget directory; only files in it are ever touched. */
export const BUDGET_SUBDIR = "pulumi-descope-access-budget";

/** A budget file or directory that must not be used (not one this package wrote, or not usable at all). */
export class UnusableBudgetError extends Error {
  /** Stable code to match on. */
  readonly code = "ERR_DESCOPE_BUDGET_UNUSABLE";

  /** `reason` completes "`where`: …", e.g. "is a symbolic link". */
  constructor(
    readonly where: string,
    readonly reason: string,
  ) {
    super(`${where}: ${reason}`);
    this.name = "UnusableBudgetError";
  }
}

/** True when `err` is an {@link UnusableBudgetError} (matched by its code). */
export function isUnusableBudgetError(err: unknown): err is UnusableBudgetError {
  return (err as { code?: unknown } | null)?.code === "ERR_DESCOPE_BUDGET_UNUSABLE";
}

/** This process's user id, or undefined where the platform has none (Windows: no ownership checks). */
function ownUid(): number | undefined {
  return process.getuid?.();
}

/** Why `stat` (of `where`) is not a file or directory this user may trust, or undefined when it is. */
function distrust(stat: Stats, directory: boolean, allowRootOwner: boolean): string | undefined {
  if (stat.isSymbolicLink()) return "is a symbolic link";
  if (directory ? !stat.isDirectory() : !stat.isFile())
    return directory ? "is not a directory" : "is not a regular file";
  const uid = ownUid();
  if (uid !== undefined && stat.uid !== uid && !(allowRootOwner && stat.uid === 0)) {
    return `is owned by uid ${stat.uid}, not this user (${uid})`;
  }
  return undefined;
}

/**
 * Makes sure `<dir>/{@link BUDGET_SUBDIR}` exists (created mode 0700) and may be trusted, and
 * returns its path. `dir` itself (created when missing; a symbolic link is followed, it is
 * configured) must be owned by this user or root and, when world-writable, sticky; the
 * subdirectory must be a real directory of this user that neither its group nor others can write.
 *
 * @throws UnusableBudgetError naming the directory and the reason.
 */
export async function prepareBudgetDir(dir: string): Promise<string> {
  const sub = path.join(dir, BUDGET_SUBDIR);
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const parent = await fs.stat(dir);
    const parentProblem = distrust(parent, true, true);
    if (parentProblem) throw new UnusableBudgetError(dir, parentProblem);
    // Anyone could swap the subdirectory of a world-writable directory, unless the sticky bit stops them.
    if ((parent.mode & 0o1002) === 0o002)
      throw new UnusableBudgetError(dir, "is world-writable without the sticky bit");
    await fs.mkdir(sub, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "EEXIST") throw err;
    });
    const own = await fs.lstat(sub);
    const subProblem = distrust(own, true, false) ?? ((own.mode & 0o022) !== 0 ? "is writable by others" : undefined);
    if (subProblem) throw new UnusableBudgetError(sub, subProblem);
  } catch (err) {
    if (isUnusableBudgetError(err)) throw err;
    throw new UnusableBudgetError(sub, `cannot be created (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  return sub;
}

/**
 * Checks that `file`'s lstat is a regular file of this user; returns the stat, or undefined
 * when there is no such file.
 *
 * @throws UnusableBudgetError when something else is there.
 */
export async function lstatOwnFile(file: string): Promise<Stats | undefined> {
  let stat: Stats;
  try {
    stat = await fs.lstat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const problem = distrust(stat, false, false);
  if (problem) throw new UnusableBudgetError(file, problem);
  return stat;
}

/** Flags that never follow a symbolic link nor wait for a FIFO's writer. */
const SAFE_READ = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * The text of `file`, a regular file of this user of at most `maxBytes`, or undefined when it
 * does not exist. Opened with `O_NOFOLLOW | O_NONBLOCK` and judged by `fstat` on the open file,
 * so a symbolic link, a FIFO or a device is refused without blocking, and a huge file unread.
 *
 * @throws UnusableBudgetError naming the file and the reason.
 */
export async function readOwnFile(file: string, maxBytes: number): Promise<string | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, SAFE_READ);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "ELOOP") throw new UnusableBudgetError(file, "is a symbolic link");
    throw err;
  }
  try {
    const stat = await handle.stat();
    const problem = distrust(stat, false, false);
    if (problem) throw new UnusableBudgetError(file, problem);
    if (stat.size > maxBytes) {
      throw new UnusableBudgetError(file, `is ${stat.size} bytes, more than the ${maxBytes} this package writes`);
    }
    // One byte more than the size, to notice a file growing while read (never under the lock).
    const buffer = Buffer.alloc(stat.size + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > stat.size) throw new Error(`${file} grew while it was read`);
    return buffer.toString("utf8", 0, length);
  } finally {
    await handle.close();
  }
}

/** Writes `text` to `file` through a new temporary file and a rename, so a reader never sees half of it. */
export async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await fs.writeFile(tmp, text, { mode: 0o600, flag: "wx" });
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.unlink(tmp).catch(() => undefined);
    throw err;
  }
}
