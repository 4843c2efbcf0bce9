/**
 * The project's users in one sweep: a few pages of user search taken once per provider process,
 * so that a refresh, a destroy or the checks of a new program need about one call instead of a
 * load per user.
 *
 * The engine runs at most `--parallel` operations at a time (8 on a 2-core machine), so loads
 * that coalesce by arrival can never carry more than a handful of users; only a sweep knows
 * the whole stack's users up front. It is taken when the project is small enough: the first
 * page says how many users there are, and the rest is fetched only when they fit in
 * {@link ROSTER_MAX_USERS}. Otherwise the first page's users are still used, and the others
 * are loaded in batches as before.
 *
 * Search may lag behind writes (Descope documents up to 100 ms), so a user the sweep lacks is
 * always confirmed by a load, and a user this process has written is never taken from it.
 */
import type { DescopeClient, DescopeUser } from "./client/client";

/** Users per search page (the API's maximum). */
export const ROSTER_PAGE_SIZE = 100;
/** The largest project swept whole: at most this many users, in 5 pages. */
export const ROSTER_MAX_USERS = 500;

/** What one sweep found, indexed by login ID and by user ID. */
export interface Roster {
  /** Every user of the project was seen (so a name it lacks names no user, bar search lag). */
  complete: boolean;
  /** The users found. */
  users: DescopeUser[];
  byLoginId: Map<string, DescopeUser>;
  byUserId: Map<string, DescopeUser>;
}

/** Takes the sweep: page 0, then the remaining pages at once when the project is small. */
export async function sweepUsers(api: DescopeClient): Promise<Roster> {
  const page = (n: number) => api.searchUsers({ withTestUser: true, limit: ROSTER_PAGE_SIZE, page: n });
  const first = await page(0);
  const pages = Math.ceil(first.total / ROSTER_PAGE_SIZE);
  if (first.total > ROSTER_MAX_USERS || pages <= 1) return toRoster(first.users, first.total);
  const rest = await Promise.all(Array.from({ length: pages - 1 }, (_, i) => page(i + 1)));
  return toRoster(
    [first, ...rest].flatMap((p) => p.users),
    first.total,
  );
}

function toRoster(users: DescopeUser[], total: number): Roster {
  const byLoginId = new Map<string, DescopeUser>();
  const byUserId = new Map<string, DescopeUser>();
  for (const user of users) {
    byUserId.set(user.userId, user);
    for (const loginId of user.loginIds) byLoginId.set(loginId, user);
  }
  // Users added or removed between pages can shift others across them: count what came back.
  return { complete: byUserId.size >= total, users: [...byUserId.values()], byLoginId, byUserId };
}

/**
 * The user `name` (a login ID, else a user ID, as a load by login ID matches) names in the
 * roster: undefined when the roster cannot say (a miss, or a user-ID match in an incomplete
 * roster, where a user outside it could hold `name` as a login ID).
 */
export function findInRoster(roster: Roster, name: string): DescopeUser | undefined {
  return roster.byLoginId.get(name) ?? (roster.complete ? roster.byUserId.get(name) : undefined);
}
