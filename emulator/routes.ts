/**
 * The route table: one row per Descope operation (method, path, handler), keyed by Descope's
 * own operation names. A request that matches no row is answered 404 by the server, loudly.
 */
import type { Route } from "./core";
import * as roles from "./handlers-roles";
import * as tenants from "./handlers-tenants";
import * as userRoles from "./handlers-user-roles";
import * as users from "./handlers-users";

/** Every operation the emulator implements (docs/descope-api.md, "Endpoints"). */
export const routes: readonly Route[] = [
  { operation: "loadUser", method: "GET", path: "/v1/mgmt/user", handler: users.loadUser },
  { operation: "loadUsers", method: "POST", path: "/v1/mgmt/users/load", handler: users.loadUsers },
  { operation: "searchUsers", method: "POST", path: "/v2/mgmt/user/search", handler: users.searchUsers },
  { operation: "createUser", method: "POST", path: "/v1/mgmt/user/create", handler: users.createUser },
  { operation: "createTestUser", method: "POST", path: "/v1/mgmt/user/create/test", handler: users.createTestUser },
  { operation: "deleteUser", method: "POST", path: "/v1/mgmt/user/delete", handler: users.deleteUser },
  { operation: "setRoles", method: "POST", path: "/v1/mgmt/user/update/role/set", handler: userRoles.setRoles },
  { operation: "addRoles", method: "POST", path: "/v2/mgmt/user/update/role/add", handler: userRoles.addRolesV2 },
  { operation: "addRolesV1", method: "POST", path: "/v1/mgmt/user/update/role/add", handler: userRoles.addRolesV1 },
  {
    operation: "removeRoles",
    method: "POST",
    path: "/v1/mgmt/user/update/role/remove",
    handler: userRoles.removeRoles,
  },
  { operation: "addTenant", method: "POST", path: "/v1/mgmt/user/update/tenant/add", handler: userRoles.addTenant },
  {
    operation: "removeTenant",
    method: "POST",
    path: "/v1/mgmt/user/update/tenant/remove",
    handler: userRoles.removeTenant,
  },
  { operation: "createTenant", method: "POST", path: "/v1/mgmt/tenant/create", handler: tenants.createTenant },
  {
    operation: "updateDefaultRoles",
    method: "POST",
    path: "/v1/mgmt/tenant/updateDefaultRoles",
    handler: tenants.updateDefaultRoles,
  },
  { operation: "loadTenant", method: "GET", path: "/v1/mgmt/tenant", handler: tenants.loadTenant },
  { operation: "loadAllTenants", method: "GET", path: "/v1/mgmt/tenant/all", handler: tenants.loadAllTenants },
  { operation: "deleteTenant", method: "POST", path: "/v1/mgmt/tenant/delete", handler: tenants.deleteTenant },
  { operation: "createRole", method: "POST", path: "/v1/mgmt/role/create", handler: roles.createRole },
  { operation: "loadAllRoles", method: "GET", path: "/v1/mgmt/role/all", handler: roles.loadAllRoles },
  { operation: "deleteRole", method: "POST", path: "/v1/mgmt/role/delete", handler: roles.deleteRole },
  { operation: "getLicense", method: "GET", path: "/v1/mgmt/license", handler: roles.getLicense },
];

const byKey = new Map(routes.map((r) => [`${r.method} ${r.path}`, r]));

/** The route for exactly this method and path (no query string); anything else is unknown. */
export function matchRoute(method: string, path: string): Route | undefined {
  return byKey.get(`${method} ${path}`);
}
