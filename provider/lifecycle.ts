/**
 * The dynamic provider's methods: configure, check, diff, create, read, update, delete.
 * Loaded by package name at call time from the stored shim, so the code that runs is always
 * the installed version's. The exports `attach`, `configure`, `check`, `diff`, `create`,
 * `read`, `update` and `remove` are called by shims stored in state since 0.1.0: their names
 * and signatures are a frozen contract.
 *
 * check and diff live in lifecycle-preview.ts, delete in lifecycle-delete.ts; this module
 * re-exports them under the contract's names.
 *
 * State here lives for one provider process, which the engine starts once per deployment.
 */
import type * as pulumi from "@pulumi/pulumi";
import { DescopeClient, type DescopeUser } from "./client/client";
import { UserNotFoundError } from "./errors";
import { secretInputsOf, toAssignmentInputs } from "./inputs";
import { remove } from "./lifecycle-delete";
import { check, diff, loginIdGone } from "./lifecycle-preview";
import { inheritedBy, warn, withInherited } from "./ownership";
import { planApply, toOutputs, viewScope, type ApplyPlan, type AssignmentInputs, type AssignmentOutputs } from "./plan";
import { runOperations } from "./operation-runner";
import { requireClient, seenBefore, state } from "./provider-state";
import { declarationKey, guarded, idFor, refreshedInputs, secretValues, storedInputs } from "./resource-state";
import { hideSecretValues } from "./secret-text";
import { resolveSettings } from "./settings";

export { check, diff, remove };

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
      const after = await applyPlan(api, inputs.tenantId, user, plan);
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
      const after = await applyPlan(api, inputs.tenantId, user, plan);
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

/** Runs an apply plan's operations for `user` and remembers the user the last answer carried. */
async function applyPlan(
  api: DescopeClient,
  tenantId: string | null,
  user: DescopeUser,
  plan: ApplyPlan,
): Promise<DescopeUser> {
  const after = await runOperations(api, tenantId, user, plan.operations, plan.createsMembership, seenBefore);
  state.users.rememberAfter(after);
  return after;
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
