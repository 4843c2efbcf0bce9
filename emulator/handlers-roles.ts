/**
 * Role handlers (create project or tenant roles, load all, delete) and the license handshake
 * the official SDKs make at start-up.
 */
import { invalidArgument } from "./errors";
import { findRole, renderRole, requireTenant, roleKey, type StateData } from "./model";
import type { HandlerContext } from "./core";
import {
  dedupe,
  optionalBoolean,
  optionalString,
  optionalStringArray,
  optionalTenantId,
  requireString,
} from "./validate";

/**
 * POST /v1/mgmt/role/create `{ name, description?, permissionNames?, tenantId? }` → `{}`.
 * With `tenantId` the role exists only in that tenant. The same name twice in one scope is 400 E011004.
 */
export function createRole({ body, store }: HandlerContext): unknown {
  const name = requireString(body, "name");
  const description = optionalString(body, "description");
  const permissionNames = dedupe(optionalStringArray(body, "permissionNames"));
  const tenantId = optionalTenantId(body);
  optionalBoolean(body, "default");
  return store.transact((draft) => {
    if (tenantId) requireTenant(draft, tenantId);
    const key = roleKey(name, tenantId);
    if (draft.roles.has(key)) throw invalidArgument(`Role '${name}' already exists`);
    draft.roles.set(key, { name, description, permissionNames, tenantId, createdTime: store.nowSeconds() });
    return {};
  });
}

/** GET /v1/mgmt/role/all → `{ roles }`, project and tenant roles in creation order. */
export function loadAllRoles({ store }: HandlerContext): unknown {
  return store.read((state) => ({ roles: [...state.roles.values()].map(renderRole) }));
}

/** Takes `name` away wherever it no longer resolves to a role: users' roles and tenants' default roles. */
function stripRole(draft: StateData, name: string, tenantId: string): void {
  const gone = (scope: string) => !findRole(draft, name, scope);
  for (const user of draft.users.values()) {
    if (!tenantId && gone("")) user.roleNames = user.roleNames.filter((r) => r !== name);
    for (const m of user.tenants) {
      if ((!tenantId || m.tenantId === tenantId) && gone(m.tenantId)) {
        m.roleNames = m.roleNames.filter((r) => r !== name);
      }
    }
  }
  for (const tenant of draft.tenants.values()) {
    if ((!tenantId || tenant.id === tenantId) && gone(tenant.id)) {
      tenant.defaultRoles = tenant.defaultRoles.filter((r) => r !== name);
    }
  }
}

/** POST /v1/mgmt/role/delete `{ name, tenantId? }` → `{}`; also removes it from users and default roles. */
export function deleteRole({ body, store }: HandlerContext): unknown {
  const name = requireString(body, "name");
  const tenantId = optionalTenantId(body);
  return store.transact((draft) => {
    if (tenantId) requireTenant(draft, tenantId);
    if (!draft.roles.delete(roleKey(name, tenantId))) {
      throw invalidArgument(`Role '${name}' not found${tenantId ? ` in tenant '${tenantId}'` : ""}`);
    }
    stripRole(draft, name, tenantId);
    return {};
  });
}

/** GET /v1/mgmt/license → `{ rateLimitTier }`: the tier the SDKs echo in `x-descope-license`. */
export function getLicense(): unknown {
  return { rateLimitTier: "tier1" };
}
