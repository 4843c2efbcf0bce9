/**
 * Zod schemas of the Management API responses the client reads (docs/descope-api.md, "Endpoints"
 * and "The user object").
 *
 * Built by factory functions, never at module scope (house style, boundary 5: the serialized
 * shim must reach no module-scope zod schema). The client builds them once per instance.
 * Schemas are tolerant: unknown fields pass through, and arrays Descope leaves out or sends as
 * `null` become `[]`.
 */
import { z } from "zod";

/** A user's membership in one tenant, as the client returns it. */
export interface DescopeUserTenant {
  /** Tenant ID. */
  tenantId: string;
  /** Tenant display name; `""` when the service did not send one. */
  tenantName: string;
  /** Tenant-level roles of the user in this tenant. */
  roleNames: string[];
  /** Other fields sent by the service (e.g. `permissions`). */
  [extra: string]: unknown;
}

/** A Descope user, as the client returns it; other fields of the user object pass through. */
export interface DescopeUser {
  /** Descope's immutable user ID. */
  userId: string;
  /** The user's login IDs (may change over time). */
  loginIds: string[];
  /** Project-level roles only. */
  roleNames: string[];
  /** One entry per tenant membership; tenant roles live here. */
  userTenants: DescopeUserTenant[];
  /** `enabled`, `disabled` or `invited`; `""` when absent. */
  status: string;
  /** Other fields of the user object. */
  [extra: string]: unknown;
}

/** A Descope tenant, as `loadTenant` returns it. */
export interface DescopeTenant {
  /** Tenant ID. */
  id: string;
  /** Display name; `""` when absent. */
  name: string;
  /** Roles a user gets when joining the tenant; `[]` when absent. */
  defaultRoles: string[];
  /** Other fields (e.g. `selfProvisioningDomains`). */
  [extra: string]: unknown;
}

/** A role as `GET /v1/mgmt/role/all` lists it. */
export interface DescopeRole {
  /** Role name (exact, case-sensitive). */
  name: string;
  /** The tenant the role belongs to; `""` for a project role. */
  tenantId: string;
  /** Other fields (e.g. `description`, `permissionNames`). */
  [extra: string]: unknown;
}

/** One page of `POST /v2/mgmt/user/search`. */
export interface DescopeUserPage {
  /** The users of this page. */
  users: DescopeUser[];
  /** How many users match in all (0 when the service did not say). */
  total: number;
}

/** The body of `GET /v1/mgmt/license`. */
export interface DescopeLicense {
  /** The customer's rate-limit tier, sent back as `x-descope-license`. */
  rateLimitTier: string;
}

/** `string[]` that also accepts a missing or `null` value as `[]`. */
function stringList() {
  return z
    .array(z.string())
    .nullish()
    .transform((v) => v ?? []);
}

/** `string` that also accepts a missing or `null` value as `""`. */
function text() {
  return z
    .string()
    .nullish()
    .transform((v) => v ?? "");
}

/** Schema of one entry of `user.userTenants`. */
export function userTenantSchema(): z.ZodType<DescopeUserTenant, z.ZodTypeDef, unknown> {
  return rawUserTenant().transform(toUserTenant);
}

/** Schema of the Descope user object (requires `userId`). */
export function userSchema(): z.ZodType<DescopeUser, z.ZodTypeDef, unknown> {
  // One transform for the whole user rather than one per field: a user answer can carry
  // hundreds of memberships, and every answer of every write is parsed.
  return z
    .object({
      userId: z.string().min(1),
      loginIds: z.array(z.string()).nullish(),
      roleNames: z.array(z.string()).nullish(),
      userTenants: z.array(rawUserTenant()).nullish(),
      status: z.string().nullish(),
    })
    .passthrough()
    .transform((u) => ({
      ...u,
      loginIds: u.loginIds ?? [],
      roleNames: u.roleNames ?? [],
      userTenants: (u.userTenants ?? []).map(toUserTenant),
      status: u.status ?? "",
    }));
}

function rawUserTenant() {
  return z
    .object({ tenantId: z.string().min(1), tenantName: z.string().nullish(), roleNames: z.array(z.string()).nullish() })
    .passthrough();
}

function toUserTenant(t: z.infer<ReturnType<typeof rawUserTenant>>): DescopeUserTenant {
  return { ...t, tenantName: t.tenantName ?? "", roleNames: t.roleNames ?? [] };
}

/** Schema of `{ user }`, the answer of `loadUser` and every user mutation; yields the user. */
export function userResponseSchema(): z.ZodType<DescopeUser, z.ZodTypeDef, unknown> {
  return z.object({ user: userSchema() }).transform((b) => b.user);
}

/** Schema of `{ users }` from `POST /v1/mgmt/users/load`; yields the users. */
export function usersResponseSchema(): z.ZodType<DescopeUser[], z.ZodTypeDef, unknown> {
  return z
    .object({
      users: z
        .array(userSchema())
        .nullish()
        .transform((v) => v ?? []),
    })
    .transform((b) => b.users);
}

/** Schema of `{ users, total }`, a page of user search. */
export function userPageSchema(): z.ZodType<DescopeUserPage, z.ZodTypeDef, unknown> {
  return z.object({
    users: z
      .array(userSchema())
      .nullish()
      .transform((v) => v ?? []),
    total: z
      .number()
      .nullish()
      .transform((v) => v ?? 0),
  });
}

/** Schema of `{ roles }` from `GET /v1/mgmt/role/all`; yields the roles. */
export function rolesResponseSchema(): z.ZodType<DescopeRole[], z.ZodTypeDef, unknown> {
  const role = z.object({ name: z.string().min(1), tenantId: text() }).passthrough();
  return z
    .object({
      roles: z
        .array(role)
        .nullish()
        .transform((v) => v ?? []),
    })
    .transform((b) => b.roles);
}

/** Schema of `{ tenants }` from `GET /v1/mgmt/tenant/all`; yields the tenants. */
export function tenantsResponseSchema(): z.ZodType<DescopeTenant[], z.ZodTypeDef, unknown> {
  const tenant = z.object({ id: z.string().min(1), name: text(), defaultRoles: stringList() }).passthrough();
  return z
    .object({
      tenants: z
        .array(tenant)
        .nullish()
        .transform((v) => v ?? []),
    })
    .transform((b) => b.tenants);
}

/** Schema of a tenant load answer: the tenant at top level, or under `tenant`. */
export function tenantResponseSchema(): z.ZodType<DescopeTenant, z.ZodTypeDef, unknown> {
  const tenant = z.object({ id: z.string().min(1), name: text(), defaultRoles: stringList() }).passthrough();
  return z.union([z.object({ tenant }).transform((b) => b.tenant), tenant]);
}

/** Schema of a Descope error body; every field optional, unknown fields ignored. */
export function errorBodySchema() {
  return z.object({
    errorCode: z
      .union([z.string(), z.number()])
      .nullish()
      .transform((v) => (v == null ? "" : String(v))),
    errorDescription: text(),
    errorMessage: text(),
  });
}

/** Schema of the license handshake answer. */
export function licenseSchema(): z.ZodType<DescopeLicense, z.ZodTypeDef, unknown> {
  return z.object({ rateLimitTier: z.string().min(1) }).passthrough();
}

/** Formats zod issues as `path: message; …` (no values, so nothing secret is echoed). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("; ");
}
