/**
 * The emulator's internal records, the lookups every handler shares (user by login ID or user
 * ID, tenant, role in scope) and the rendering of records into the API's shapes. Derived fields
 * (tenantName, permissions) are computed at render time so they can never go stale.
 */
import { randomBytes } from "node:crypto";
import { invalidArgument, tenantNotFound, userNotFound } from "./errors";
import type { Role, Tenant, User, UserTenant } from "./types";

/** A user's membership of one tenant. */
export interface Membership {
  tenantId: string;
  roleNames: string[];
}

/** A stored user: the API user without its constant and derived fields. */
export interface UserRecord {
  userId: string;
  loginIds: string[];
  name: string;
  givenName: string;
  middleName: string;
  familyName: string;
  email: string;
  phone: string;
  verifiedEmail: boolean;
  verifiedPhone: boolean;
  /** Project-level roles. */
  roleNames: string[];
  tenants: Membership[];
  status: string;
  picture: string;
  test: boolean;
  customAttributes: Record<string, unknown>;
  createdTime: number;
}

/** A stored tenant. */
export interface TenantRecord {
  id: string;
  name: string;
  defaultRoles: string[];
  createdTime: number;
}

/** A stored role; `tenantId` is `""` for a project role. */
export interface RoleRecord {
  name: string;
  description: string;
  permissionNames: string[];
  tenantId: string;
  createdTime: number;
}

/** Everything the emulator holds. Maps keep insertion order, which list endpoints use. */
export interface StateData {
  users: Map<string, UserRecord>;
  tenants: Map<string, TenantRecord>;
  /** Keyed by `roleKey(name, tenantId)`. */
  roles: Map<string, RoleRecord>;
}

/** A state with nothing in it. */
export function emptyState(): StateData {
  return { users: new Map(), tenants: new Map(), roles: new Map() };
}

/** The key of a role in `StateData.roles`. */
export function roleKey(name: string, tenantId: string): string {
  return `${tenantId}\u0000${name}`;
}

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A Descope-like ID: `prefix` + 27 random alphanumerics (e.g. `U2abc…`). */
export function generateId(prefix: string): string {
  const bytes = randomBytes(27);
  let id = prefix;
  for (const byte of bytes) id += ALPHANUMERIC[byte % ALPHANUMERIC.length];
  return id;
}

/** The user whose login ID, or else whose user ID, is `id`. */
export function findUser(state: StateData, id: string): UserRecord | undefined {
  for (const user of state.users.values()) if (user.loginIds.includes(id)) return user;
  return state.users.get(id);
}

/** Like `findUser`, but 404 E112102 when missing. */
export function requireUser(state: StateData, id: string): UserRecord {
  const user = findUser(state, id);
  if (!user) throw userNotFound(id);
  return user;
}

/** The tenant `id`, or 400 E112202. */
export function requireTenant(state: StateData, id: string): TenantRecord {
  const tenant = state.tenants.get(id);
  if (!tenant) throw tenantNotFound(id);
  return tenant;
}

/** The role `name` as seen from `tenantId` (`""` = project): the tenant's own role first, then the project's. */
export function findRole(state: StateData, name: string, tenantId: string): RoleRecord | undefined {
  if (tenantId) {
    const own = state.roles.get(roleKey(name, tenantId));
    if (own) return own;
  }
  return state.roles.get(roleKey(name, ""));
}

/** 400 E011004 unless every name is a role in scope (project roles; for a tenant, also its roles). */
export function requireRoles(state: StateData, names: string[], tenantId: string): void {
  const missing = names.filter((name) => !findRole(state, name, tenantId));
  if (missing.length === 0) return;
  const scope = tenantId ? `the project or tenant '${tenantId}'` : "the project";
  throw invalidArgument(`Role(s) not found in ${scope}: ${missing.join(", ")}`);
}

/** 400 E011004 unless the user is a member of the tenant; returns the membership. */
export function requireMembership(user: UserRecord, tenantId: string): Membership {
  const membership = user.tenants.find((m) => m.tenantId === tenantId);
  if (!membership) {
    throw invalidArgument(`User '${user.userId}' is not a member of tenant '${tenantId}'`);
  }
  return membership;
}

/** The union of the permissions granted by `roleNames` in scope, in first-seen order. */
export function permissionsOf(state: StateData, roleNames: string[], tenantId: string): string[] {
  const permissions = new Set<string>();
  for (const name of roleNames) {
    for (const permission of findRole(state, name, tenantId)?.permissionNames ?? []) {
      permissions.add(permission);
    }
  }
  return [...permissions];
}

/** The full API user object for a record (a fresh object: callers may keep or change it). */
export function renderUser(state: StateData, user: UserRecord): User {
  const userTenants: UserTenant[] = user.tenants.map((m) => ({
    tenantId: m.tenantId,
    tenantName: state.tenants.get(m.tenantId)?.name ?? "",
    roleNames: [...m.roleNames],
    permissions: permissionsOf(state, m.roleNames, m.tenantId),
  }));
  return {
    loginIds: [...user.loginIds],
    userId: user.userId,
    name: user.name,
    givenName: user.givenName,
    middleName: user.middleName,
    familyName: user.familyName,
    email: user.email,
    phone: user.phone,
    verifiedEmail: user.verifiedEmail,
    verifiedPhone: user.verifiedPhone,
    roleNames: [...user.roleNames],
    userTenants,
    status: user.status,
    externalIds: [...user.loginIds],
    picture: user.picture,
    test: user.test,
    customAttributes: structuredClone(user.customAttributes),
    createdTime: user.createdTime,
    TOTP: false,
    SAML: false,
    OAuth: {},
    webauthn: false,
    password: false,
    ssoAppIds: [],
    editable: true,
    SCIM: false,
    push: false,
    permissions: permissionsOf(state, user.roleNames, ""),
    OIDC: false,
    consentExpiration: 0,
  };
}

/** The API tenant object. */
export function renderTenant(tenant: TenantRecord): Tenant {
  return {
    id: tenant.id,
    name: tenant.name,
    selfProvisioningDomains: [],
    customAttributes: {},
    domains: [],
    authType: "none",
    enforceSSO: false,
    disabled: false,
    defaultRoles: [...tenant.defaultRoles],
    createdTime: tenant.createdTime,
  };
}

/** The API role object; `tenantId` only on tenant roles. */
export function renderRole(role: RoleRecord): Role {
  const out: Role = {
    name: role.name,
    description: role.description,
    permissionNames: [...role.permissionNames],
    createdTime: role.createdTime,
  };
  if (role.tenantId) out.tenantId = role.tenantId;
  return out;
}
