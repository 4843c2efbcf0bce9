/**
 * The sweep of old files of the machine-wide budget (shared-budget.ts). State files are per base
 * URL, so tests against emulators on random ports leave one each: the first limiter of a process
 * on a directory deletes the files there untouched for a day; no token lives that long.
 *
 * Only files this package writes are ever touched: in its own subdirectory (budget-files.ts),
 * named `pda-budget-<64 hex>.json` and that name's lock, temporary and broken-lock files, each a
 * regular file of this user. Anything else in the directory stays.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { lstatOwnFile } from "./budget-files";
import { withFileLock } from "./budget-lock";
import { BUDGET_FILE_PREFIX } from "./budget-tokens";

/** Files untouched this long are deleted by {@link sweepBudgetDir}: a day, far beyond any token's life. */
export const BUDGET_FILE_MAX_AGE_MS = 24 * 60 * 60 * 1000;

const STATE_FILE = new RegExp(`^${BUDGET_FILE_PREFIX}[0-9a-f]{64}\\.json$`);
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
/** The lock, a temporary file of `writeAtomically` and a lock renamed away by a breaker. */
const LEFTOVER = new RegExp(
  `^${BUDGET_FILE_PREFIX}[0-9a-f]{64}\\.json\\.(?:lock|\\d+\\.${UUID}\\.tmp|lock\\.${UUID}\\.stale)$`,
);

/**
 * Deletes this package's files in `dir` (its own subdirectory) not modified for `maxAgeMs`:
 * state files each under its lock, so a file being rewritten is never lost, and leftovers
 * directly. Best effort: never rejects. Returns how many files it deleted.
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
    const state = STATE_FILE.test(name);
    if (!state && !LEFTOVER.test(name)) continue;
    const file = path.join(dir, name);
    const old = async () => {
      const stat = await lstatOwnFile(file); // throws for anything but a regular file of ours
      return stat !== undefined && nowMs - stat.mtimeMs >= maxAgeMs;
    };
    const unlinkIfOld = async () => {
      if (!(await old())) return;
      await fs.unlink(file);
      deleted++;
    };
    try {
      if (!(await old())) continue;
      if (state) await withFileLock(`${file}.lock`, unlinkIfOld, { waitMs: 1_000 });
      else await unlinkIfOld();
    } catch {
      // gone already, busy, or not ours: next time, or never
    }
  }
  return deleted;
}
