/**
 * Running planned operations for one user: each write addresses the user by one of the user's
 * own login IDs (a login ID names exactly one user), each answer must carry the loaded user's
 * userId, and a tenant membership the run created is removed again when a later step fails.
 */
import type { DescopeClient, DescopeUser } from "./client/client";
import { UserMismatchError } from "./errors";
import { viewScope, type Operation } from "./plan";

/** The user as this process last saw it (before any write of this run to it), or undefined. */
export type SeenBefore = (userId: string) => DescopeUser | undefined;

/** How a write names the user: a login ID of the loaded user, else its user ID. */
export function addressOf(user: DescopeUser): string {
  return user.loginIds[0] ?? user.userId;
}

/**
 * Runs `operations` in order for `user` in the scope `tenantId` (null: project) and returns
 * the user the last call answered. When `undoMembership` is set and a step after `addTenant`
 * fails, the membership is removed again before the error is rethrown, so nothing this step
 * added stays behind.
 */
export async function runOperations(
  api: DescopeClient,
  tenantId: string | null,
  user: DescopeUser,
  operations: readonly Operation[],
  undoMembership: boolean,
  seenBefore: SeenBefore = () => undefined,
): Promise<DescopeUser> {
  let current = user;
  let added = false;
  try {
    for (const step of operations) {
      const answer = await runOperation(api, tenantId, addressOf(user), step);
      if (step.op === "addTenant") added = true;
      if (answer.userId !== user.userId) {
        const err = new UserMismatchError(step.op, user.userId, answer.userId, tenantId);
        await undoOnWrongUser(api, tenantId, answer, seenBefore(answer.userId), err);
        throw err;
      }
      current = answer;
    }
    return current;
  } catch (err) {
    if (added && undoMembership && tenantId !== null) await undoAddedMembership(api, tenantId, user, err as Error);
    throw err;
  }
}

async function undoAddedMembership(api: DescopeClient, tenantId: string, user: DescopeUser, err: Error): Promise<void> {
  try {
    const answer = await api.removeTenant(addressOf(user), tenantId);
    if (answer.userId !== user.userId)
      throw new UserMismatchError("removeTenant", user.userId, answer.userId, tenantId);
    err.message += `; the tenant membership this step added was removed again`;
  } catch (undo) {
    // The removal may have been applied with its answer lost: the user's state decides.
    const now = await api.loadUserById(user.userId).catch(() => undefined);
    const gone = now === null || (now !== undefined && !now.userTenants.some((t) => t.tenantId === tenantId));
    err.message += gone
      ? `; the tenant membership this step added was removed again`
      : `; removing the tenant membership this step added also failed: ${(undo as Error).message}`;
  }
}

/**
 * A write answered with another user (its login ID moved to that user in between): puts that
 * user's scope back as this process last saw it, when the write added to it (a membership or
 * roles) or took from it; says what it did, or why it could not, in `err`'s message.
 */
async function undoOnWrongUser(
  api: DescopeClient,
  tenantId: string | null,
  wrong: DescopeUser,
  before: DescopeUser | undefined,
  err: Error,
): Promise<void> {
  const q = JSON.stringify;
  if (!before) {
    err.message += `; this process had not seen user ${q(wrong.userId)} before, so it cannot tell what the write changed there and undid nothing`;
    return;
  }
  const was = viewScope(before, tenantId);
  const now = viewScope(wrong, tenantId);
  const same = was.member === now.member && was.roles.join("\n") === now.roles.join("\n");
  if (same) return;
  const address = addressOf(wrong);
  try {
    const undo = !was.member
      ? await api.removeTenant(address, tenantId as string)
      : await api.setRoles(address, was.roles, tenantId ?? undefined);
    if (undo.userId !== wrong.userId) throw new Error(`the undo was answered with user ${q(undo.userId)}`);
    const what = was.member ? `its roles back to ${q(was.roles)}` : "it out of the tenant again";
    err.message += `; the change was undone on user ${q(wrong.userId)} (set ${what})`;
  } catch (undo) {
    err.message += `; undoing it on user ${q(wrong.userId)} failed (${(undo as Error).message}): check that user`;
  }
}

function runOperation(
  api: DescopeClient,
  tenantId: string | null,
  address: string,
  step: Operation,
): Promise<DescopeUser> {
  const tenant = tenantId ?? undefined; // the one place project scope becomes the wire's "no tenantId"
  switch (step.op) {
    case "addTenant":
      return api.addTenant(address, tenantId as string);
    case "removeTenant":
      return api.removeTenant(address, tenantId as string);
    case "setRoles":
      return api.setRoles(address, step.roles, tenant);
    case "addRoles":
      return api.addRoles(address, step.roles, tenant);
    case "removeRoles":
      return api.removeRoles(address, step.roles, tenant);
  }
}
