/**
 * The project's roles and tenants, loaded once per provider process and only when a check
 * needs them (`GET /v1/mgmt/role/all`, `GET /v1/mgmt/tenant/all`).
 */
import type { DescopeClient, DescopeRole, DescopeTenant } from "./client/client";

/** Lazily loaded roles and tenants of the configured project. */
export class ProjectCatalog {
  private rolesLoad?: Promise<DescopeRole[]>;
  private tenantsLoad?: Promise<DescopeTenant[]>;

  /** Every role (project and tenant roles); one call per process. */
  roles(api: DescopeClient): Promise<DescopeRole[]> {
    this.rolesLoad ??= api.loadAllRoles();
    this.rolesLoad.catch(() => (this.rolesLoad = undefined)); // a failed load is tried again next time
    return this.rolesLoad;
  }

  /** Every tenant with its default roles; one call per process. */
  tenants(api: DescopeClient): Promise<DescopeTenant[]> {
    this.tenantsLoad ??= api.loadAllTenants();
    this.tenantsLoad.catch(() => (this.tenantsLoad = undefined));
    return this.tenantsLoad;
  }
}
