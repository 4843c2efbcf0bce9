/**
 * Handlers that change one user's roles and tenant memberships: role set / add (v1, v2) /
 * remove, with or without `tenantId`, and tenant add / remove. Every one answers `{ user }`
 * as it is after the change. Rules (docs/descope-api.md, "Semantics"):
 * - no `tenantId` (or `""`) is the project level: project roles only;
 * - roles must exist in scope (project; for a tenant, the project or that tenant), else E011004;
 * - v1 add, set and remove on a tenant the user is not in: 400 E011004;
 * - v2 add and tenant/add create a missing membership, seeded with the tenant's defaultRoles;
 * - adding a held role or removing a missing one is a no-op; duplicates are ignored.
 */
import {
  renderUser,
  requireMembership,
  requireRoles,
  requireTenant,
  requireUser,
  type Membership,
  type StateData,
  type UserRecord,
} from "./model";
import type { HandlerContext } from "./core";
import { dedupe, optionalTenantId, requireString, requireStringArray } from "./validate";

interface RoleChange {
  loginId: string;
  roleNames: string[];
  tenantId: string;
}

type Apply = (draft: StateData, user: UserRecord, change: RoleChange) => void;

/** Parses `{ loginId, roleNames, tenantId? }`, then runs `apply` in a transaction. */
function changeRoles({ body, store }: HandlerContext, apply: Apply): unknown {
  const change: RoleChange = {
    loginId: requireString(body, "loginId"),
    roleNames: dedupe(requireStringArray(body, "roleNames")),
    tenantId: optionalTenantId(body),
  };
  return store.transact((draft) => {
    const user = requireUser(draft, change.loginId);
    if (change.tenantId) requireTenant(draft, change.tenantId);
    apply(draft, user, change);
    return { user: renderUser(draft, user) };
  });
}

/** The membership of `tenantId`, created with the tenant's default roles when missing. */
function joinTenant(draft: StateData, user: UserRecord, tenantId: string): Membership {
  const existing = user.tenants.find((m) => m.tenantId === tenantId);
  if (existing) return existing;
  const membership = { tenantId, roleNames: [...requireTenant(draft, tenantId).defaultRoles] };
  user.tenants.push(membership);
  return membership;
}

function union(held: string[], added: string[]): string[] {
  return dedupe([...held, ...added]);
}

/** POST /v1/mgmt/user/update/role/set: replaces the roles of one scope only. */
export function setRoles(ctx: HandlerContext): unknown {
  return changeRoles(ctx, (draft, user, { roleNames, tenantId }) => {
    if (!tenantId) {
      requireRoles(draft, roleNames, "");
      user.roleNames = roleNames;
      return;
    }
    const membership = requireMembership(user, tenantId);
    requireRoles(draft, roleNames, tenantId);
    membership.roleNames = roleNames;
  });
}

/** POST /v2/mgmt/user/update/role/add: with a new tenant, joins it first (default roles + these). */
export function addRolesV2(ctx: HandlerContext): unknown {
  return changeRoles(ctx, (draft, user, { roleNames, tenantId }) => {
    requireRoles(draft, roleNames, tenantId);
    if (!tenantId) {
      user.roleNames = union(user.roleNames, roleNames);
      return;
    }
    const membership = joinTenant(draft, user, tenantId);
    membership.roleNames = union(membership.roleNames, roleNames);
  });
}

/** POST /v1/mgmt/user/update/role/add (legacy): like v2, but a non-member tenant fails. */
export function addRolesV1(ctx: HandlerContext): unknown {
  return changeRoles(ctx, (draft, user, { roleNames, tenantId }) => {
    if (!tenantId) {
      requireRoles(draft, roleNames, "");
      user.roleNames = union(user.roleNames, roleNames);
      return;
    }
    const membership = requireMembership(user, tenantId);
    requireRoles(draft, roleNames, tenantId);
    membership.roleNames = union(membership.roleNames, roleNames);
  });
}

/** POST /v1/mgmt/user/update/role/remove: removes from one scope; the membership stays. */
export function removeRoles(ctx: HandlerContext): unknown {
  return changeRoles(ctx, (draft, user, { roleNames, tenantId }) => {
    if (!tenantId) {
      requireRoles(draft, roleNames, "");
      user.roleNames = user.roleNames.filter((r) => !roleNames.includes(r));
      return;
    }
    const membership = requireMembership(user, tenantId);
    requireRoles(draft, roleNames, tenantId);
    membership.roleNames = membership.roleNames.filter((r) => !roleNames.includes(r));
  });
}

/** Parses `{ loginId, tenantId }`, then runs `apply` in a transaction. */
function changeTenant({ body, store }: HandlerContext, apply: Apply): unknown {
  const change: RoleChange = {
    loginId: requireString(body, "loginId"),
    tenantId: requireString(body, "tenantId"),
    roleNames: [],
  };
  return store.transact((draft) => {
    const user = requireUser(draft, change.loginId);
    requireTenant(draft, change.tenantId);
    apply(draft, user, change);
    return { user: renderUser(draft, user) };
  });
}

/** POST /v1/mgmt/user/update/tenant/add: joins with the default roles; a member is left as is. */
export function addTenant(ctx: HandlerContext): unknown {
  return changeTenant(ctx, (draft, user, { tenantId }) => {
    joinTenant(draft, user, tenantId);
  });
}

/** POST /v1/mgmt/user/update/tenant/remove: drops the membership and its roles; non-member is 400. */
export function removeTenant(ctx: HandlerContext): unknown {
  return changeTenant(ctx, (_draft, user, { tenantId }) => {
    requireMembership(user, tenantId);
    user.tenants = user.tenants.filter((m) => m.tenantId !== tenantId);
  });
}
