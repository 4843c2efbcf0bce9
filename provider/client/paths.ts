/**
 * The Descope Management API endpoints this package calls, keyed by Descope's own operation
 * names (as in `@descope/node-sdk`'s `lib/management/paths.ts`). The contract they follow is
 * docs/descope-api.md ("Endpoints"); a change to a row starts there.
 *
 * Only what the provider uses is listed. Tests never read this table: they assert the literal
 * wire paths seen by the emulator, so a wrong row here fails a test.
 */

/** HTTP method of a Management API endpoint: loads are GET, mutations POST. */
export type HttpMethod = "GET" | "POST";

/** One endpoint: its method and its path (relative to the base URL). */
export interface Endpoint {
  /** HTTP method. */
  readonly method: HttpMethod;
  /** Path starting with `/`, e.g. `/v1/mgmt/user/update/role/set`. */
  readonly path: string;
}

/** Operation name → endpoint. `addRoles` is the v2 path (adds the tenant membership if needed). */
export const paths = {
  /** `GET ?loginId=` (a login ID or a user ID) → `{ user }`; 404 `E112102` when missing. */
  loadUser: { method: "GET", path: "/v1/mgmt/user" },
  /** `{ loginId, roleNames, tenantId? }` → `{ user }`; replaces the roles of that scope. */
  setRoles: { method: "POST", path: "/v1/mgmt/user/update/role/set" },
  /** `{ loginId, roleNames, tenantId? }` → `{ user }`; v2: joins the tenant if not a member. */
  addRoles: { method: "POST", path: "/v2/mgmt/user/update/role/add" },
  /** `{ loginId, roleNames, tenantId? }` → `{ user }`. */
  removeRoles: { method: "POST", path: "/v1/mgmt/user/update/role/remove" },
  /** `{ loginId, tenantId }` → `{ user }`; a no-op for an existing member. */
  addTenant: { method: "POST", path: "/v1/mgmt/user/update/tenant/add" },
  /** `{ loginId, tenantId }` → `{ user }`; drops the membership and its roles. */
  removeTenant: { method: "POST", path: "/v1/mgmt/user/update/tenant/remove" },
  /** `{ userIds }` → `{ users }` (up to 100 ids; unknown ids are left out). */
  loadUsers: { method: "POST", path: "/v1/mgmt/users/load" },
  /** `{ loginIds?, userIds?, tenantIds?, withTestUser?, limit, page }` → `{ users, total }`; may lag behind writes. */
  searchUsers: { method: "POST", path: "/v2/mgmt/user/search" },
  /** `GET` → `{ roles: [{ name, tenantId? }] }`, project and tenant roles. */
  loadAllRoles: { method: "GET", path: "/v1/mgmt/role/all" },
  /** `GET` → `{ tenants: [{ id, name, defaultRoles }] }`. */
  loadAllTenants: { method: "GET", path: "/v1/mgmt/tenant/all" },
  /** `GET ?id=` → the tenant (top level, or under `tenant`). */
  loadTenant: { method: "GET", path: "/v1/mgmt/tenant" },
  /** `GET` → `{ rateLimitTier }`, sent back as `x-descope-license`. */
  license: { method: "GET", path: "/v1/mgmt/license" },
} as const satisfies Record<string, Endpoint>;

/** A Descope operation this client knows. */
export type DescopeOperation = keyof typeof paths;
