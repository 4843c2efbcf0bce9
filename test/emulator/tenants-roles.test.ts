/**
 * Tenant and role endpoints and the license handshake, driven by the official node-sdk
 * (docs/descope-api.md, "Endpoints").
 */
import DescopeClient from "@descope/node-sdk";
import { startEmulator } from "../../emulator";
import { send, startHarness, waitFor, type Harness } from "./helpers";

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ clock: () => 1_800_000_000_000 });
});
afterEach(() => h.emu.close());

describe("tenant.create", () => {
  it("generates an id and answers { id } when none is given", async () => {
    const res = await h.m.tenant.create("Acme");
    expect(res.data?.id).toMatch(/^T[A-Za-z0-9]{27}$/);
    expect(h.emu.state.tenant(res.data!.id)).toMatchObject({ name: "Acme", createdTime: 1_800_000_000 });
    expect(h.emu.requests.last()).toMatchObject({ path: "/v1/mgmt/tenant/create", body: { name: "Acme" } });
  });

  it("uses the id sent by createWithId", async () => {
    await h.m.tenant.createWithId("acme", "Acme");
    expect(h.emu.requests.last()?.body).toEqual({ id: "acme", name: "Acme" });
    expect(h.emu.state.tenant("acme")?.name).toBe("Acme");
  });

  it("fails with 400 E011004 when the id is already taken", async () => {
    await h.m.tenant.createWithId("acme", "Acme");
    const res = await h.m.tenant.createWithId("acme", "Other");
    expect([res.code, res.error?.errorCode]).toEqual([400, "E011004"]);
    expect(h.emu.state.tenant("acme")?.name).toBe("Acme");
  });
});

describe("tenant.updateDefaultRoles", () => {
  beforeEach(async () => {
    await h.m.tenant.createWithId("t1", "One");
    await h.m.role.create("viewer");
    await h.m.role.create("local", "", [], "t1");
  });

  it("sets project and tenant roles as defaults", async () => {
    await h.m.tenant.updateDefaultRoles("t1", ["viewer", "local"]);
    expect(h.emu.requests.last()).toMatchObject({
      path: "/v1/mgmt/tenant/updateDefaultRoles",
      body: { id: "t1", defaultRoles: ["viewer", "local"] },
    });
    expect(h.emu.state.tenant("t1")?.defaultRoles).toEqual(["viewer", "local"]);
  });

  it("fails with 400 E011004 for a role that does not exist", async () => {
    const res = await h.m.tenant.updateDefaultRoles("t1", ["ghost"]);
    expect([res.code, res.error?.errorCode]).toEqual([400, "E011004"]);
  });

  it("fails with 400 E112202 for a tenant that does not exist", async () => {
    const res = await h.m.tenant.updateDefaultRoles("missing", ["viewer"]);
    expect([res.code, res.error?.errorCode]).toEqual([400, "E112202"]);
  });
});

describe("tenant.load", () => {
  it("answers the tenant object at top level for GET /v1/mgmt/tenant?id=", async () => {
    await h.m.tenant.createWithId("t1", "One");
    const res = await h.m.tenant.load("t1");
    expect(res.data).toMatchObject({ id: "t1", name: "One", defaultRoles: [], selfProvisioningDomains: [] });
    expect(h.emu.requests.last()).toMatchObject({ method: "GET", path: "/v1/mgmt/tenant", query: { id: "t1" } });
  });

  it("answers 400 E112202 when the tenant does not exist", async () => {
    const res = await h.m.tenant.load("missing");
    expect([res.code, res.error?.errorCode]).toEqual([400, "E112202"]);
  });
});

describe("tenant.loadAll", () => {
  it("answers every tenant in creation order", async () => {
    await h.m.tenant.createWithId("b", "B");
    await h.m.tenant.createWithId("a", "A");
    const res = await h.m.tenant.loadAll();
    expect(res.data?.map((t) => t.id)).toEqual(["b", "a"]);
    expect(h.emu.requests.last()).toMatchObject({ method: "GET", path: "/v1/mgmt/tenant/all" });
  });
});

describe("tenant.delete", () => {
  it("removes the tenant, its roles and every membership", async () => {
    await h.m.tenant.createWithId("t1", "One");
    await h.m.role.create("local", "", [], "t1");
    await h.m.user.createTestUser("u", { userTenants: [{ tenantId: "t1", roleNames: ["local"] }] });
    await h.m.tenant.delete("t1");
    expect(h.emu.requests.last()).toMatchObject({ path: "/v1/mgmt/tenant/delete", body: { id: "t1" } });
    expect(h.emu.state.snapshot()).toMatchObject({ tenants: [], roles: [] });
    expect(h.emu.state.user("u")?.userTenants).toEqual([]);
  });

  it("answers 400 E112202 when the tenant does not exist", async () => {
    const res = await h.m.tenant.delete("missing");
    expect([res.code, res.error?.errorCode]).toEqual([400, "E112202"]);
  });
});

describe("role.create", () => {
  it("creates a project role and a tenant role that loadAll tells apart by tenantId", async () => {
    await h.m.tenant.createWithId("t1", "One");
    await h.m.role.create("viewer", "Can read", ["read"]);
    await h.m.role.create("viewer", "Tenant viewer", [], "t1");
    expect(h.emu.requests.all()[1]).toMatchObject({
      path: "/v1/mgmt/role/create",
      body: { name: "viewer", description: "Can read", permissionNames: ["read"] },
    });
    const res = await h.m.role.loadAll();
    expect(res.data).toEqual([
      { name: "viewer", description: "Can read", permissionNames: ["read"], createdTime: 1_800_000_000 },
      { name: "viewer", description: "Tenant viewer", permissionNames: [], tenantId: "t1", createdTime: 1_800_000_000 },
    ]);
    expect(h.emu.requests.last()).toMatchObject({ method: "GET", path: "/v1/mgmt/role/all" });
  });

  it("fails with 400 E112202 for a tenant role in a missing tenant", async () => {
    const res = await h.m.role.create("x", "", [], "missing");
    expect([res.code, res.error?.errorCode]).toEqual([400, "E112202"]);
  });

  it("fails with 400 E011004 when the role already exists in that scope", async () => {
    await h.m.role.create("viewer");
    const res = await h.m.role.create("viewer");
    expect([res.code, res.error?.errorCode]).toEqual([400, "E011004"]);
  });
});

describe("role.delete", () => {
  it("deletes the role and takes it away from users and default roles", async () => {
    await h.m.role.create("viewer");
    await h.m.tenant.createWithId("t1", "One");
    await h.m.tenant.updateDefaultRoles("t1", ["viewer"]);
    await h.m.user.createTestUser("u", { roles: ["viewer"], userTenants: [{ tenantId: "t1", roleNames: ["viewer"] }] });
    await h.m.role.delete("viewer");
    expect(h.emu.requests.last()).toMatchObject({ path: "/v1/mgmt/role/delete", body: { name: "viewer" } });
    const user = h.emu.state.user("u")!;
    expect([user.roleNames, user.userTenants[0].roleNames]).toEqual([[], []]);
    expect(h.emu.state.tenant("t1")?.defaultRoles).toEqual([]);
  });

  it("fails with 400 E011004 when the role does not exist", async () => {
    const res = await h.m.role.delete("ghost");
    expect([res.code, res.error?.errorCode]).toEqual([400, "E011004"]);
  });
});

describe("license", () => {
  it("is fetched by the SDK at start-up and echoed in x-descope-license afterwards", async () => {
    const emu = await startEmulator();
    try {
      const sdk = DescopeClient({ projectId: emu.projectId, managementKey: emu.managementKey, baseUrl: emu.url });
      await waitFor(() => emu.requests.all().some((r) => r.path === "/v1/mgmt/license"));
      await new Promise((r) => setTimeout(r, 100)); // the SDK stores the tier once it has read the answer
      await sdk.management.role.loadAll();
      const [license, next] = emu.requests.all();
      expect(license).toMatchObject({
        method: "GET",
        path: "/v1/mgmt/license",
        status: 200,
        responseBody: { rateLimitTier: "tier1" },
      });
      expect(next.headers["x-descope-license"]).toBe("tier1");
    } finally {
      await emu.close();
    }
  });

  it("needs the management key like every other call", async () => {
    const res = await send(h.emu, "GET", "/v1/mgmt/license", undefined, { auth: false });
    expect([res.status, res.json.errorCode]).toEqual([401, "E011003"]);
  });
});
