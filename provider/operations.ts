/**
 * What lifecycle.ts needs around the client: per-user serialization, the record of what this
 * deployment asserted, and running planned operations with rollback of a created membership.
 */
import type { DescopeClient } from "./client/client";
import type { DescopeUser } from "./client/responses";
import { UserNotFoundError } from "./errors";
import type { AssignmentInputs, Operation } from "./plan";

const chains = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` after every earlier call for the same user in this process has settled, so two
 * resources of one user never interleave their read-modify-write.
 */
export async function withUserLock<T>(user: string, fn: () => Promise<T>): Promise<T> {
  const before = chains.get(user) ?? Promise.resolve();
  const mine = before.then(fn, fn);
  const settled = mine.then(() => undefined, () => undefined);
  chains.set(user, settled);
  try {
    return await mine;
  } finally {
    if (chains.get(user) === settled) chains.delete(user);
  }
}

/** The roles create and update asserted per user and scope during this deployment. */
export class AssertionRegistry {
  private readonly byKey = new Map<string, Set<string>>();

  /** Adds roles asserted for `key` (see {@link assertionKey}). */
  record(key: string, roles: readonly string[]): void {
    const set = this.byKey.get(key) ?? new Set<string>();
    for (const r of roles) set.add(r);
    this.byKey.set(key, set);
  }

  /** The roles asserted for `key`, or undefined when nothing was. */
  get(key: string): ReadonlySet<string> | undefined {
    return this.byKey.get(key);
  }
}

/** One registry per provider process, i.e. per deployment. */
export const assertions = new AssertionRegistry();

/** The registry key of a user in a scope of the project `api` talks to. */
export function assertionKey(api: Pick<DescopeClient, "baseUrl" | "projectId">, tenantId: string | null, userId: string): string {
  return [api.baseUrl, api.projectId, tenantId ?? "", userId].join("\u0000");
}

/** Builds the error for a missing user. */
export function userNotFound(step: string, inputs: AssignmentInputs): UserNotFoundError {
  return new UserNotFoundError(step, inputs.loginId, inputs.tenantId);
}

/**
 * Runs `operations` in order for `user` and returns the user the last call answered. When
 * `undoMembership` is set and a call after `addTenant` fails, the membership is removed
 * again before the error is rethrown, so nothing this step added stays behind.
 */
export async function runOperations(
  api: DescopeClient,
  tenantId: string | null,
  user: DescopeUser,
  operations: readonly Operation[],
  undoMembership: boolean,
): Promise<DescopeUser> {
  let current = user;
  let added = false;
  try {
    for (const step of operations) {
      current = await runOperation(api, tenantId, user.userId, step);
      if (step.op === "addTenant") added = true;
    }
    return current;
  } catch (err) {
    if (added && undoMembership && tenantId !== null) {
      const e = err as Error;
      try {
        await api.removeTenant(user.userId, tenantId);
        e.message += `; the tenant membership this step added was removed again`;
      } catch (undo) {
        // The removal may have been applied with its answer lost: the user's state decides.
        const now = await api.loadUser(user.userId).catch(() => undefined);
        const gone = now === null || (now !== undefined && !now.userTenants.some((t) => t.tenantId === tenantId));
        e.message += gone
          ? `; the tenant membership this step added was removed again`
          : `; removing the tenant membership this step added also failed: ${(undo as Error).message}`;
      }
    }
    throw err;
  }
}

function runOperation(api: DescopeClient, tenantId: string | null, userId: string, step: Operation): Promise<DescopeUser> {
  const tenant = tenantId ?? undefined;
  switch (step.op) {
    case "addTenant":
      return api.addTenant(userId, tenantId as string);
    case "removeTenant":
      return api.removeTenant(userId, tenantId as string);
    case "setRoles":
      return api.setRoles(userId, step.roles, tenant);
    case "addRoles":
      return api.addRoles(userId, step.roles, tenant);
    case "removeRoles":
      return api.removeRoles(userId, step.roles, tenant);
  }
}
