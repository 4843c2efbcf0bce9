/**
 * Applying an `EmulatorSeed` to a state. Seeds come from test code, a `--seed` file or the
 * admin path, so they are checked field by field (400 E011004 on a wrong type) but not for
 * references: a seeded user may hold a role that does not exist.
 */
import { invalidArgument, malformedRequest } from "./errors";
import { generateId, roleKey, type StateData, type UserRecord } from "./model";
import {
  dedupe,
  optionalBoolean,
  optionalCount,
  optionalObjectArray,
  optionalString,
  optionalStringArray,
  requireString,
  readProfile,
  type Body,
} from "./validate";

/** Adds (or replaces) the seed's roles, tenants and users in `state`. Throws on a bad seed; `state` may then be half-written, so callers seed a copy. */
export function applySeed(state: StateData, seed: unknown, nowSeconds: number): void {
  if (typeof seed !== "object" || seed === null || Array.isArray(seed)) {
    throw malformedRequest("A seed must be an object { roles?, tenants?, users? }");
  }
  const body = seed as Body;
  for (const role of optionalObjectArray(body, "roles")) seedRole(state, role, nowSeconds);
  for (const tenant of optionalObjectArray(body, "tenants")) seedTenant(state, tenant, nowSeconds);
  for (const user of optionalObjectArray(body, "users")) seedUser(state, user, nowSeconds);
}

function seedRole(state: StateData, body: Body, nowSeconds: number): void {
  const name = requireString(body, "name");
  const tenantId = optionalString(body, "tenantId");
  state.roles.set(roleKey(name, tenantId), {
    name,
    tenantId,
    description: optionalString(body, "description"),
    permissionNames: dedupe(optionalStringArray(body, "permissionNames")),
    createdTime: optionalCount(body, "createdTime", nowSeconds),
  });
}

function seedTenant(state: StateData, body: Body, nowSeconds: number): void {
  const id = requireString(body, "id");
  state.tenants.set(id, {
    id,
    name: optionalString(body, "name", id),
    defaultRoles: dedupe(optionalStringArray(body, "defaultRoles")),
    createdTime: optionalCount(body, "createdTime", nowSeconds),
  });
}

function seedLoginIds(body: Body): string[] {
  const loginIds = optionalStringArray(body, "loginIds");
  const single = optionalString(body, "loginId");
  const all = dedupe(single ? [single, ...loginIds] : loginIds);
  if (all.length === 0 || all.includes("")) {
    throw invalidArgument("A seeded user needs a non-empty 'loginId' or 'loginIds'");
  }
  return all;
}

function seedUser(state: StateData, body: Body, nowSeconds: number): void {
  const loginIds = seedLoginIds(body);
  const userId = optionalString(body, "userId") || generateId("U");
  const tenants = optionalObjectArray(body, "userTenants").map((t) => ({
    tenantId: requireString(t, "tenantId"),
    roleNames: dedupe(optionalStringArray(t, "roleNames")),
  }));
  const user: UserRecord = {
    userId,
    loginIds,
    ...readProfile(body),
    roleNames: dedupe(optionalStringArray(body, "roleNames")),
    tenants,
    status: optionalString(body, "status", "enabled"),
    test: optionalBoolean(body, "test"),
    createdTime: optionalCount(body, "createdTime", nowSeconds),
  };
  // Replace any user that shares the user ID or a login ID, so re-seeding a snapshot is idempotent.
  for (const [id, other] of state.users) {
    if (id === userId || other.loginIds.some((l) => loginIds.includes(l))) state.users.delete(id);
  }
  state.users.set(userId, user);
}
