/**
 * Public data shapes of the Descope emulator: the objects its API answers with (as written in
 * docs/descope-api.md), the seed format, and the options of the fault injector and the
 * rate limiter. Nothing here is imported from provider/: the emulator is written from that contract.
 */

/** One tenant membership as the API renders it inside a user. */
export interface UserTenant {
  tenantId: string;
  tenantName: string;
  /** Roles the user holds in this tenant (tenant roles or project roles given in this tenant). */
  roleNames: string[];
  /** Permissions derived from `roleNames`. */
  permissions: string[];
}

/** The full user object of the Management API (`{ user }` in every user answer). */
export interface User {
  loginIds: string[];
  /** Generated on create (`U` + 27 alphanumerics); never changes. */
  userId: string;
  name: string;
  givenName: string;
  middleName: string;
  familyName: string;
  email: string;
  phone: string;
  verifiedEmail: boolean;
  verifiedPhone: boolean;
  /** Project-level roles only; tenant roles live in `userTenants`. */
  roleNames: string[];
  userTenants: UserTenant[];
  status: string;
  externalIds: string[];
  picture: string;
  test: boolean;
  customAttributes: Record<string, unknown>;
  /** Seconds since the epoch. */
  createdTime: number;
  TOTP: boolean;
  SAML: boolean;
  OAuth: Record<string, boolean>;
  webauthn: boolean;
  password: boolean;
  ssoAppIds: string[];
  editable: boolean;
  SCIM: boolean;
  push: boolean;
  /** Permissions derived from the project-level `roleNames`. */
  permissions: string[];
  OIDC: boolean;
  consentExpiration: number;
}

/** A tenant as `GET /v1/mgmt/tenant` answers it (top level, not wrapped). */
export interface Tenant {
  id: string;
  name: string;
  selfProvisioningDomains: string[];
  customAttributes: Record<string, unknown>;
  domains: string[];
  authType: string;
  enforceSSO: boolean;
  disabled: boolean;
  /** Roles given to a user when tenant/add (or v2 role/add) creates the membership. */
  defaultRoles: string[];
  /** Seconds since the epoch. */
  createdTime: number;
}

/** A role as `GET /v1/mgmt/role/all` answers it. `tenantId` is present only on tenant roles. */
export interface Role {
  name: string;
  description: string;
  permissionNames: string[];
  tenantId?: string;
  /** Seconds since the epoch. */
  createdTime: number;
}

/** A read-only, deep-copied picture of everything the emulator holds. */
export interface EmulatorState {
  users: User[];
  tenants: Tenant[];
  roles: Role[];
}

/** A user to seed. Only a login ID is required; a snapshot's `User` is accepted as is. */
export interface SeedUser {
  /** Shorthand for `loginIds: [loginId]`. */
  loginId?: string;
  loginIds?: string[];
  /** @default a generated `U…` ID */
  userId?: string;
  name?: string;
  givenName?: string;
  middleName?: string;
  familyName?: string;
  email?: string;
  phone?: string;
  verifiedEmail?: boolean;
  verifiedPhone?: boolean;
  roleNames?: string[];
  /** `tenantName` and `permissions`, if present, are ignored: they are derived. */
  userTenants?: { tenantId: string; roleNames?: string[] }[];
  status?: string;
  picture?: string;
  test?: boolean;
  customAttributes?: Record<string, unknown>;
  /** Seconds since the epoch. @default now */
  createdTime?: number;
}

/** A tenant to seed. */
export interface SeedTenant {
  id: string;
  /** @default the id */
  name?: string;
  defaultRoles?: string[];
  createdTime?: number;
}

/** A role to seed; with `tenantId` it exists only in that tenant. */
export interface SeedRole {
  name: string;
  description?: string;
  permissionNames?: string[];
  tenantId?: string;
  createdTime?: number;
}

/**
 * Entities to add to the emulator. Seeding is lenient about references (a user may hold a
 * role nobody declared) so tests can build odd states; it is strict about types. An entity
 * whose key already exists (userId or login ID, tenant id, role name + tenant) is replaced.
 */
export interface EmulatorSeed {
  roles?: SeedRole[];
  tenants?: SeedTenant[];
  users?: SeedUser[];
}

/** What an injected fault does to one request. */
export type FaultKind =
  /** Answer 503 with a gateway HTML page (not JSON) before the request touches state. */
  | "503"
  /** Answer 429 `E130429` with `Retry-After` before the request touches state. */
  | "429"
  /** Destroy the connection before any answer and before the request touches state. */
  | "reset"
  /** Apply the request, then answer 503: the change happened but the client sees a failure. */
  | "503-after-apply"
  /** Apply the request, then destroy the connection: the answer is lost. */
  | "reset-after-apply";

/** A deterministic fault for the next `count` matching requests. */
export interface FailNext {
  count: number;
  kind: FaultKind;
  /** Only requests to these paths count; `*` at the end matches a prefix. @default all */
  paths?: string[];
}

/** Fault injection settings; every field is optional and `{}` means no faults. */
export interface FaultOptions {
  /** Share (0..1) of matching requests given each fault kind; the shares must sum to ≤ 1. */
  rates?: Partial<Record<FaultKind, number>>;
  /** Milliseconds added before each matching request is handled. @default 0 */
  latencyMs?: number;
  /** Restricts `rates`, `latencyMs` and `failNext` (unless it has its own) to these paths. */
  paths?: string[];
  /** Seed of the PRNG that draws `rates`; the same seed gives the same sequence. @default random */
  seed?: number;
  /** Deterministic faults, consumed in order before `rates` are drawn. */
  failNext?: FailNext | FailNext[];
  /** `Retry-After` of injected 429 answers, whole seconds. @default 1 */
  retryAfterSeconds?: number;
}

/** The per-project token bucket of the real service. */
export interface RateLimitOptions {
  /** Bucket size: requests allowed per window. */
  requests: number;
  /** Window length; the bucket refills `requests` tokens per `perSeconds`. */
  perSeconds: number;
  /** How long a caller who emptied the bucket is refused. @default perSeconds */
  lockoutSeconds?: number;
}

/** One recorded Descope API call (admin `/emulator/` paths are not recorded). */
export interface RecordedRequest {
  /** 1, 2, 3… in arrival order. */
  seq: number;
  method: string;
  /** Path without the query string, e.g. `/v1/mgmt/user`. */
  path: string;
  query: Record<string, string>;
  /** Lower-cased request headers without `authorization` and `cookie`. */
  headers: Record<string, string>;
  /** Parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  /** Status sent; 0 when the connection was destroyed without an answer. */
  status: number;
  /** Body sent (parsed JSON or text); undefined when nothing was sent. */
  responseBody: unknown;
  /** The injected fault, if any. */
  fault?: FaultKind;
  /** For `*-after-apply` faults: the status the request really produced before the answer was lost. */
  appliedStatus?: number;
}
