/**
 * Writing a command's output file without surprises: an existing file is refused unless the
 * caller forces it, and a symbolic link at the path is refused always, so `--out` can neither
 * clobber a file by mistake nor be redirected to write somewhere else.
 */
import {
  closeSync,
  constants,
  fchmodSync,
  lstatSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
  type Stats,
} from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { quote } from "./display-text";
import { CliError } from "./project";

/** Options of {@link writeOutputFile}. */
export interface WriteOptions {
  /** Replace an existing regular file. @default false */
  force?: boolean;
  /** The flag naming the file, for messages. @default "--out" */
  flag?: string;
}

/**
 * Writes `text` to `file`. A new file is created exclusively (`O_CREAT | O_EXCL`, which never
 * follows a link). With `force`, an existing regular file is replaced by writing a temporary
 * file in the same directory and renaming it over the path (a rename replaces the path itself,
 * never what a link there points to); the file's permission bits are kept.
 *
 * @throws CliError naming the file when it exists (without `force`), is a symbolic link or not
 *   a regular file, or cannot be written; nothing at the path has changed then.
 */
export function writeOutputFile(file: string, text: string, options: WriteOptions = {}): void {
  const flag = options.flag ?? "--out";
  const existing = checkOutputFile(file, options);
  if (!existing) return writeExclusive(file, text, undefined, flag);
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  writeExclusive(temp, text, existing.mode & 0o7777, flag, file);
  try {
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw new CliError(`cannot write ${quote(file)}: ${(err as Error).message}`);
  }
}

/**
 * Refuses `file` as {@link writeOutputFile} would, before any work is done; returns what is
 * there now (`undefined` when nothing is).
 *
 * @throws CliError when `file` is a symbolic link, not a regular file, or exists without `force`.
 */
export function checkOutputFile(file: string, options: WriteOptions = {}): Stats | undefined {
  const flag = options.flag ?? "--out";
  const existing = lstatOrUndefined(file);
  if (existing?.isSymbolicLink()) {
    throw new CliError(
      `${flag} ${quote(file)} is a symbolic link: refusing to write through it (remove it or choose another path)`,
    );
  }
  if (existing && !existing.isFile()) throw new CliError(`${flag} ${quote(file)} exists and is not a regular file`);
  if (existing && !options.force)
    throw new CliError(`${flag} ${quote(file)} already exists: pass --force to replace it`);
  return existing;
}

/** Creates `path` exclusively and writes `text`; removes it again when the write fails. */
function writeExclusive(path: string, text: string, mode: number | undefined, flag: string, shown = path): void {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o666);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "EEXIST") throw new CliError(`${flag} ${quote(shown)} already exists: pass --force to replace it`);
    throw new CliError(`cannot write ${quote(shown)}: ${e.message}`);
  }
  try {
    if (mode !== undefined) fchmodSync(fd, mode);
    const data = Buffer.from(text, "utf8");
    for (let at = 0; at < data.length;) at += writeSync(fd, data, at);
  } catch (err) {
    closeSync(fd);
    rmSync(path, { force: true });
    throw new CliError(`cannot write ${quote(shown)}: ${(err as Error).message}`);
  }
  closeSync(fd);
}

function lstatOrUndefined(file: string): Stats | undefined {
  try {
    return lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new CliError(`cannot write ${quote(file)}: ${(err as Error).message}`);
  }
}
