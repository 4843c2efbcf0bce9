/**
 * The dynamic provider's methods: configure, check, diff, create, read, update, delete.
 * Loaded by package name at call time from shim.ts, so the code that runs is always the
 * installed version's. Each method is short and delegates to plan.ts (pure) and the client.
 *
 * State here lives for one provider process, which the engine starts once per deployment.
 */
import type * as pulumi from "@pulumi/pulumi";
import { DescopeClient } from "./client/client";
import { DescopeApiError } from "./errors";
import { checkInputs, hasUnknowns, isUnknown, toAssignmentInputs } from "./inputs";
import {
  AssignmentInputs, AssignmentOutputs, planApply, planDelete, planDiff, resourceId, toOutputs, viewScope,
} from "./plan";
import { resolveSettings } from "./settings";
import { assertionKey, assertions, runOperations, userNotFound, withUserLock } from "./operations";

let client: DescopeClient | undefined;
let configError: Error | undefined;

/** Reads settings from stack config or the environment. Never throws: a problem is reported by the first method. */
export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  try {
    const config = {
      projectId: req.config.get("descope:projectId"),
      managementKey: req.config.get("descope:managementKey"),
      baseUrl: req.config.get("descope:baseUrl"),
      requestsPerMinute: req.config.get("descope:requestsPerMinute"),
    };
    client = new DescopeClient(resolveSettings(config, process.env));
    configError = undefined;
  } catch (err) {
    client = undefined;
    configError = err as Error;
  }
}

/**
 * Configures, then gives `target` (the deserialized shim) the provider methods. The host calls
 * configure before any other method, once per provider process.
 */
export async function attach(target: Record<string, unknown>, req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  await configure(req);
  Object.assign(target, { check, diff, create, read, update, delete: remove });
}

function requireClient(): DescopeClient {
  if (client) return client;
  throw configError ?? new Error("the Descope provider was not configured");
}

/** Validates inputs before any API call; failures name the property. Unknown preview values pass. */
export async function check(_olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
  requireClient(); // a missing setting fails the preview here, before anything else
  return checkInputs(news);
}

/** Compares declared inputs with the stored outputs (roles as sets; drift in mode set). */
export async function diff(_id: string, olds: AssignmentOutputs, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
  if (hasUnknowns(news)) {
    const replaces = (["tenantId", "loginId"] as const).filter((k) => isUnknown(news[k]));
    return { changes: true, replaces, deleteBeforeReplace: false };
  }
  const inputs = toAssignmentInputs(news);
  let sameUser = inputs.loginId === olds.loginId || inputs.loginId === olds.userId;
  if (!sameUser) sameUser = (await requireClient().loadUser(inputs.loginId))?.userId === olds.userId;
  return { ...planDiff(olds, inputs, sameUser), deleteBeforeReplace: false };
}

/** Grants the declared roles. Idempotent; if it throws, a membership it created was removed again. */
export async function create(news: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
  const inputs = toAssignmentInputs(news);
  const api = requireClient();
  return withUserLock(inputs.loginId, async () => {
    const user = await api.loadUser(inputs.loginId);
    if (!user) throw userNotFound("create", inputs);
    const plan = planApply(inputs, viewScope(user, inputs.tenantId));
    const after = await runOperations(api, inputs.tenantId, user, plan.operations, plan.createsMembership);
    assertions.record(assertionKey(api, inputs.tenantId, user.userId), inputs.roleNames);
    return { id: resourceId(inputs.tenantId, user.userId), outs: toOutputs(inputs, after, plan.grantedRoleNames) };
  });
}

/** Makes the scope match the new inputs again (roles changed, drift, mode switched). */
export async function update(_id: string, olds: AssignmentOutputs, news: Record<string, unknown>): Promise<pulumi.dynamic.UpdateResult> {
  const inputs = toAssignmentInputs(news);
  const api = requireClient();
  return withUserLock(inputs.loginId, async () => {
    const user = await api.loadUser(olds.userId || inputs.loginId);
    if (!user) throw userNotFound("update", inputs);
    const key = assertionKey(api, inputs.tenantId, user.userId);
    const previous = { mode: olds.mode, roleNames: olds.roleNames ?? [], grantedRoleNames: olds.grantedRoleNames ?? [] };
    const plan = planApply(inputs, viewScope(user, inputs.tenantId), previous, assertions.get(key) ?? new Set());
    const after = await runOperations(api, inputs.tenantId, user, plan.operations, plan.createsMembership);
    assertions.record(key, inputs.roleNames);
    return { outs: toOutputs(inputs, after, plan.grantedRoleNames) };
  });
}

/** Undoes this resource's grant. Succeeds when the user or the membership is already gone. */
export async function remove(id: string, olds: AssignmentOutputs): Promise<void> {
  const api = requireClient();
  const stored = storedInputs(id, olds);
  await withUserLock(stored.loginId, async () => {
    const user = await api.loadUser(stored.userId);
    if (!user) return;
    const protectedRoles = assertions.get(assertionKey(api, stored.tenantId, user.userId)) ?? null;
    const input = { ...stored, grantedRoleNames: olds.grantedRoleNames ?? [], protectedRoles };
    try {
      await runOperations(api, stored.tenantId, user, planDelete(input, viewScope(user, stored.tenantId)), false);
    } catch (err) {
      // A call applied with its answer lost, or a change racing ours: decide from the user's
      // state, not from the error code (undocumented for a user who already left the tenant).
      if (!(err instanceof DescopeApiError) || err.status >= 500) throw err;
      const now = await api.loadUser(stored.userId);
      if (now && planDelete(input, viewScope(now, stored.tenantId)).length > 0) throw err;
    }
  });
}

/** Refresh: the live roles of the scope; no id when the user or the tenant membership is gone. */
export async function read(id: string, olds: AssignmentOutputs): Promise<pulumi.dynamic.ReadResult> {
  const api = requireClient();
  const stored = storedInputs(id, olds);
  const user = await api.loadUser(stored.userId);
  if (!user || !viewScope(user, stored.tenantId).member) return { id: undefined, props: {} };
  const outs = toOutputs(stored, user, olds.grantedRoleNames ?? []);
  const inputs: Record<string, unknown> = { loginId: outs.loginId, roleNames: outs.roleNames, mode: outs.mode };
  if (outs.tenantId !== null) inputs.tenantId = outs.tenantId;
  return { id: resourceId(stored.tenantId, user.userId), props: outs, inputs };
}

/** The inputs recorded in state; the id fills in what an old or partial state lacks. */
function storedInputs(id: string, olds: Partial<AssignmentOutputs>): AssignmentInputs & { userId: string } {
  const segments = id.split("/").map(decodeURIComponent);
  const userId = olds.userId || segments[segments.length - 1];
  const tenantId = olds.tenantId ?? (segments.length > 1 ? segments[0] : null);
  const base = toAssignmentInputs({ ...olds, loginId: olds.loginId ?? userId, tenantId });
  return { ...base, userId };
}
