/**
 * The provider's delete: undo a resource's grant, keeping what any other assignment of the
 * stack asserts (this run's declarations and the stack's record), in doubt nothing. Re-exported
 * by lifecycle.ts as `remove`, a name the stored shims' contract fixes.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { DescopeClient } from "./client/client";
import { isDescopeError } from "./errors";
import { keptBy, keptWarning, warn } from "./ownership";
import {
  mayUndoMembership,
  normaliseRoles,
  planDelete,
  viewScope,
  type AssignmentInputs,
  type AssignmentOutputs,
  type DeleteInput,
} from "./plan";
import { runOperations } from "./operation-runner";
import { requireClient, seenBefore, state } from "./provider-state";
import { secretValues, storedInputs, guarded } from "./resource-state";
import type { StackRecord } from "./stack-record";

/**
 * Undoes this resource's grant, keeping whatever another resource asserts: a declaration seen
 * in this run, or what the stack recorded for a resource this run has not seen (a targeted run,
 * `destroy -x`, a protected resource). When that cannot be known, nothing is removed and the
 * run's output says so. Succeeds when the user or the membership is already gone; after any
 * failure, the user's state decides whether the delete happened.
 */
export async function remove(id: string, olds: AssignmentOutputs): Promise<void> {
  const api = requireClient();
  const stored = storedInputs(id, olds);
  const hidden = secretValues(stored, olds.__secretInputs ?? [], olds);
  const urn = olds.__urn;
  if (urn !== undefined) state.declarations.markDeleting(urn);
  await guarded(hidden, () => removeGrant(api, id, stored, olds, urn, hidden)).catch((err: unknown) => {
    // A delete that failed leaves the resource in the stack: its record asserts again.
    if (urn !== undefined) state.declarations.markDeleting(urn, false);
    throw err;
  });
}

/** The delete itself, inside the secret guard: plan against who else asserts, run, and say what was kept. */
async function removeGrant(
  api: DescopeClient,
  id: string,
  stored: AssignmentInputs & { userId: string },
  olds: AssignmentOutputs,
  urn: string | undefined,
  hidden: string[],
): Promise<void> {
  await resolvePending(api, stored.tenantId);
  const record = await state.records.get(urn);
  await state.locks.run(stored.userId, async () => {
    const user = await state.users.current(api, stored.userId);
    if (!user) return;
    const input = await deleteInput(api, stored, olds, urn, record);
    const scope = viewScope(user, stored.tenantId);
    const planned = planDelete(input, scope);
    const kept = keptBy(input, scope, planned);
    // The peers kept for own what was kept: the last of them deleted in this process removes it.
    state.declarations.handOver(input.others.recorded, kept);
    const who = `UserRoleAssignment ${JSON.stringify(urn ?? id)}`;
    const warning = keptWarning(who, kept, input.others, record.readable ? undefined : record.reason, hidden);
    try {
      const after = await runOperations(api, stored.tenantId, user, planned, false, seenBefore);
      state.users.rememberAfter(after);
    } catch (err) {
      if (isDescopeError(err) && err.code === "ERR_DESCOPE_USER_MISMATCH") throw err;
      // A call applied with its answer lost (5xx, reset) or a change racing ours: the user's
      // state decides, not the error (undocumented for a user who already left the tenant).
      const now = await state.users.reload(api, stored.userId).catch(() => undefined);
      if (now === undefined) throw err;
      if (now && planDelete(input, viewScope(now, stored.tenantId)).length > 0) throw err;
    }
    if (warning) warn(warning);
  });
}

/**
 * What delete needs: who else asserts roles in the scope (this run's declarations, the
 * replacement of the same URN included, and the stack's record), and the tenant's defaults
 * when needed. Deletes of one run arrive together: a peer known only from the record that is
 * itself being deleted in this process stops counting, so a short wait lets those arrive.
 */
async function deleteInput(
  api: DescopeClient,
  stored: AssignmentInputs & { userId: string },
  olds: Partial<AssignmentOutputs>,
  urn: string | undefined,
  record: StackRecord,
): Promise<DeleteInput> {
  // Without its own URN a delete cannot tell itself from its peers in the record: in doubt.
  const known: StackRecord = urn === undefined && record.readable ? UNKNOWN_SELF : record;
  const query = { self: urn, replacementCounts: true, record: known };
  let others = state.declarations.others(stored.userId, stored.tenantId, query);
  if (others.recorded.length > 0) {
    await sleep(SETTLE_MS);
    others = state.declarations.others(stored.userId, stored.tenantId, query);
  }
  // What deletes of this process kept for this resource is now its own to remove.
  const handed = urn === undefined ? { roles: [], membership: false } : state.declarations.handedTo(urn);
  const base = {
    mode: stored.mode,
    tenantId: stored.tenantId,
    roleNames: normaliseRoles([...stored.roleNames, ...(stored.mode === "set" ? handed.roles : [])]),
    grantedRoleNames: normaliseRoles([...(olds.grantedRoleNames ?? []), ...handed.roles]),
    createdMembership: olds.createdMembership === true || handed.membership,
    others,
  };
  // The tenants (with their default roles) load once per process, not once per delete.
  const tenant = mayUndoMembership(base)
    ? (await state.catalog.tenants(api)).find((t) => t.id === stored.tenantId)
    : undefined;
  const defaults = tenant?.defaultRoles ?? null;
  return { ...base, tenantDefaultRoles: defaults };
}

/** How long a delete that depends on the record waits for the other deletes of the run to arrive, in ms. */
const SETTLE_MS = 50;

const UNKNOWN_SELF: StackRecord = {
  readable: false,
  reason: "this resource was last deployed by pulumi-descope-access 0.2 or older, whose state does not name it",
};

/** Resolves the users of declarations in the scope that nothing resolved yet (rare: one load each, cached). */
async function resolvePending(api: DescopeClient, tenantId: string | null): Promise<void> {
  for (const d of state.declarations.unresolved(tenantId)) {
    const user = await state.users.resolve(api, d.loginId);
    if (user) state.declarations.resolve(d.urn, user.userId);
  }
}
