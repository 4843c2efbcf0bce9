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
import { checkInputs, hasUnknowns, isUnknown, secretInputsOf, toAssignmentInputs, type CheckFailure } from "./inputs";
import {
  mayUndoMembership,
  planApply,
  planDelete,
  planDiff,
  toOutputs,
  viewScope,
  type AssignmentInputs,
  type AssignmentOutputs,
  type DeleteInput,
  type SecretInput,
} from "./plan";
import { runOperations } from "./operation-runner";
import { changedParts, checkAgainstProject, type ChangedParts } from "./project-checks";
import { state } from "./provider-state";
import { declarationName, guarded, idFor, refreshedInputs, secretValues, storedInputs } from "./resource-state";
import { hideSecretValues } from "./secret-text";
import { resolveSettings } from "./settings";

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
  const name = declarationName(outcome.inputs, inputs);
  const hidden = secretValues(inputs, secretInputsOf(news));
  state.declarations.declare({ name, ...inputs, hidden });
  const changed = changedParts(olds ?? {}, inputs);
  if (!changed.loginId && !changed.tenantId && changed.roleNames.length === 0) return outcome;
  const failures = await guarded(hidden, () => checkProject(api, name, inputs, changed, secretInputsOf(news)));
  const reasons = failures.map((f) => ({ property: f.property, reason: hideSecretValues(f.reason, hidden) }));
  return reasons.length > 0 ? { inputs: news, failures: reasons } : outcome;
}

/** The changed parts of a declaration against the live project, and its contradictions. */
async function checkProject(
  api: DescopeClient,
  name: string,
  inputs: AssignmentInputs,
  changed: ChangedParts,
  secret: readonly SecretInput[],
): Promise<CheckFailure[]> {
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
  if (user) {
    state.declarations.resolve(name, user.userId);
    const reason = state.declarations.contradiction(name);
    if (reason) failures.push({ property: "roleNames", reason });
  }
  return failures;
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
  const name = declarationName(news, inputs);
  const hidden = secretValues(inputs, secretInputsOf(news), olds);
  let userId: string | undefined = olds.userId;
  if (inputs.loginId !== olds.loginId && inputs.loginId !== olds.userId) {
    userId = (await guarded(hidden, () => state.users.resolve(requireClient(), inputs.loginId)))?.userId;
  }
  const sameUser = userId === olds.userId;
  if (userId !== undefined) {
    const sameScope = (olds.tenantId ?? null) === inputs.tenantId;
    const owns = sameUser && sameScope && olds.mode === "add";
    state.declarations.resolve(name, userId, {
      grantedRoleNames: owns ? (olds.grantedRoleNames ?? []) : [],
      membership: owns && olds.createdMembership === true,
    });
    const reason = state.declarations.contradiction(name);
    if (reason) throw new Error(reason);
  }
  const plan = planDiff(olds, inputs, sameUser);
  return { changes: plan.changes, replaces: plan.replaces, deleteBeforeReplace: false };
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
      const name = declarationName(news, inputs);
      const scope = viewScope(user, inputs.tenantId);
      const others = state.declarations.others(user.userId, inputs.tenantId, name);
      const plan = planApply(inputs, scope, undefined, others, await joinDefaults(api, inputs, scope));
      const after = await runOperations(api, inputs.tenantId, user, plan.operations, plan.createsMembership);
      state.users.rememberAfter(after);
      // A membership another add declaration made is shared, like its roles.
      const createdMembership =
        inputs.mode === "add" && inputs.tenantId !== null && (!scope.member || others.membershipOwned);
      state.declarations.resolve(name, user.userId, {
        grantedRoleNames: plan.grantedRoleNames,
        membership: createdMembership,
      });
      const extras = { grantedRoleNames: plan.grantedRoleNames, createdMembership, secretInputs: secrets };
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
      const name = declarationName(news, inputs);
      const scope = viewScope(user, inputs.tenantId);
      const previous = {
        mode: olds.mode,
        roleNames: olds.roleNames ?? [],
        grantedRoleNames: olds.grantedRoleNames ?? [],
      };
      const others = state.declarations.others(user.userId, inputs.tenantId, name);
      const plan = planApply(inputs, scope, previous, others, await joinDefaults(api, inputs, scope));
      const after = await runOperations(api, inputs.tenantId, user, plan.operations, plan.createsMembership);
      state.users.rememberAfter(after);
      const createdMembership =
        inputs.mode === "add" &&
        inputs.tenantId !== null &&
        (!scope.member || olds.createdMembership === true || others.membershipOwned);
      state.declarations.resolve(name, user.userId, {
        grantedRoleNames: plan.grantedRoleNames,
        membership: createdMembership,
      });
      return {
        outs: toOutputs(inputs, after, {
          grantedRoleNames: plan.grantedRoleNames,
          createdMembership,
          secretInputs: secrets,
        }),
      };
    });
  });
}

/**
 * Undoes this resource's grant, keeping whatever a declaration still in the program asserts.
 * Succeeds when the user or the membership is already gone; after any failure, the user's
 * state decides whether the delete happened.
 */
export async function remove(id: string, olds: AssignmentOutputs): Promise<void> {
  const api = requireClient();
  const stored = storedInputs(id, olds);
  const hidden = secretValues(stored, olds.__secretInputs ?? [], olds);
  await guarded(hidden, async () => {
    await resolvePending(api, stored.tenantId);
    await state.locks.run(stored.userId, async () => {
      const user = await state.users.current(api, stored.userId);
      if (!user) return;
      const input = await deleteInput(api, stored, olds);
      try {
        const after = await runOperations(
          api,
          stored.tenantId,
          user,
          planDelete(input, viewScope(user, stored.tenantId)),
          false,
        );
        state.users.rememberAfter(after);
      } catch (err) {
        if (isDescopeError(err) && err.code === "ERR_DESCOPE_USER_MISMATCH") throw err;
        // A call applied with its answer lost (5xx, reset) or a change racing ours: the user's
        // state decides, not the error (undocumented for a user who already left the tenant).
        const now = await state.users.reload(api, stored.userId).catch(() => undefined);
        if (now === undefined) throw err;
        if (now && planDelete(input, viewScope(now, stored.tenantId)).length > 0) throw err;
      }
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
    };
    const outs = toOutputs(stored, user, extras);
    return { id: idFor(stored.tenantId, user.userId, secrets), props: outs, inputs: refreshedInputs(outs, secrets) };
  });
}

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

/** What delete needs: the declarations still in the program, and the tenant's defaults when needed. */
async function deleteInput(
  api: DescopeClient,
  stored: AssignmentInputs & { userId: string },
  olds: Partial<AssignmentOutputs>,
): Promise<DeleteInput> {
  const base = {
    mode: stored.mode,
    tenantId: stored.tenantId,
    roleNames: stored.roleNames,
    grantedRoleNames: olds.grantedRoleNames ?? [],
    createdMembership: olds.createdMembership === true,
    others: state.declarations.others(stored.userId, stored.tenantId),
    keepMembership: state.targeted(),
  };
  // The tenants (with their default roles) load once per process, not once per delete.
  const tenant = mayUndoMembership(base)
    ? (await state.catalog.tenants(api)).find((t) => t.id === stored.tenantId)
    : undefined;
  const defaults = tenant?.defaultRoles ?? null;
  return { ...base, tenantDefaultRoles: defaults };
}

/** Resolves the users of declarations in the scope that nothing resolved yet (rare: one load each, cached). */
async function resolvePending(api: DescopeClient, tenantId: string | null): Promise<void> {
  for (const d of state.declarations.unresolved(tenantId)) {
    const user = await state.users.resolve(api, d.loginId);
    if (user) state.declarations.resolve(d.name, user.userId);
  }
}
