/**
 * The emulator's side of a test, with no Pulumi engine: the seed most tests start from, the
 * user's roles and the mutating calls as the emulator saw them, and another administrator
 * changing things out of band. Unit tests import it directly; the engine scenario
 * (scenario.ts) re-exports it.
 */
import type { EmulatorHandle, EmulatorSeed } from "../../emulator";

/** Roles, tenants and users most scenarios start from. */
export function baseSeed(): EmulatorSeed {
  return {
    roles: [{ name: "admin" }, { name: "viewer" }, { name: "billing" }, { name: "support" }, { name: "auditor" }],
    tenants: [
      { id: "acme", name: "Acme Corp", defaultRoles: ["viewer"] },
      { id: "globex", name: "Globex" },
    ],
    users: [
      { loginId: "ada@example.com", userId: "U2ada00000000000000000000000" },
      { loginId: "bob@example.com", userId: "U2bob00000000000000000000000", roleNames: ["viewer"] },
      {
        loginId: "cy@example.com",
        userId: "U2cy000000000000000000000000",
        userTenants: [{ tenantId: "globex", roleNames: ["support"] }],
      },
    ],
  };
}

/** The user's project roles, sorted; undefined when the user does not exist. */
export function projectRoles(emu: EmulatorHandle, loginId: string): string[] | undefined {
  const user = emu.state.user(loginId);
  return user ? [...user.roleNames].sort() : undefined;
}

/** The user's roles in a tenant, sorted; undefined when the user is not a member (or gone). */
export function tenantRoles(emu: EmulatorHandle, loginId: string, tenantId: string): string[] | undefined {
  const t = emu.state.user(loginId)?.userTenants.find((ut) => ut.tenantId === tenantId);
  return t ? [...t.roleNames].sort() : undefined;
}

/** POST endpoints that only read (loads and searches), left out of {@link mutations}. */
export const READ_POSTS = ["/v1/mgmt/users/load", "/v2/mgmt/user/search"];

/** The mutating calls the emulator answered, as `METHOD path status` lines (loads left out). */
export function mutations(emu: EmulatorHandle): string[] {
  return emu.requests
    .all()
    .filter((r) => r.method === "POST" && !READ_POSTS.includes(r.path))
    .map((r) => `${r.method} ${r.path} ${r.status}`);
}

/** Another administrator: the official Descope SDK pointed at the emulator, for out-of-band changes. */
export function outOfBand(emu: EmulatorHandle) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const DescopeClient = require("@descope/node-sdk") as (opts: Record<string, string>) => any;
  const sdk = DescopeClient({ projectId: emu.projectId, managementKey: emu.managementKey, baseUrl: emu.url });
  const ok = async (p: Promise<{ ok: boolean; error?: unknown }>) => {
    const r = await p;
    if (!r.ok) throw new Error(`out-of-band change failed: ${JSON.stringify(r.error)}`);
  };
  const user = sdk.management.user;
  return {
    addRoles: (loginId: string, roles: string[]) => ok(user.addRoles(loginId, roles)),
    removeRoles: (loginId: string, roles: string[]) => ok(user.removeRoles(loginId, roles)),
    addTenantRoles: (loginId: string, tenantId: string, roles: string[]) =>
      ok(user.addTenantRoles(loginId, tenantId, roles)),
    removeTenantRoles: (loginId: string, tenantId: string, roles: string[]) =>
      ok(user.removeTenantRoles(loginId, tenantId, roles)),
    removeTenant: (loginId: string, tenantId: string) => ok(user.removeTenant(loginId, tenantId)),
    deleteUser: (loginId: string) => ok(user.delete(loginId)),
  };
}
