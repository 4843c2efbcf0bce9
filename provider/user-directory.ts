/**
 * Who a login ID names, and the user as last seen, per provider process.
 *
 * The first lookup in a process sweeps the project's users (see user-roster.ts): in a project
 * of up to 500 users, a few search pages answer every later lookup. A name the sweep cannot
 * answer is resolved in batches: the login IDs asked for together go to one user search (up to
 * 100 per call), and each miss is confirmed with a direct load, because search can lag behind
 * writes and does not match a user ID given as `loginId`. A user swept, loaded, or returned by
 * a write is reused for the next operation on that user while no locked operation on that user
 * has ended since (operations on one user are serialized, so the last answer is current).
 */
import type { DescopeClient, DescopeUser } from "./client/client";
import { KeyedBatch, type BatchAnswer } from "./keyed-batch";
import type { UserLocks } from "./user-locks";
import { findInRoster, sweepUsers, type Roster } from "./user-roster";

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

/** Login ID (or user ID) → user, and userId → the user as last seen. */
export class UserDirectory {
  private readonly ids = new Map<string, DescopeUser>();
  private readonly seen = new Map<string, Seen>();
  private byLoginId?: KeyedBatch<string, DescopeUser | null>;
  private byUserId?: KeyedBatch<string, DescopeUser | null>;
  private roster?: Promise<Roster | undefined>;
  /** The sweep saw every user of the project. */
  private sweptAll = false;

  constructor(private readonly locks: UserLocks) {}

  /**
   * The user `loginId` names (login ID or user ID), for its identity (`userId`, `loginIds`);
   * null when there is no such user. Resolved once per process: from the sweep, else in batches.
   */
  async resolve(api: DescopeClient, loginId: string): Promise<DescopeUser | null> {
    const known = this.ids.get(loginId);
    if (known) return known;
    const roster = await this.sweep(api);
    const swept = roster && findInRoster(roster, loginId);
    if (swept) {
      this.learn(swept, loginId);
      return swept;
    }
    this.byLoginId ??= new KeyedBatch((ids) => this.fetchByLoginId(api, ids), null, BATCH_WINDOW_MS, BATCH_MAX);
    return this.byLoginId.get(loginId);
  }

  /**
   * The other user `name` names when it is one user's login ID and another user's user ID
   * (`named` is the user it resolved to), else undefined. One rule whatever else the program
   * declares: such a name is ambiguous. Answered by a complete sweep, else by one load.
   */
  async otherNamedBy(api: DescopeClient, name: string, named: DescopeUser): Promise<DescopeUser | undefined> {
    if (named.userId === name) {
      // Resolved by user ID: another user may hold it as a login ID (a load by login ID matches those first).
      const roster = await this.sweep(api);
      if (roster?.complete) return differentUser(roster.byLoginId.get(name), named);
      return differentUser(await api.loadUser(name), named);
    }
    const roster = await this.sweep(api);
    if (roster?.complete) return differentUser(roster.byUserId.get(name), named);
    return differentUser(await api.loadUserById(name), named);
  }

  /**
   * The user as it is now, by userId (never by a spelling another user could own): the last
   * answer when nothing changed it since, else a load. Call inside the user's lock.
   */
  async current(api: DescopeClient, userId: string): Promise<DescopeUser | null> {
    const last = this.lastSeen(userId) ?? ((await this.sweep(api)) && this.lastSeen(userId));
    return last ?? this.reload(api, userId);
  }

  /** The user as this process last saw it (swept, loaded or answered), however old; else undefined. */
  lastKnown(userId: string): DescopeUser | undefined {
    return this.seen.get(userId)?.user;
  }

  private lastSeen(userId: string): DescopeUser | undefined {
    const last = this.seen.get(userId);
    return last && last.generation === this.locks.generation(userId) ? last.user : undefined;
  }

  /**
   * The project's users, swept once per process (undefined when the sweep failed: it is an
   * optimisation, loads decide). Swept users count as seen, except those this process has
   * already seen or written: their own answers are newer than a search.
   */
  private sweep(api: DescopeClient): Promise<Roster | undefined> {
    this.roster ??= sweepUsers(api).then(
      (roster) => {
        this.sweptAll = roster.complete;
        for (const user of roster.users) {
          if (this.seen.has(user.userId) || this.locks.generation(user.userId) > 0) continue;
          this.seen.set(user.userId, { user, generation: 0 });
        }
        return roster;
      },
      () => undefined,
    );
    return this.roster;
  }

  /**
   * Loads the user by userId, bypassing what was seen (after a failure, the state decides).
   * Loads that run together coalesce into one `POST /v1/mgmt/users/load` (up to 100 ids).
   */
  reload(api: DescopeClient, userId: string): Promise<DescopeUser | null> {
    this.byUserId ??= new KeyedBatch((ids) => this.fetchByUserId(api, ids), null, LOAD_WINDOW_MS, BATCH_MAX);
    return this.byUserId.get(userId);
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

  /**
   * One search for the batch (when more than one and the sweep did not cover the project), each
   * miss confirmed by a direct load.
   */
  private async fetchByLoginId(
    api: DescopeClient,
    loginIds: string[],
  ): Promise<BatchAnswer<string, DescopeUser | null>> {
    // A complete sweep already searched everyone: its misses only need the load that confirms them.
    const search = loginIds.length > 1 && !this.sweptAll;
    const found = search ? await this.search(api, loginIds) : new Map<string, DescopeUser>();
    const answer: BatchAnswer<string, DescopeUser | null> = new Map();
    await Promise.all(
      loginIds.map(async (loginId) => {
        try {
          let user = found.get(loginId) ?? null;
          if (user) this.learn(user, loginId);
          else {
            user = await api.loadUser(loginId); // confirm a miss: search lags, and misses user IDs
            if (user) this.remember(user, loginId);
          }
          answer.set(loginId, user);
        } catch (err) {
          answer.set(loginId, err instanceof Error ? err : new Error(String(err)));
        }
      }),
    );
    return answer;
  }

  /** One `users/load` for the batch (a single id: one `GET ?userId=`); missing users are null. */
  private async fetchByUserId(api: DescopeClient, ids: string[]): Promise<BatchAnswer<string, DescopeUser | null>> {
    const users = ids.length === 1 ? [await api.loadUserById(ids[0])] : await api.loadUsers(ids);
    const answer: BatchAnswer<string, DescopeUser | null> = new Map();
    for (const user of users) if (user) answer.set(user.userId, user);
    for (const userId of ids) {
      const user = answer.get(userId) as DescopeUser | undefined;
      if (user) this.remember(user);
      else this.seen.delete(userId);
    }
    return answer;
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

function differentUser(user: DescopeUser | null | undefined, named: DescopeUser): DescopeUser | undefined {
  return user && user.userId !== named.userId ? user : undefined;
}
