/**
 * Everything one provider process remembers (the engine starts one per deployment): the
 * configured client, the per-user locks, who each login ID names, and the declarations the
 * program registered, and the stack's record. One holder, one reset for tests.
 */
import { resetClientState, type DescopeClient, type DescopeUser } from "./client/client";
import { DeclarationRegistry } from "./declarations";
import { ProjectCatalog } from "./project-catalog";
import { StackRecords } from "./stack-record";
import { UserDirectory } from "./user-directory";
import { UserLocks } from "./user-locks";

/** The per-process state of the provider. */
export interface ProviderState {
  client?: DescopeClient;
  configError?: Error;
  locks: UserLocks;
  users: UserDirectory;
  declarations: DeclarationRegistry;
  /** The project's roles and tenants, loaded when a check first needs them. */
  catalog: ProjectCatalog;
  /** The stack's recorded state (read once, when a decision first needs it). */
  records: StackRecords;
}

function freshState(): ProviderState {
  const locks = new UserLocks();
  return {
    locks,
    users: new UserDirectory(locks),
    declarations: new DeclarationRegistry(),
    catalog: new ProjectCatalog(),
    records: new StackRecords(),
  };
}

/** The state of this process. */
export let state: ProviderState = freshState();

/** Forgets everything, the client's process-wide budgets and license tiers too (tests). */
export function resetProviderState(): void {
  state = freshState();
  resetClientState();
}

/** The configured client; throws the configuration's error (or says it was never configured). */
export function requireClient(): DescopeClient {
  if (state.client) return state.client;
  throw state.configError ?? new Error("the Descope provider was not configured");
}

/** A user as this process last saw it: what a write answered for the wrong user is put back to. */
export function seenBefore(userId: string): DescopeUser | undefined {
  return state.users.lastKnown(userId);
}
