/**
 * The dynamic provider's methods: configure, check, diff, create, read, update, delete.
 * Loaded by package name at call time from the stored shim, so the code that runs is always
 * the installed version's. The exports `attach`, `configure`, `check`, `diff`, `create`,
 * `read`, `update` and `remove` are called by shims stored in state since 0.1.0: their names
 * and signatures are a frozen contract.
 *
 * State here lives for one provider process, which the engine starts once per deployment.
 */
import type * as pulumi from "@pulumi/pulumi";
import { DescopeClient } from "./client/client";
import { UserNotFoundError, isDescopeError } from "./errors";
import {
  PLANNED_KEY,
  checkInputs,
  hasUnknowns,
  isUnknown,
  secretInputsOf,
  toAssignmentInputs,
  type CheckFailure,
} from "./inputs";
import { inheritedBy, keptBy, keptWarning, warn, withInherited } from "./ownership";
import {
  mayUndoMembership,
  planApply,
  planDelete,
  planDiff,
  toOutputs,
  normaliseRoles,
  viewScope,
  without,
  type AssignmentInputs,
  type AssignmentOutputs,
  type DeleteInput,
  type SecretInput,
} from "./plan";
import { runOperations } from "./operation-runner";
import { changedParts, checkAgainstProject, type ChangedParts } from "./project-checks";
import { state } from "./provider-state";
import { declarationKey, guarded, idFor, refreshedInputs, secretValues, storedInputs } from "./resource-state";
import { hideSecretValues } from "./secret-text";
import { resolveSettings } from "./settings";
import type { StackRecord } from "./stack-record";
import { setTimeout as sleep } from "node:timers/promises";

/** Reads settings from stack config or the environment. Never throws: a problem is reported by the first method. */
export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  try {
    const config = {
      projectId: req.config.get("descope:projectId"),
      managementKey: req.config.get("descope:managementKey"),
      baseUrl: req.config.get("descope:baseUrl"),
      requestsPerMinute: req.config.get("descope:requestsPerMinute"),
      operationTimeoutSeconds: req.config.get("descope:operationTimeoutSeconds"),
    };
    state.client = new DescopeClient(resolveSettings(config, process.env));
    state.configError = undefined;
  } catch (err) {
    state.client = undefined;
    state.configError = err as Error;
  }
}

/** The provider methods `attach` gives the stored shim. */
export interface ProviderMethods {
  check: typeof check;
  diff: typeof diff;
  create: typeof create;
  read: typeof read;
  update: typeof update;
  delete: typeof remove;
}

/**
 * Configures, then gives `target` (the deserialized shim) the provider methods. The host calls
 * configure before any other method, once per provider process and stored shim text.
 */
export async function attach(target: Record<string, unknown>, req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  await configure(req);
  const methods: ProviderMethods = { check, diff, create, read, update, delete: remove };
  Object.assign(target, methods);
}

function requireClient(): DescopeClient {
  if (state.client) return state.client;
  throw state.configError ?? new Error("the Descope provider was not configured");
}

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
function loginIdGone(urn: string, olds: AssignmentOutputs): string {
  const q = JSON.stringify;
  return `UserRoleAssignment ${q(urn)}: loginId ${q(olds.loginId)} no longer names the user this resource manages (${q(olds.userId)}); it was removed from that user or moved to someone else. To keep managing ${q(olds.userId)}, declare one of its current login IDs or its user ID; to grant the roles to whoever holds ${q(olds.loginId)} now, give the resource a new name (the new resource names the new holder, and the old one's delete takes the grant from ${q(olds.userId)})`;
}

/** Grants the declared roles. Idempotent; if it throws, a membership it created was removed again. */
export async function create(news: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
  const api = requireClient();
  const inputs = toAssignmentInputs(news);
  const secrets = secretInputsOf(news);
  const hidden = secretValues(inputs, secrets);
  return guarded(hidden, async () => {
    const found = await state.users.resolve(api, inputs.loginId);
    if (!found) throw new UserNotFoundError("create", inputs.loginId, inputs.tenantId);
    hidden.push(...secretValues(inputs, secrets, found));
    return state.locks.run(found.userId, async () => {
      const user = await state.users.current(api, found.userId);
      if (!user) throw new UserNotFoundError("create", inputs.loginId, inputs.tenantId);
      const { urn } = declarationKey(news, inputs);
      const scope = viewScope(user, inputs.tenantId);
      const record = await state.records.get(urn);
      const reason = state.declarations.contradiction(urn, record);
      if (reason) throw new Error(reason); // writes never run ahead of a contradiction
      // A replacement (or a retried interrupted create) takes over what its URN owned before.
      const inherited = inheritedBy(record, urn, user.userId, inputs.tenantId, inputs.roleNames, scope.roles);
      const others = withInherited(
        state.declarations.others(user.userId, inputs.tenantId, { self: urn, record }),
        inherited,
      );
      const plan = planApply(inputs, scope, undefined, others, await joinDefaults(api, inputs, scope));
      const after = await runOperations(
        api,
        inputs.tenantId,
        user,
        plan.operations,
        plan.createsMembership,
        seenBefore,
      );
      state.users.rememberAfter(after);
      // A membership another add declaration made is shared, like its roles.
      const createdMembership =
        inputs.mode === "add" && inputs.tenantId !== null && (!scope.member || others.membershipOwned);
      state.declarations.resolve(urn, user.userId, {
        grantedRoleNames: plan.grantedRoleNames,
        membership: createdMembership,
      });
      const extras = { grantedRoleNames: plan.grantedRoleNames, createdMembership, secretInputs: secrets, urn };
      return { id: idFor(inputs.tenantId, user.userId, secrets), outs: toOutputs(inputs, after, extras) };
    });
  });
}

/** Makes the scope match the new inputs again (roles changed, drift, mode switched). */
export async function update(
  _id: string,
  olds: AssignmentOutputs,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.UpdateResult> {
  const api = requireClient();
  const inputs = toAssignmentInputs(news);
  const secrets = secretInputsOf(news);
  const hidden = secretValues(inputs, secrets, olds);
  return guarded(hidden, async () => {
    const userId = olds.userId || (await state.users.resolve(api, inputs.loginId))?.userId;
    if (!userId) throw new UserNotFoundError("update", inputs.loginId, inputs.tenantId);
    return state.locks.run(userId, async () => {
      const user = await state.users.current(api, userId);
      if (!user) throw new UserNotFoundError("update", inputs.loginId, inputs.tenantId);
      if (inputs.loginId !== user.userId && !user.loginIds.includes(inputs.loginId))
        throw new Error(loginIdGone(declarationKey(news, inputs).urn, { ...olds, loginId: inputs.loginId }));
      const { urn } = declarationKey(news, inputs);
      const scope = viewScope(user, inputs.tenantId);
      const previous = {
        mode: olds.mode,
        roleNames: olds.roleNames ?? [],
        grantedRoleNames: olds.grantedRoleNames ?? [],
      };
      const record = await state.records.get(urn);
      const others = state.declarations.others(user.userId, inputs.tenantId, { self: urn, record });
      const plan = planApply(inputs, scope, previous, others, await joinDefaults(api, inputs, scope));
      const after = await runOperations(
        api,
        inputs.tenantId,
        user,
        plan.operations,
        plan.createsMembership,
        seenBefore,
      );
      state.users.rememberAfter(after);
      const createdMembership =
        inputs.mode === "add" &&
        inputs.tenantId !== null &&
        (!scope.member || olds.createdMembership === true || others.membershipOwned);
      state.declarations.resolve(urn, user.userId, {
        grantedRoleNames: plan.grantedRoleNames,
        membership: createdMembership,
      });
      if (others.inDoubt && previous.grantedRoleNames.some((r) => !inputs.roleNames.includes(r)))
        warn(
          hideSecretValues(
            `UserRoleAssignment ${JSON.stringify(urn)}: kept the roles it no longer declares, because what other resources of the stack assert could not be known`,
            hidden,
          ),
        );
      return {
        outs: toOutputs(inputs, after, {
          grantedRoleNames: plan.grantedRoleNames,
          createdMembership,
          secretInputs: secrets,
          urn,
        }),
      };
    });
  });
}

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
  await guarded(hidden, async () => {
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
  });
}

/** Refresh: the live roles of the scope; no id when the user or the tenant membership is gone. */
export async function read(id: string, olds: AssignmentOutputs): Promise<pulumi.dynamic.ReadResult> {
  const api = requireClient();
  const stored = storedInputs(id, olds);
  const secrets = olds.__secretInputs ?? [];
  return guarded(secretValues(stored, secrets, olds), async () => {
    const user = await state.users.current(api, stored.userId); // loads coalesce: a refresh costs a few calls
    if (!user || !viewScope(user, stored.tenantId).member) return { id: undefined, props: {} };
    const extras = {
      grantedRoleNames: olds.grantedRoleNames ?? [],
      createdMembership: olds.createdMembership === true,
      secretInputs: secrets,
      urn: olds.__urn,
    };
    const outs = toOutputs(stored, user, extras);
    // The stored login ID no longer names this user: the next diff refuses, with the fix.
    if (stored.loginId !== user.userId && !user.loginIds.includes(stored.loginId)) outs.__loginIdGone = true;
    return { id: idFor(stored.tenantId, user.userId, secrets), props: outs, inputs: refreshedInputs(outs, secrets) };
  });
}

/** A user as this process last saw it: what a write answered for the wrong user is put back to. */
const seenBefore = (userId: string) => state.users.lastKnown(userId);

/** The default roles of a tenant the user is about to join in mode set (from the per-process catalog), else null. */
async function joinDefaults(
  api: DescopeClient,
  inputs: AssignmentInputs,
  scope: { member: boolean },
): Promise<string[] | null> {
  if (inputs.mode !== "set" || inputs.tenantId === null || scope.member) return null;
  const tenant = (await state.catalog.tenants(api)).find((t) => t.id === inputs.tenantId);
  return tenant?.defaultRoles ?? null;
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
