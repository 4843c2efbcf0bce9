/**
 * The pure part of `descope-access export`: Descope users in, grants out. One `set` grant per
 * user and scope (project, or one tenant) that holds at least one role, after the filters,
 * sorted by name. No I/O here, so every rule is unit-tested with plain objects.
 */

/** The part of a Descope user that holds roles (a `DescopeUser` fits). */
export interface RoleHolder {
  /** Descope's immutable user ID. */
  userId: string;
  /** Login IDs; the first one names the user in grants. */
  loginIds: string[];
  /** Project-level roles. */
  roleNames: string[];
  /** Tenant memberships with the roles held in each. */
  userTenants: { tenantId: string; roleNames: string[] }[];
  /** `true` for a Descope test user. */
  test?: unknown;
}

/** One exported grant: a {@link Grant} with every field spelled out and mode `set` implied. */
export interface ExportedGrant {
  /** `<loginId>/<tenantId or "project">`, the default resource name of the grant. */
  name: string;
  /** The user's first login ID (its user ID when it has none). */
  loginId: string;
  /** The tenant; absent for project roles. */
  tenantId?: string;
  /** The roles held in the scope, sorted. */
  roleNames: string[];
}

/** Which users and scopes to export; every field optional, empty lists mean no filter. */
export interface ExportFilter {
  /** Only these tenants' scopes (and then no project scope). */
  tenantIds?: readonly string[];
  /** Only users with one of these login IDs. */
  loginIds?: readonly string[];
  /** Only scopes holding one of these roles (the grant still lists every role of the scope). */
  roleNames?: readonly string[];
  /** Keep Descope test users. @default false */
  includeTestUsers?: boolean;
}

/** One scope in which a user holds roles: `tenantId` `null` is the project. */
export interface HeldScope {
  /** The tenant, or `null` for project-level roles. */
  tenantId: string | null;
  /** The roles held there, sorted and without duplicates. */
  roleNames: string[];
}

/** True when the user is a Descope test user (`test: true`). */
export function isTestUser(user: Pick<RoleHolder, "test">): boolean {
  return user.test === true;
}

/** The name the user goes by in grants and reports: its first login ID, else its user ID. */
export function displayLoginId(user: Pick<RoleHolder, "loginIds" | "userId">): string {
  return user.loginIds[0] ?? user.userId;
}

/** Sorted copy without duplicates, by code point (so the order never depends on the locale). */
export function sortedUnique(names: readonly string[]): string[] {
  return [...new Set(names)].sort(byCodePoint);
}

/** Compares two strings by code point. */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every scope of the user, project first, then tenants in the user's order (empty ones too). */
export function heldScopes(user: RoleHolder): HeldScope[] {
  const scopes: HeldScope[] = [{ tenantId: null, roleNames: sortedUnique(user.roleNames) }];
  for (const t of user.userTenants) scopes.push({ tenantId: t.tenantId, roleNames: sortedUnique(t.roleNames) });
  return scopes;
}

/** The grant name of a user's scope: `<loginId>/<tenantId or "project">`, as `grantName` spells it. */
export function exportedGrantName(loginId: string, tenantId: string | null): string {
  return `${loginId}/${tenantId ?? "project"}`;
}

/** True when the user passes the user-level filters (test users, login IDs). */
export function userPasses(user: RoleHolder, filter: ExportFilter): boolean {
  if (isTestUser(user) && !filter.includeTestUsers) return false;
  const loginIds = filter.loginIds ?? [];
  return loginIds.length === 0 || user.loginIds.some((id) => loginIds.includes(id));
}

/** True when a scope passes the scope-level filters (tenants, roles) and holds a role. */
export function scopePasses(scope: HeldScope, filter: ExportFilter): boolean {
  if (scope.roleNames.length === 0) return false;
  const tenantIds = filter.tenantIds ?? [];
  if (tenantIds.length > 0 && (scope.tenantId === null || !tenantIds.includes(scope.tenantId))) return false;
  const roles = filter.roleNames ?? [];
  return roles.length === 0 || scope.roleNames.some((r) => roles.includes(r));
}

/** The grants of `users` after `filter`: one per user and scope holding a role, sorted by name. */
export function exportGrants(users: readonly RoleHolder[], filter: ExportFilter = {}): ExportedGrant[] {
  const grants: ExportedGrant[] = [];
  for (const user of users) {
    if (!userPasses(user, filter)) continue;
    const loginId = displayLoginId(user);
    for (const scope of heldScopes(user)) {
      if (!scopePasses(scope, filter)) continue;
      const name = exportedGrantName(loginId, scope.tenantId);
      const tenant = scope.tenantId === null ? {} : { tenantId: scope.tenantId };
      grants.push({ name, loginId, ...tenant, roleNames: scope.roleNames }); // the key order of the YAML
    }
  }
  return grants.sort((a, b) => byCodePoint(a.name, b.name));
}
