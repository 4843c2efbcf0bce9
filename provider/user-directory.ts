/**
 * Who a login ID names, and the user as last seen, per provider process. A user loaded (or
 * returned by a write) is reused for the next operation on that user while no other locked
 * operation on that user has ended since: operations on one user are serialized, so the last
 * answer is the current state as far as this process knows.
 */
import type { DescopeClient, DescopeUser } from "./client/client";
import type { UserLocks } from "./user-locks";

interface Seen {
  user: DescopeUser;
  generation: number;
}

/** Login ID (or user ID) → userId, and userId → the user as last seen. */
export class UserDirectory {
  private readonly ids = new Map<string, string>();
  private readonly seen = new Map<string, Seen>();

  constructor(private readonly locks: UserLocks) {}

  /** The userId `loginId` names, loading it once per process; null when there is no such user. */
  async resolve(api: DescopeClient, loginId: string): Promise<DescopeUser | null> {
    const known = this.ids.get(loginId);
    if (known !== undefined) {
      const last = this.seen.get(known);
      if (last) return last.user;
    }
    const user = await api.loadUser(loginId);
    if (user) this.remember(user, loginId);
    return user;
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

  /** Loads the user by userId, bypassing what was seen (after a failure, the state decides). */
  async reload(api: DescopeClient, userId: string): Promise<DescopeUser | null> {
    const user = await api.loadUserById(userId);
    if (user) this.remember(user);
    else this.seen.delete(userId);
    return user;
  }

  /**
   * Records the user an answer carried (inside the lock: it is the state after this
   * operation, so the generation counts the operation as ended).
   */
  remember(user: DescopeUser, alias?: string): void {
    const ending = this.locks.generation(user.userId);
    this.seen.set(user.userId, { user, generation: ending });
    this.ids.set(user.userId, user.userId);
    for (const loginId of user.loginIds) this.ids.set(loginId, user.userId);
    if (alias !== undefined) this.ids.set(alias, user.userId);
  }

  /** Records a user seen by the operation now ending: valid for the next operation. */
  rememberAfter(user: DescopeUser): void {
    this.remember(user);
    const entry = this.seen.get(user.userId);
    if (entry) entry.generation += 1;
  }
}
