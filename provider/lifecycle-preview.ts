/**
 * The provider's preview side: `check` (inputs, the live project, a user's name, contradictions
 * with this run's declarations and the stack's record) and `diff`. Re-exported by lifecycle.ts,
 * whose export names are the stored shims' contract.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { DescopeClient } from "./client/client";
import {
  PLANNED_KEY,
  checkInputs,
  hasUnknowns,
  isUnknown,
  secretInputsOf,
  toAssignmentInputs,
  type CheckFailure,
} from "./inputs";
import { planDiff, viewScope, without, type AssignmentInputs, type AssignmentOutputs, type SecretInput } from "./plan";
import { changedParts, checkAgainstProject, type ChangedParts } from "./project-checks";
import { requireClient, state } from "./provider-state";
import { declarationKey, guarded, secretValues } from "./resource-state";
import { hideSecretValues } from "./secret-text";

/**
 * Validates inputs and records the declaration; failures name the property. Unknown preview
 * values pass. What is new or changed since the last deployment is checked against the live
 * project (the user exists, the tenant exists, each role exists in the scope) in a few batched
 * calls, and a new declaration's user is resolved so that contradictions fail the preview; an
 * unchanged declaration makes no call (diff resolves it from the stored state).
 */
export async function check(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.CheckResult> {
  const api = requireClient(); // a missing setting fails the preview here, before anything else
  const outcome = checkInputs(news);
  if (outcome.failures.length > 0 || hasUnknowns(outcome.inputs)) return outcome;
  const inputs = toAssignmentInputs(outcome.inputs);
  const { urn, name } = declarationKey(outcome.inputs, inputs);
  const secrets = secretInputsOf(news);
  const hidden = secretValues(inputs, secrets);
  state.records.know(urn);
  state.declarations.declare({ urn, name, ...inputs, hidden });
  const changed = changedParts(olds ?? {}, inputs);
  if (!changed.loginId && !changed.tenantId && changed.roleNames.length === 0) return outcome;
  const checked = await guarded(hidden, () => checkProject(api, urn, inputs, changed, secrets));
  const reasons = checked.failures.map((f) => ({ property: f.property, reason: hideSecretValues(f.reason, hidden) }));
  if (reasons.length > 0) return { inputs: news, failures: reasons };
  // What a create is about to grant goes into the inputs the engine records with the create, so
  // a create interrupted after its write is known to the next run (never for secret inputs).
  if (checked.planned && secrets.length === 0) outcome.inputs[PLANNED_KEY] = checked.planned;
  return outcome;
}

/** What a new declaration's create would grant: roles not held, and whether it joins the tenant. */
interface PlannedGrant {
  userId: string;
  tenantId: string | null;
  plannedGrants: string[];
  plannedMembership: boolean;
}

/** The changed parts of a declaration against the live project, its user's name, and its contradictions. */
async function checkProject(
  api: DescopeClient,
  urn: string,
  inputs: AssignmentInputs,
  changed: ChangedParts,
  secret: readonly SecretInput[],
): Promise<{ failures: CheckFailure[]; planned?: PlannedGrant }> {
  const [user, roles, tenants] = await Promise.all([
    changed.loginId ? state.users.resolve(api, inputs.loginId) : undefined,
    changed.roleNames.length > 0 ? state.catalog.roles(api) : undefined,
    inputs.tenantId !== null && changed.tenantId ? state.catalog.tenants(api) : undefined,
  ]);
  const facts = {
    roles,
    tenantIds: tenants?.map((t) => t.id),
    userFound: user === undefined ? undefined : user !== null,
  };
  const failures = checkAgainstProject(inputs, changed, facts, secret); // no suggestion next to a secret
  if (!user) return { failures };
  const other = await state.users.otherNamedBy(api, inputs.loginId, user);
  if (other) failures.push({ property: "loginId", reason: ambiguousName(inputs.loginId, user, other) });
  state.declarations.resolve(urn, user.userId);
  const reason = state.declarations.contradiction(urn, await state.records.get());
  if (reason) failures.push({ property: "roleNames", reason });
  const scope = viewScope(user, inputs.tenantId);
  const planned =
    inputs.mode === "add" && (changed.loginId || changed.tenantId)
      ? {
          userId: user.userId,
          tenantId: inputs.tenantId,
          plannedGrants: without(inputs.roleNames, scope.roles),
          plannedMembership: !scope.member,
        }
      : undefined;
  return { failures, planned };
}

/** The failure for a name that is one user's login ID and another user's user ID. */
function ambiguousName(
  name: string,
  user: { userId: string; loginIds: string[] },
  other: { userId: string; loginIds: string[] },
): string {
  const q = JSON.stringify;
  const [byLogin, byId] = user.loginIds.includes(name) ? [user, other] : [other, user];
  return `loginId ${q(name)} is ambiguous: it is a login ID of user ${q(byLogin.userId)} and the user ID of another user, ${q(byId.userId)} (login IDs ${byId.loginIds.map((l) => q(l)).join(", ") || "none"}); name the user by another of its login IDs, or by its user ID when that is no other user's login ID`;
}

/** Compares declared inputs with the stored outputs (roles as sets; drift in mode set). */
export async function diff(
  _id: string,
  olds: AssignmentOutputs,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.DiffResult> {
  if (hasUnknowns(news)) {
    const replaces = (["tenantId", "loginId"] as const).filter((k) => isUnknown(news[k]));
    return { changes: true, replaces, deleteBeforeReplace: false };
  }
  const inputs = toAssignmentInputs(news);
  const { urn } = declarationKey(news, inputs);
  const hidden = secretValues(inputs, secretInputsOf(news), olds);
  state.records.know(urn);
  // Only the diff of a declaration checked in this run fails: the one a refresh makes of what it read does not.
  if (olds.__loginIdGone && inputs.loginId === olds.loginId && state.declarations.seen(urn))
    throw new Error(hideSecretValues(loginIdGone(urn, olds), hidden));
  let userId: string | undefined = olds.userId;
  if (inputs.loginId !== olds.loginId && inputs.loginId !== olds.userId) {
    userId = (await guarded(hidden, () => state.users.resolve(requireClient(), inputs.loginId)))?.userId;
  }
  const sameUser = userId === olds.userId;
  if (userId !== undefined) {
    const sameScope = (olds.tenantId ?? null) === inputs.tenantId;
    const owns = sameUser && sameScope && olds.mode === "add";
    state.declarations.resolve(urn, userId, {
      grantedRoleNames: owns ? (olds.grantedRoleNames ?? []) : [],
      membership: owns && olds.createdMembership === true,
    });
    // An unchanged program reads no record (no call); one already read counts.
    const reason = state.declarations.contradiction(urn, await state.records.peek());
    if (reason) throw new Error(reason);
  }
  const plan = planDiff(olds, inputs, sameUser);
  // A state written before 0.3 does not name its stack: one update (no API write) records it.
  const changes = plan.changes || (olds.__urn === undefined && !urn.startsWith("name:"));
  return { changes, replaces: plan.replaces, deleteBeforeReplace: false };
}

/** The message for a stored user whose login ID now names someone else (found by refresh). */
export function loginIdGone(urn: string, olds: AssignmentOutputs): string {
  const q = JSON.stringify;
  return `UserRoleAssignment ${q(urn)}: loginId ${q(olds.loginId)} no longer names the user this resource manages (${q(olds.userId)}); it was removed from that user or moved to someone else. To keep managing ${q(olds.userId)}, declare one of its current login IDs or its user ID; to grant the roles to whoever holds ${q(olds.loginId)} now, give the resource a new name (the new resource names the new holder, and the old one's delete takes the grant from ${q(olds.userId)})`;
}
