/**
 * Who a login ID names, and the user as last seen, per provider process.
 *
 * Resolving a login ID to a user batches: the login IDs asked for within a few milliseconds
 * (the engine checks a program's resources together) go to one user search (up to 100 per
 * call), and each miss is confirmed with a direct load, because search can lag behind writes
 * and does not match a user ID given as `loginId`. Search results serve identity only; state
 * for planning comes from loads and write answers: a user loaded, or returned by a write, is
 * reused for the next operation on that user while no other locked operation on that user has
 * ended since (operations on one user are serialized, so the last answer is current).
 */
import type { DescopeClient, DescopeUser } from "./client/client";
import type { UserLocks } from "./user-locks";

/**
 * How long resolution waits for more login IDs to batch, in ms. The engine checks one resource
 * at a time, so a check's lookup is alone; concurrent lookups (creates, updates, deletes run in
 * parallel) are batched within the same turn of the event loop.
 */
const BATCH_WINDOW_MS = 0;
/** The most login IDs one search, or user IDs one `users/load`, carries. */
const BATCH_MAX = 100;
/**
 * How long a load by user ID waits for others to coalesce with, in ms: refresh reads and
 * deletes run in parallel, so the loads of a whole stack arrive within a few milliseconds.
 */
const LOAD_WINDOW_MS = 10;

interface Seen {
  user: DescopeUser;
  generation: number;
}

interface Waiter {
  resolve: (user: DescopeUser | null) => void;
  reject: (err: unknown) => void;
}

/** Login ID (or user ID) → user, and userId → the user as last seen. */
export class UserDirectory {
  private readonly ids = new Map<string, DescopeUser>();
  private readonly seen = new Map<string, Seen>();
  private pending = new Map<string, Waiter[]>();
  private timer?: NodeJS.Timeout;
  private loads = new Map<string, Waiter[]>();
  private loadTimer?: NodeJS.Timeout;

  constructor(private readonly locks: UserLocks) {}

  /**
   * The user `loginId` names (login ID or user ID), for its identity (`userId`, `loginIds`);
   * null when there is no such user. Resolved once per process, in batches.
   */
  resolve(api: DescopeClient, loginId: string): Promise<DescopeUser | null> {
    const known = this.ids.get(loginId);
    if (known) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const waiters = this.pending.get(loginId) ?? [];
      waiters.push({ resolve, reject });
      this.pending.set(loginId, waiters);
      if (this.pending.size >= BATCH_MAX) void this.flush(api);
      else this.timer ??= setTimeout(() => void this.flush(api), BATCH_WINDOW_MS);
    });
  }

  /**
   * The user as it is now, by userId (never by a spelling another user could own): the last
   * answer when nothing changed it since, else a load. Call inside the user's lock.
   */
  async current(api: DescopeClient, userId: string): Promise<DescopeUser | null> {
    const last = this.seen.get(userId);
    if (last && last.generation === this.locks.generation(userId)) return last.user;
    return this.reload(api, userId);
  }

  /**
   * Loads the user by userId, bypassing what was seen (after a failure, the state decides).
   * Loads that run together coalesce into one `POST /v1/mgmt/users/load` (up to 100 ids).
   */
  reload(api: DescopeClient, userId: string): Promise<DescopeUser | null> {
    return new Promise((resolve, reject) => {
      const waiters = this.loads.get(userId) ?? [];
      waiters.push({ resolve, reject });
      this.loads.set(userId, waiters);
      if (this.loads.size >= BATCH_MAX) void this.flushLoads(api);
      else this.loadTimer ??= setTimeout(() => void this.flushLoads(api), LOAD_WINDOW_MS);
    });
  }

  /** Records a loaded user: its identity, and its state as of now. */
  remember(user: DescopeUser, alias?: string): void {
    this.seen.set(user.userId, { user, generation: this.locks.generation(user.userId) });
    this.learn(user, alias);
  }

  /** Records the user an operation's last answer carried: valid for the next operation on it. */
  rememberAfter(user: DescopeUser): void {
    this.seen.set(user.userId, { user, generation: this.locks.generation(user.userId) + 1 });
    this.learn(user);
  }

  private learn(user: DescopeUser, alias?: string): void {
    this.ids.set(user.userId, user);
    for (const loginId of user.loginIds) this.ids.set(loginId, user);
    if (alias !== undefined) this.ids.set(alias, user);
  }

  private async flush(api: DescopeClient): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = new Map();
    const found = batch.size > 1 ? await this.search(api, [...batch.keys()]) : new Map<string, DescopeUser>();
    await Promise.all(
      [...batch].map(async ([loginId, waiters]) => {
        try {
          let user = found.get(loginId) ?? null;
          if (user) this.learn(user, loginId);
          else {
            user = await api.loadUser(loginId); // confirm a miss: search lags, and misses user IDs
            if (user) this.remember(user, loginId);
          }
          for (const w of waiters) w.resolve(user);
        } catch (err) {
          for (const w of waiters) w.reject(err);
        }
      }),
    );
  }

  private async flushLoads(api: DescopeClient): Promise<void> {
    clearTimeout(this.loadTimer);
    this.loadTimer = undefined;
    const batch = this.loads;
    this.loads = new Map();
    const ids = [...batch.keys()];
    try {
      const users = ids.length === 1 ? [await api.loadUserById(ids[0])] : await api.loadUsers(ids);
      const byId = new Map(users.filter((u): u is DescopeUser => u !== null).map((u) => [u.userId, u]));
      for (const [userId, waiters] of batch) {
        const user = byId.get(userId) ?? null;
        if (user) this.remember(user);
        else this.seen.delete(userId);
        for (const w of waiters) w.resolve(user);
      }
    } catch (err) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
    }
  }

  /** One search for `loginIds`; an empty map when search fails (the loads then decide). */
  private async search(api: DescopeClient, loginIds: string[]): Promise<Map<string, DescopeUser>> {
    const found = new Map<string, DescopeUser>();
    try {
      const page = await api.searchUsers({ loginIds, withTestUser: true, limit: BATCH_MAX });
      for (const user of page.users) for (const l of user.loginIds) if (loginIds.includes(l)) found.set(l, user);
    } catch {
      // Search is an optimisation: every login ID not found is loaded directly.
    }
    return found;
  }
}
