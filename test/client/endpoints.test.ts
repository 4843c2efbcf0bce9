/**
 * Each client method against the emulator: the literal wire path, query and body it sends
 * (read from the emulator's request log, never from provider/client/paths.ts), what it
 * returns, and the license handshake. The paths are those of docs/descope-api.md, "Endpoints".
 */
import { DescopeApiError } from "../../provider/errors";
import { rejectionOf, useEmulator } from "./harness";

const h = useEmulator();

describe("loadUser", () => {
  it("sends GET /v1/mgmt/user?loginId= and returns the user when the login ID exists", async () => {
    const user = await h.client().loadUser("alice@example.com");
    expect(user).toMatchObject({
      userId: "U2alice0000000000000000000000",
      loginIds: ["alice@example.com"],
      roleNames: ["viewer"],
      userTenants: [],
    });
    const [call] = h.apiCalls();
    expect(call).toMatchObject({
      method: "GET",
      path: "/v1/mgmt/user",
      query: { loginId: "alice@example.com" },
      status: 200,
    });
    expect(call.headers.accept).toBe("application/json");
    expect(call.headers["content-type"]).toBeUndefined();
  });

  it("finds the user when given the user ID instead of a login ID", async () => {
    const user = await h.client().loadUser("U2bob000000000000000000000000");
    expect(user?.loginIds).toEqual(["bob@example.com"]);
    expect(user?.userTenants).toEqual([
      expect.objectContaining({ tenantId: "t-1", tenantName: "Tenant One", roleNames: ["viewer"] }),
    ]);
  });

  it("returns null after exactly one request when the user does not exist", async () => {
    await expect(h.client().loadUser("nobody@example.com")).resolves.toBeNull();
    expect(h.apiCalls().map((r) => [r.path, r.status])).toEqual([["/v1/mgmt/user", 404]]);
  });

  it("keeps + and spaces intact when the login ID needs URL encoding", async () => {
    h.emu.state.seed({ users: [{ loginId: "c+d e@example.com" }] });
    await expect(h.client().loadUser("c+d e@example.com")).resolves.toMatchObject({ loginIds: ["c+d e@example.com"] });
    expect(h.apiCalls()[0].query).toEqual({ loginId: "c+d e@example.com" });
  });

  it("works over undici's global dispatcher when no dispatcher is given", async () => {
    await expect(h.client({ dispatcher: undefined }).loadUser("alice@example.com")).resolves.not.toBeNull();
  });

  it("throws instead of returning null when a wrong base URL makes the route unknown", async () => {
    const err = await rejectionOf(() =>
      h.client({ baseUrl: `${h.emu.url}/wrong-prefix` }).loadUser("alice@example.com"),
    );
    expect(err).toBeInstanceOf(DescopeApiError);
    expect(err).toMatchObject({ status: 404, errorCode: "E000404" });
  });
});

describe("setRoles", () => {
  it("posts to /v1/mgmt/user/update/role/set without tenantId when the scope is the project", async () => {
    const user = await h.client().setRoles("alice@example.com", ["editor", "admin"]);
    expect(user.roleNames.sort()).toEqual(["admin", "editor"]);
    const [call] = h.apiCalls();
    expect(call).toMatchObject({ method: "POST", path: "/v1/mgmt/user/update/role/set", status: 200 });
    expect(call.body).toEqual({ loginId: "alice@example.com", roleNames: ["editor", "admin"] });
    expect(call.headers["content-type"]).toBe("application/json");
    expect(h.emu.state.user("alice@example.com")?.roleNames.sort()).toEqual(["admin", "editor"]);
  });

  it("sends tenantId and changes only that tenant when a tenant is given", async () => {
    const user = await h.client().setRoles("bob@example.com", ["t-auditor"], "t-1");
    expect(user.userTenants.find((t) => t.tenantId === "t-1")?.roleNames).toEqual(["t-auditor"]);
    expect(h.apiCalls()[0].body).toEqual({ loginId: "bob@example.com", roleNames: ["t-auditor"], tenantId: "t-1" });
  });

  it("leaves tenantId out of the body when it is an empty string", async () => {
    await h.client().setRoles("alice@example.com", [], "");
    expect(h.apiCalls()[0].body).toEqual({ loginId: "alice@example.com", roleNames: [] });
  });
});

describe("addRoles", () => {
  it("posts to the v2 path /v2/mgmt/user/update/role/add and joins the tenant when the user is not a member", async () => {
    const user = await h.client().addRoles("alice@example.com", ["editor"], "t-2");
    expect(user.userTenants).toEqual([expect.objectContaining({ tenantId: "t-2", roleNames: ["editor"] })]);
    const [call] = h.apiCalls();
    expect(call).toMatchObject({ method: "POST", path: "/v2/mgmt/user/update/role/add", status: 200 });
    expect(call.body).toEqual({ loginId: "alice@example.com", roleNames: ["editor"], tenantId: "t-2" });
  });
});

describe("removeRoles", () => {
  it("posts to /v1/mgmt/user/update/role/remove when removing project roles", async () => {
    const user = await h.client().removeRoles("alice@example.com", ["viewer"]);
    expect(user.roleNames).toEqual([]);
    expect(h.apiCalls()[0]).toMatchObject({
      path: "/v1/mgmt/user/update/role/remove",
      body: { loginId: "alice@example.com", roleNames: ["viewer"] },
    });
  });
});

describe("addTenant", () => {
  it("posts { loginId, tenantId } to /v1/mgmt/user/update/tenant/add when joining a tenant", async () => {
    const user = await h.client().addTenant("alice@example.com", "t-1");
    expect(user.userTenants.map((t) => t.tenantId)).toEqual(["t-1"]);
    expect(h.apiCalls()[0]).toMatchObject({
      method: "POST",
      path: "/v1/mgmt/user/update/tenant/add",
      body: { loginId: "alice@example.com", tenantId: "t-1" },
    });
  });
});

describe("removeTenant", () => {
  it("posts { loginId, tenantId } to /v1/mgmt/user/update/tenant/remove when leaving a tenant", async () => {
    const user = await h.client().removeTenant("bob@example.com", "t-1");
    expect(user.userTenants).toEqual([]);
    expect(h.apiCalls()[0]).toMatchObject({
      path: "/v1/mgmt/user/update/tenant/remove",
      body: { loginId: "bob@example.com", tenantId: "t-1" },
    });
  });
});

describe("loadTenant", () => {
  it("sends GET /v1/mgmt/tenant?id= and returns the tenant when it exists", async () => {
    await expect(h.client().loadTenant("t-1")).resolves.toMatchObject({ id: "t-1", name: "Tenant One" });
    expect(h.apiCalls()[0]).toMatchObject({ method: "GET", path: "/v1/mgmt/tenant", query: { id: "t-1" } });
  });

  it("returns null when the tenant does not exist", async () => {
    await expect(h.client().loadTenant("t-missing")).resolves.toBeNull();
  });
});

describe("license handshake", () => {
  it("calls GET /v1/mgmt/license once and sends x-descope-license on every later call when several clients share a project", async () => {
    const a = h.client();
    await Promise.all([a.loadUser("alice@example.com"), a.loadUser("bob@example.com")]);
    await h.client().setRoles("alice@example.com", ["viewer"]);
    const log = h.emu.requests.all();
    expect(log.filter((r) => r.path === "/v1/mgmt/license")).toHaveLength(1);
    expect(log[0]).toMatchObject({ method: "GET", path: "/v1/mgmt/license", status: 200 });
    expect(log[0].headers["x-descope-license"]).toBeUndefined();
    const rest = log.slice(1);
    expect(rest).toHaveLength(3);
    for (const r of rest) expect(r.headers["x-descope-license"]).toBe("tier1");
  });

  it("goes on without the header when the handshake fails", async () => {
    h.emu.setFaults({ failNext: { count: 1, kind: "503", paths: ["/v1/mgmt/license"] } });
    await expect(h.client().loadUser("alice@example.com")).resolves.not.toBeNull();
    const log = h.emu.requests.all();
    expect(log.map((r) => [r.path, r.status])).toEqual([
      ["/v1/mgmt/license", 503],
      ["/v1/mgmt/user", 200],
    ]);
    expect(log[1].headers["x-descope-license"]).toBeUndefined();
  });

  it("does not repeat a failed handshake on the next calls when less than 60 s have passed", async () => {
    h.emu.setFaults({ failNext: { count: 1, kind: "503", paths: ["/v1/mgmt/license"] } });
    const client = h.client();
    await client.loadUser("alice@example.com");
    await client.loadUser("bob@example.com");
    const log = h.emu.requests.all();
    expect(log.map((r) => [r.path, r.status])).toEqual([
      ["/v1/mgmt/license", 503],
      ["/v1/mgmt/user", 200],
      ["/v1/mgmt/user", 200],
    ]);
    expect(log[2].headers["x-descope-license"]).toBeUndefined();
  });
});

describe("loadUserById", () => {
  it("sends GET /v1/mgmt/user?userId= so that a login ID equal to the ID names nobody else", async () => {
    h.emu.state.seed({ users: [{ loginId: "U2alice0000000000000000000000", userId: "U2mallory000000000000000000" }] });
    const user = await h.client().loadUserById("U2alice0000000000000000000000");
    expect(user?.loginIds).toEqual(["alice@example.com"]);
    expect(h.apiCalls()[0]).toMatchObject({
      method: "GET",
      path: "/v1/mgmt/user",
      query: { userId: "U2alice0000000000000000000000" },
    });
  });
});

describe("searchUsers", () => {
  it("posts the filter with limit and page to /v2/mgmt/user/search and returns the page and total", async () => {
    const page = await h.client().searchUsers({ loginIds: ["alice@example.com", "bob@example.com"], limit: 1 });
    expect(page.total).toBe(2);
    expect(page.users).toHaveLength(1);
    const [call] = h.apiCalls();
    expect(call).toMatchObject({ method: "POST", path: "/v2/mgmt/user/search", status: 200 });
    expect(call.body).toEqual({ loginIds: ["alice@example.com", "bob@example.com"], limit: 1, page: 0 });
  });
});

describe("loadAllRoles", () => {
  it('sends GET /v1/mgmt/role/all and returns project roles with tenantId "" and tenant roles with theirs', async () => {
    const roles = await h.client().loadAllRoles();
    expect(roles.map((r) => [r.name, r.tenantId]).sort()).toEqual([
      ["admin", ""],
      ["editor", ""],
      ["t-auditor", "t-1"],
      ["viewer", ""],
    ]);
    expect(h.apiCalls()[0]).toMatchObject({ method: "GET", path: "/v1/mgmt/role/all", status: 200 });
  });
});

describe("loadAllTenants", () => {
  it("sends GET /v1/mgmt/tenant/all and returns each tenant with its default roles", async () => {
    const tenants = await h.client().loadAllTenants();
    expect(tenants.map((t) => [t.id, t.name, t.defaultRoles])).toEqual([
      ["t-1", "Tenant One", []],
      ["t-2", "Tenant Two", []],
    ]);
    expect(h.apiCalls()[0]).toMatchObject({ method: "GET", path: "/v1/mgmt/tenant/all", status: 200 });
  });
});

describe("loadUsers", () => {
  it("posts the user IDs to /v1/mgmt/users/load and returns the users found, leaving unknown IDs out", async () => {
    const users = await h.client().loadUsers(["U2alice0000000000000000000000", "U2nobody000000000000000000000"]);
    expect(users.map((u) => u.loginIds)).toEqual([["alice@example.com"]]);
    const [call] = h.apiCalls();
    expect(call).toMatchObject({ method: "POST", path: "/v1/mgmt/users/load", status: 200 });
    expect(call.body).toEqual({ userIds: ["U2alice0000000000000000000000", "U2nobody000000000000000000000"] });
  });
});
