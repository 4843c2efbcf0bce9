/**
 * Tenant handlers: create (with or without an id), set default roles, load, load all, delete.
 * A missing tenant is 400 E112202 everywhere.
 */
import { invalidArgument, missingArgument } from "./errors";
import { generateId, renderTenant, requireRoles, requireTenant } from "./model";
import type { HandlerContext } from "./core";
import { dedupe, optionalBoolean, optionalString, requireString, requireStringArray } from "./validate";

/** POST /v1/mgmt/tenant/create `{ name, id? }` → `{ id }`; an id already in use is 400 E011004. */
export function createTenant({ body, store }: HandlerContext): unknown {
  const name = requireString(body, "name");
  const requestedId = optionalString(body, "id");
  return store.transact((draft) => {
    if (requestedId && draft.tenants.has(requestedId)) {
      throw invalidArgument(`A tenant with id '${requestedId}' already exists`);
    }
    const id = requestedId || generateId("T");
    draft.tenants.set(id, { id, name, defaultRoles: [], createdTime: store.nowSeconds() });
    return { id };
  });
}

/** POST /v1/mgmt/tenant/updateDefaultRoles `{ id, defaultRoles }` → `{}`; roles must exist for the tenant. */
export function updateDefaultRoles({ body, store }: HandlerContext): unknown {
  const id = requireString(body, "id");
  const defaultRoles = dedupe(requireStringArray(body, "defaultRoles"));
  return store.transact((draft) => {
    const tenant = requireTenant(draft, id);
    requireRoles(draft, defaultRoles, id);
    tenant.defaultRoles = defaultRoles;
    return {};
  });
}

/** GET /v1/mgmt/tenant?id=… → the tenant object itself (not wrapped). */
export function loadTenant({ query, store }: HandlerContext): unknown {
  if (query.id === undefined) throw missingArgument("id");
  const id = requireString(query, "id");
  return store.read((state) => renderTenant(requireTenant(state, id)));
}

/** GET /v1/mgmt/tenant/all → `{ tenants }`. */
export function loadAllTenants({ store }: HandlerContext): unknown {
  return store.read((state) => ({ tenants: [...state.tenants.values()].map(renderTenant) }));
}

/** POST /v1/mgmt/tenant/delete `{ id, cascade? }` → `{}`: also drops its roles and every membership. */
export function deleteTenant({ body, store }: HandlerContext): unknown {
  const id = requireString(body, "id");
  optionalBoolean(body, "cascade");
  return store.transact((draft) => {
    requireTenant(draft, id);
    draft.tenants.delete(id);
    for (const [key, role] of draft.roles) if (role.tenantId === id) draft.roles.delete(key);
    for (const user of draft.users.values()) {
      user.tenants = user.tenants.filter((m) => m.tenantId !== id);
    }
    return {};
  });
}
