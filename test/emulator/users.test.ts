/**
 * User endpoints driven by the official @descope/node-sdk: create, create test user, load
 * (login ID, user ID), load many, search, delete. Paths and bodies are the SDK's own, written
 * here as literals; the contract is docs/descope-api.md, "Endpoints".
 */
import { startHarness, type Harness } from "./helpers";

const USER_KEYS = [
  "loginIds",
  "userId",
  "name",
  "givenName",
  "middleName",
  "familyName",
  "email",
  "phone",
  "verifiedEmail",
  "verifiedPhone",
  "roleNames",
  "userTenants",
  "status",
  "externalIds",
  "picture",
  "test",
  "customAttributes",
  "createdTime",
  "TOTP",
  "SAML",
  "OAuth",
  "webauthn",
  "password",
  "ssoAppIds",
  "editable",
  "SCIM",
  "push",
  "permissions",
  "OIDC",
  "consentExpiration",
];

let h: Harness;
beforeEach(async () => {
  h = await startHarness({
    clock: () => 1_700_000_000_123,
    seed: {
      roles: [
        { name: "viewer", permissionNames: ["read"] },
        { name: "admin", permissionNames: ["read", "write"] },
      ],
      tenants: [{ id: "t1", name: "Tenant One" }],
    },
  });
});
afterEach(() => h.emu.close());

describe("createTestUser", () => {
  it("answers the full user object with test: true when the SDK creates a test user", async () => {
    const res = await h.m.user.createTestUser("alice@example.com", {
      email: "alice@example.com",
      displayName: "Alice",
      roles: ["viewer"],
      userTenants: [{ tenantId: "t1", roleNames: ["admin"] }],
    });
    expect(res.ok).toBe(true);
    const user = res.data!;
    expect(Object.keys(user).sort()).toEqual([...USER_KEYS].sort());
    expect(user).toMatchObject({
      loginIds: ["alice@example.com"],
      email: "alice@example.com",
      name: "Alice",
      test: true,
      roleNames: ["viewer"],
      permissions: ["read"],
      createdTime: 1_700_000_000,
      userTenants: [{ tenantId: "t1", tenantName: "Tenant One", roleNames: ["admin"], permissions: ["read", "write"] }],
    });
    expect(user.userId).toMatch(/^U[A-Za-z0-9]{27}$/);
    const [call] = h.emu.requests.all();
    expect(`${call.method} ${call.path}`).toBe("POST /v1/mgmt/user/create/test");
    expect(call.body).toMatchObject({ loginId: "alice@example.com", roleNames: ["viewer"], test: true });
  });

  it("fails with 400 E011004 and creates nothing when a role does not exist", async () => {
    const res = await h.m.user.createTestUser("bob", { roles: ["ghost"] });
    expect(res.code).toBe(400);
    expect(res.error?.errorCode).toBe("E011004");
    expect(h.emu.state.snapshot().users).toEqual([]);
  });

  it("fails with 400 E112202 when a userTenants entry names a missing tenant", async () => {
    const res = await h.m.user.createTestUser("bob", { userTenants: [{ tenantId: "nope", roleNames: [] }] });
    expect([res.code, res.error?.errorCode]).toEqual([400, "E112202"]);
  });
});

describe("create", () => {
  it("creates a non-test user on /v1/mgmt/user/create", async () => {
    const res = await h.m.user.create("carol", { email: "carol@example.com" });
    expect(res.data).toMatchObject({ loginIds: ["carol"], test: false, roleNames: [], userTenants: [] });
    expect(h.emu.requests.last()?.path).toBe("/v1/mgmt/user/create");
  });

  it("fails with 400 E011004 when the login ID is already taken", async () => {
    await h.m.user.create("carol");
    const res = await h.m.user.create("carol");
    expect([res.code, res.error?.errorCode]).toEqual([400, "E011004"]);
    expect(h.emu.state.snapshot().users).toHaveLength(1);
  });
});

describe("load", () => {
  it("finds the user by login ID with GET /v1/mgmt/user?loginId=", async () => {
    const created = (await h.m.user.createTestUser("dave")).data!;
    const res = await h.m.user.load("dave");
    expect(res.data).toEqual(created);
    const call = h.emu.requests.last()!;
    expect([call.method, call.path, call.query]).toEqual(["GET", "/v1/mgmt/user", { loginId: "dave" }]);
  });

  it("finds the user when the loginId field carries the user ID", async () => {
    const { userId } = (await h.m.user.createTestUser("erin")).data!;
    const res = await h.m.user.load(userId);
    expect(res.data?.loginIds).toEqual(["erin"]);
  });

  it("answers 404 E112102 when no user has that ID", async () => {
    const res = await h.m.user.load("nobody");
    expect(res.code).toBe(404);
    expect(res.error?.errorCode).toBe("E112102");
  });
});

describe("loadByUserId", () => {
  it("finds the user with GET /v1/mgmt/user?userId=", async () => {
    const { userId } = (await h.m.user.createTestUser("frank")).data!;
    const res = await h.m.user.loadByUserId(userId);
    expect(res.data?.loginIds).toEqual(["frank"]);
    expect(h.emu.requests.last()?.query).toEqual({ userId });
  });

  it("answers 404 E112102 when given a login ID instead of a user ID", async () => {
    await h.m.user.createTestUser("frank");
    const res = await h.m.user.loadByUserId("frank");
    expect([res.code, res.error?.errorCode]).toEqual([404, "E112102"]);
  });
});

describe("loadUsers", () => {
  it("returns the users found and leaves out unknown IDs", async () => {
    const a = (await h.m.user.createTestUser("a")).data!;
    const b = (await h.m.user.createTestUser("b")).data!;
    const res = await h.m.user.loadUsers([b.userId, "Umissing", a.userId]);
    expect(res.data?.map((u) => u.loginIds[0])).toEqual(["b", "a"]);
    expect(h.emu.requests.last()).toMatchObject({ method: "POST", path: "/v1/mgmt/users/load" });
  });
});

describe("searchAll", () => {
  beforeEach(async () => {
    await h.m.user.create("plain", { roles: ["viewer"] });
    await h.m.user.createTestUser("tester", { userTenants: [{ tenantId: "t1", roleNames: ["admin"] }] });
  });

  it("leaves test users out unless withTestUser is set", async () => {
    expect((await h.m.user.searchAll()).data?.map((u) => u.loginIds[0])).toEqual(["plain"]);
    const all = await h.m.user.searchAll(undefined, undefined, undefined, undefined, false, true);
    expect(all.data?.map((u) => u.loginIds[0])).toEqual(["plain", "tester"]);
    expect(h.emu.requests.last()).toMatchObject({ path: "/v2/mgmt/user/search", body: { withTestUser: true } });
  });

  it("filters by tenant and by role name when asked", async () => {
    const byTenant = await h.m.user.searchAll(["t1"], undefined, undefined, undefined, true);
    expect(byTenant.data?.map((u) => u.loginIds[0])).toEqual(["tester"]);
    const byRole = await h.m.user.searchAll(undefined, ["viewer"], undefined, undefined, false, true);
    expect(byRole.data?.map((u) => u.loginIds[0])).toEqual(["plain"]);
  });

  it("pages with limit and a 0-based page", async () => {
    const page1 = await h.m.user.searchAll(undefined, undefined, 1, 1, false, true);
    expect(page1.data?.map((u) => u.loginIds[0])).toEqual(["tester"]);
  });
});

describe("search", () => {
  it("answers users and total for loginIds", async () => {
    await h.m.user.create("x1");
    await h.m.user.create("x2");
    const res = await h.m.user.search({ loginIds: ["x2"] });
    expect(res.data?.total).toBe(1);
    expect(res.data?.users[0].loginIds).toEqual(["x2"]);
  });
});

describe("delete", () => {
  it("removes the user named by login ID", async () => {
    await h.m.user.createTestUser("gone");
    expect((await h.m.user.delete("gone")).ok).toBe(true);
    expect(h.emu.state.user("gone")).toBeUndefined();
    expect(h.emu.requests.last()).toMatchObject({ path: "/v1/mgmt/user/delete", body: { loginId: "gone" } });
  });

  it("removes the user named by userId with deleteByUserId", async () => {
    const { userId } = (await h.m.user.createTestUser("gone2")).data!;
    await h.m.user.deleteByUserId(userId);
    expect(h.emu.state.snapshot().users).toEqual([]);
    expect(h.emu.requests.last()?.body).toEqual({ userId });
  });

  it("answers 404 E112102 when the user does not exist", async () => {
    const res = await h.m.user.delete("never");
    expect([res.code, res.error?.errorCode]).toEqual([404, "E112102"]);
  });
});
