/**
 * The emulator's state and the only way to change it. Every change runs on a deep copy that
 * replaces the state only if the change finished without throwing, so a request that fails
 * changes nothing. Every read hands out fresh objects, so callers cannot mutate the state.
 */
import { applySeed } from "./seed";
import { emptyState, findUser, renderRole, renderTenant, renderUser, type StateData } from "./model";
import type { EmulatorSeed, EmulatorState, Tenant, User } from "./types";

/** What tests (and the `state` of the emulator handle) can do with the state directly. */
export interface StateAccess {
  /** A deep copy of everything, in the API's shapes; `snapshot()` can be fed back to `seed()`. */
  snapshot(): EmulatorState;
  /** The user with this login ID or user ID, as the API would answer it. */
  user(loginIdOrUserId: string): User | undefined;
  /** The tenant with this id. */
  tenant(id: string): Tenant | undefined;
  /** Adds (or replaces) roles, tenants and users. Throws on a malformed seed and then changes nothing. */
  seed(seed: EmulatorSeed): void;
}

/** Holds the state; see the file comment for its two promises. */
export class Store implements StateAccess {
  private data: StateData = emptyState();

  /** @param clock milliseconds since the epoch, used for `createdTime`. */
  constructor(private readonly clock: () => number = Date.now) {}

  /** Now, in the seconds the API uses for `createdTime`. */
  nowSeconds(): number {
    return Math.floor(this.clock() / 1000);
  }

  /**
   * Runs `change` on a copy of the state and keeps the copy only if `change` returns. A throw
   * (an ApiError or a bug) leaves the state exactly as it was.
   */
  transact<T>(change: (draft: StateData) => T): T {
    const draft = structuredClone(this.data);
    const result = change(draft);
    this.data = draft;
    return result;
  }

  /** Runs `query` on the live state; `query` must not modify it (render functions copy). */
  read<T>(query: (state: StateData) => T): T {
    return query(this.data);
  }

  /** Empties the state, then applies `seed` if given. Atomic like `transact`. */
  reset(seed?: EmulatorSeed): void {
    const fresh = emptyState();
    if (seed) applySeed(fresh, seed, this.nowSeconds());
    this.data = fresh;
  }

  snapshot(): EmulatorState {
    const state = this.data;
    return {
      users: [...state.users.values()].map((u) => renderUser(state, u)),
      tenants: [...state.tenants.values()].map(renderTenant),
      roles: [...state.roles.values()].map(renderRole),
    };
  }

  user(loginIdOrUserId: string): User | undefined {
    const record = findUser(this.data, loginIdOrUserId);
    return record ? renderUser(this.data, record) : undefined;
  }

  tenant(id: string): Tenant | undefined {
    const record = this.data.tenants.get(id);
    return record ? renderTenant(record) : undefined;
  }

  seed(seed: EmulatorSeed): void {
    this.transact((draft) => applySeed(draft, seed, this.nowSeconds()));
  }
}
