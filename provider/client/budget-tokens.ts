/**
 * PURE: the token arithmetic of the machine-wide budget (shared-budget.ts) and the format of its
 * state file. No file system, no clock, no env: times come in as arguments.
 *
 * Each project and base URL has a small state file, `pda-budget-<sha256(projectId \n baseUrl)>.json`
 * ({@link budgetFileName}) in the package's own subdirectory (budget-files.ts), listing the tokens handed out recently, by any process: when each was
 * handed out and, once its call finished, when. A token counts until `perSeconds` after its call
 * finished, as in the in-process `RateLimiter` (limiter.ts), so no more than the budget can ARRIVE
 * at the service in any window ({@link liveTokens}).
 *
 * To keep the file small whatever the budget, an instance's finished tokens are kept as counts
 * per finish time ({@link mergeFinished}), rounded UP to 1/60 of the window (1 s for a minute,
 * {@link roundUp}): a slot comes back at most that much later than it would in-process, never
 * earlier. The file then holds at most about 61 finished entries per process, plus the calls in
 * flight.
 */
import { createHash } from "node:crypto";
import type { RateLimit } from "./limiter";

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
  /**
   * A token started or finished more than this after `now` is ignored: no process of this
   * package dates one so far ahead (see {@link isAhead}), so it is clock trouble or not ours.
   */
  aheadMs: number;
  /** A token unfinished this long after `startedAt` counts as finished then. */
  maxHoldMs: number;
  /** True when the token's process is known to be gone (its token counts as finished now). */
  isDead(token: SharedToken): boolean;
}

/**
 * PURE: whether `token` is dated more than `aheadMs` after `now` (its start or its finish). Left
 * in, such a token would hold a slot until that date, however far: a year, or past what a timer
 * can wait.
 */
export function isAhead(token: SharedToken, now: number, aheadMs: number): boolean {
  return token.startedAt > now + aheadMs || (token.finishedAt !== undefined && token.finishedAt > now + aheadMs);
}

/**
 * PURE: the tokens that still count at `now`, in order: finished ones within their window,
 * and unfinished ones, except that an unfinished token of a dead process is finished at `now`
 * and one held past `maxHoldMs` is finished at `startedAt + maxHoldMs`. Tokens dated more than
 * `aheadMs` ahead are dropped. Unchanged tokens are returned as the same objects.
 */
export function liveTokens(tokens: readonly SharedToken[], now: number, rules: LiveRules): SharedToken[] {
  const out: SharedToken[] = [];
  for (const t of tokens) {
    if (isAhead(t, now, rules.aheadMs)) continue;
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

/** How the name of every file of the budget starts, so a sweep tells them from anyone else's. */
export const BUDGET_FILE_PREFIX = "pda-budget-";

/** The state file's name for a project and base URL: `pda-budget-<sha256 hex>.json`. */
export function budgetFileName(projectId: string, baseUrl: string): string {
  return `${BUDGET_FILE_PREFIX}${createHash("sha256").update(`${projectId}\n${baseUrl}`).digest("hex")}.json`;
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
      (o.pid as number) > 0 &&
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
