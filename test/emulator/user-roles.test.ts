/**
 * Role and tenant membership changes on one user, driven by the official node-sdk (and raw
 * HTTP for the legacy v1 role/add the SDK no longer calls). Contract: docs/descope-api.md, "Semantics".
 */
import { send, startHarness, type Harness } from "./helpers";

let h: Harness;
beforeEach(async () => {
  h = await startHarness({
    seed: {
      roles: [
        { name: "viewer", permissionNames: ["read"] },
        { name: "editor", permissionNames: ["read", "write"] },
        { name: "owner", tenantId: "t1", permissionNames: ["own"] },
      ],
      tenants: [
        { id: "t1", name: "One", defaultRoles: ["viewer"] },
        { id: "t2", name: "Two" },
      ],
      users: [{ loginId: "alice", userId: "U0000000000000000000000alice", roleNames: ["viewer"] }],
    },
  });
});
afterEach(() => h.emu.close());

const alice = () => h.emu.state.user("alice")!;

describe("setRoles", () => {
  it("replaces the project roles only, with POST /v1/mgmt/user/update/role/set", async () => {
    await h.m.user.addTenant("alice", "t1");
    const res = await h.m.user.setRoles("alice", ["editor", "editor"]);
    expect(res.data?.roleNames).toEqual(["editor"]);
    expect(res.data).toMatchObject({ permissions: ["read", "write"] });
    expect(res.data?.userTenants?.[0].roleNames).toEqual(["viewer"]);
    expect(h.emu.requests.last()).toMatchObject({
      path: "/v1/mgmt/user/update/role/set",
      body: { loginId: "alice", roleNames: ["editor", "editor"] },
    });
  });

  it("clears the project roles when roleNames is empty", async () => {
    expect((await h.m.user.setRoles("alice", [])).data?.roleNames).toEqual([]);
  });

  it("accepts the user ID in the loginId field", async () => {
    const res = await h.m.user.setRoles("U0000000000000000000000alice", ["editor"]);
    expect(res.data?.loginIds).toEqual(["alice"]);
  });

  it("fails with 400 E011004 and changes nothing when one role does not exist", async () => {
    const res = await h.m.user.setRoles("alice", ["editor", "ghost"]);
    expect([res.code, res.error?.errorCode]).toEqual([400, "E011004"]);
    expect(alice().roleNames).toEqual(["viewer"]);
  });

  it("refuses a tenant-only role at project level with 400 E011004", async () => {
    const res = await h.m.user.setRoles("alice", ["owner"]);
    expect([res.code, res.error?.errorCode]).toEqual([400, "E011004"]);
  });

  it("answers 404 E112102 for a missing user", async () => {
    const res = await h.m.user.setRoles("nobody", ["viewer"]);
    expect([res.code, res.error?.errorCode]).toEqual([404, "E112102"]);
  });
});

describe("setTenantRoles", () => {
  it("replaces that tenant's roles only, accepting tenant and project roles", async () => {
    await h.m.user.addTenant("alice", "t1");
    const res = await h.m.user.setTenantRoles("alice", "t1", ["owner", "editor"]);
    expect(res.data?.userTenants).toEqual([
      { tenantId: "t1", tenantName: "One", roleNames: ["owner", "editor"], permissions: ["own", "read", "write"] },
    ]);
    expect(res.data?.roleNames).toEqual(["viewer"]);
    expect(h.emu.requests.last()?.body).toEqual({ loginId: "alice", tenantId: "t1", roleNames: ["owner", "editor"] });
  });

  it("fails with 400 E011004 when the user is not a member of the tenant", async () => {
    const res = await h.m.user.setTenantRoles("alice", "t2", ["viewer"]);
    expect([res.code, res.error?.errorCode]).toEqual([400, "E011004"]);
    expect(alice().userTenants).toEqual([]);
  });

  it("fails with 400 E112202 when the tenant does not exist", async () => {
    const res = await h.m.user.setTenantRoles("alice", "missing", ["viewer"]);
    expect([res.code, res.error?.errorCode]).toEqual([400, "E112202"]);
  });

  it("treats an empty tenantId as project level", async () => {
    const res = await h.m.user.setTenantRoles("alice", "", ["editor"]);
    expect(res.data?.roleNames).toEqual(["editor"]);
  });
});

describe("addRoles", () => {
  it("adds project roles with POST /v2/mgmt/user/update/role/add and ignores held ones", async () => {
    const res = await h.m.user.addRoles("alice", ["viewer", "editor"]);
    expect(res.data?.roleNames).toEqual(["viewer", "editor"]);
    expect(h.emu.requests.last()).toMatchObject({ path: "/v2/mgmt/user/update/role/add" });
  });

  it("fails with 400 E011004 for a role that does not exist", async () => {
    const res = await h.m.user.addRoles("alice", ["ghost"]);
    expect([res.code, res.error?.errorCode]).toEqual([400, "E011004"]);
  });
});

describe("addTenantRoles", () => {
  it("joins a tenant the user is not in, with its default roles plus the added ones", async () => {
    const res = await h.m.user.addTenantRoles("alice", "t1", ["owner"]);
    expect(res.data?.userTenants?.[0]).toMatchObject({ tenantId: "t1", roleNames: ["viewer", "owner"] });
  });

  it("refuses another tenant's role with 400 E011004", async () => {
    const res = await h.m.user.addTenantRoles("alice", "t2", ["owner"]);
    expect([res.code, res.error?.errorCode]).toEqual([400, "E011004"]);
    expect(alice().userTenants).toEqual([]);
  });
});

describe("addRoles (legacy v1)", () => {
  it("adds tenant roles with POST /v1/mgmt/user/update/role/add for a member", async () => {
    await h.m.user.addTenant("alice", "t2");
    const res = await send(h.emu, "POST", "/v1/mgmt/user/update/role/add", {
      loginId: "alice",
      tenantId: "t2",
      roleNames: ["editor"],
    });
    expect(res.status).toBe(200);
    expect(res.json.user.userTenants[0].roleNames).toEqual(["editor"]);
  });

  it("adds project roles when no tenantId is given", async () => {
    const res = await send(h.emu, "POST", "/v1/mgmt/user/update/role/add", { loginId: "alice", roleNames: ["editor"] });
    expect(res.json.user.roleNames).toEqual(["viewer", "editor"]);
  });

  it("fails with 400 E011004 when the user is not a member of the tenant", async () => {
    const res = await send(h.emu, "POST", "/v1/mgmt/user/update/role/add", {
      loginId: "alice",
      tenantId: "t2",
      roleNames: ["editor"],
    });
    expect([res.status, res.json.errorCode]).toEqual([400, "E011004"]);
    expect(alice().userTenants).toEqual([]);
  });
});

describe("removeRoles", () => {
  it("removes project roles and treats a role the user lacks as a no-op", async () => {
    const res = await h.m.user.removeRoles("alice", ["viewer", "editor"]);
    expect(res.data?.roleNames).toEqual([]);
    expect(h.emu.requests.last()).toMatchObject({ path: "/v1/mgmt/user/update/role/remove" });
  });

  it("fails with 400 E011004 when the role does not exist at all", async () => {
    const res = await h.m.user.removeRoles("alice", ["ghost"]);
    expect([res.code, res.error?.errorCode]).toEqual([400, "E011004"]);
  });
});

describe("removeTenantRoles", () => {
  it("removes roles from that tenant and keeps the membership", async () => {
    await h.m.user.addTenant("alice", "t1");
    const res = await h.m.user.removeTenantRoles("alice", "t1", ["viewer"]);
    expect(res.data?.userTenants).toEqual([{ tenantId: "t1", tenantName: "One", roleNames: [], permissions: [] }]);
    expect(res.data?.roleNames).toEqual(["viewer"]);
  });

  it("fails with 400 E011004 when the user is not a member of the tenant", async () => {
    const res = await h.m.user.removeTenantRoles("alice", "t2", ["viewer"]);
    expect([res.code, res.error?.errorCode]).toEqual([400, "E011004"]);
  });
});

describe("addTenant", () => {
  it("creates the membership with the tenant's default roles", async () => {
    const res = await h.m.user.addTenant("alice", "t1");
    expect(res.data?.userTenants).toEqual([
      { tenantId: "t1", tenantName: "One", roleNames: ["viewer"], permissions: ["read"] },
    ]);
    expect(h.emu.requests.last()).toMatchObject({
      path: "/v1/mgmt/user/update/tenant/add",
      body: { loginId: "alice", tenantId: "t1" },
    });
  });

  it("changes nothing and succeeds when the user is already a member", async () => {
    await h.m.user.addTenant("alice", "t1");
    await h.m.user.setTenantRoles("alice", "t1", ["owner"]);
    const res = await h.m.user.addTenant("alice", "t1");
    expect(res.ok).toBe(true);
    expect(res.data?.userTenants?.map((t) => t.roleNames)).toEqual([["owner"]]);
  });

  it("fails with 400 E112202 when the tenant does not exist", async () => {
    const res = await h.m.user.addTenant("alice", "missing");
    expect([res.code, res.error?.errorCode]).toEqual([400, "E112202"]);
  });
});

describe("removeTenant", () => {
  it("drops the membership and its roles", async () => {
    await h.m.user.addTenantRoles("alice", "t1", ["owner"]);
    const res = await h.m.user.removeTenant("alice", "t1");
    expect(res.data?.userTenants).toEqual([]);
    expect(h.emu.requests.last()).toMatchObject({ path: "/v1/mgmt/user/update/tenant/remove" });
  });

  it("fails with 400 when the user is not a member", async () => {
    const res = await h.m.user.removeTenant("alice", "t2");
    expect([res.code, res.error?.errorCode]).toEqual([400, "E011004"]);
  });
});
