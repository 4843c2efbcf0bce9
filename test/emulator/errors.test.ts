/**
 * What the emulator does with bad requests: wrong credentials, bodies that are not JSON,
 * fields of the wrong type, missing fields, unknown paths. A request that fails changes nothing.
 * Statuses and codes: docs/descope-api.md, "Transport".
 */
import { startEmulator, type EmulatorHandle } from "../../emulator";
import { send, startHarness } from "./helpers";

let emu: EmulatorHandle;
let warn: jest.Mock;
beforeEach(async () => {
  warn = jest.fn();
  emu = await startEmulator({
    warn,
    seed: {
      roles: [{ name: "viewer" }, { name: "editor" }],
      tenants: [{ id: "t1" }],
      users: [{ loginId: "alice", roleNames: ["viewer"], userTenants: [{ tenantId: "t1", roleNames: ["viewer"] }] }],
    },
  });
});
afterEach(() => emu.close());

const SET = "/v1/mgmt/user/update/role/set";

describe("authorization", () => {
  it("answers 401 E011003 to the SDK when the management key is wrong", async () => {
    const h = await startHarness({}, "wrong-key");
    try {
      const res = await h.m.user.load("anyone");
      expect([res.code, res.error?.errorCode]).toEqual([401, "E011003"]);
      expect(res.error?.errorDescription).toBeTruthy();
    } finally {
      await h.emu.close();
    }
  });

  it("answers 401 when the Authorization header is missing, for another project, or not Bearer", async () => {
    for (const auth of [
      false,
      `Bearer Pother:${emu.managementKey}`,
      `Basic ${emu.projectId}:${emu.managementKey}`,
      `Bearer ${emu.projectId}`,
    ]) {
      const res = await send(emu, "GET", "/v1/mgmt/role/all", undefined, { auth });
      expect([res.status, res.json.errorCode]).toEqual([401, "E011003"]);
    }
  });

  it("never records the Authorization header or echoes the key", async () => {
    const res = await send(emu, "GET", "/v1/mgmt/role/all", undefined, {
      auth: `Bearer ${emu.projectId}:secret-guess`,
    });
    expect(res.text).not.toContain("secret-guess");
    const recorded = JSON.stringify(emu.requests.all());
    expect(recorded).not.toContain("secret-guess");
    expect(emu.requests.last()?.headers.authorization).toBeUndefined();
  });
});

describe("malformed bodies", () => {
  it.each([
    ["not JSON", "{loginId: alice"],
    ["a JSON array", "[1,2]"],
    ["JSON null", "null"],
    ["empty", ""],
  ])("answers 400 E011001 and changes nothing when the body is %s", async (_what, rawBody) => {
    const before = emu.state.snapshot();
    const res = await send(emu, "POST", SET, undefined, { rawBody });
    expect([res.status, res.json.errorCode]).toEqual([400, "E011001"]);
    expect(emu.state.snapshot()).toEqual(before);
    expect(emu.requests.last()).toMatchObject({ path: SET, status: 400 });
  });

  it("answers 400 E011001 to a body over 1 MiB without crashing", async () => {
    const res = await send(emu, "POST", SET, undefined, { rawBody: `{"x":"${"a".repeat(1_100_000)}"}` });
    expect([res.status, res.json.errorCode]).toEqual([400, "E011001"]);
    expect((await send(emu, "GET", "/v1/mgmt/role/all")).status).toBe(200);
  });
});

describe("field validation", () => {
  it.each([
    ["roleNames is a string", { loginId: "alice", roleNames: "editor" }],
    ["roleNames holds a number", { loginId: "alice", roleNames: ["editor", 3] }],
    ["loginId is a number", { loginId: 42, roleNames: ["editor"] }],
    ["loginId is empty", { loginId: "", roleNames: ["editor"] }],
    ["tenantId is an object", { loginId: "alice", roleNames: ["editor"], tenantId: {} }],
  ])("answers 400 E011004 and changes nothing when %s", async (_what, body) => {
    const before = emu.state.snapshot();
    const res = await send(emu, "POST", SET, body);
    expect([res.status, res.json.errorCode]).toEqual([400, "E011004"]);
    expect(emu.state.snapshot()).toEqual(before);
  });

  it.each([
    ["loginId", SET, { roleNames: [] }],
    ["roleNames", SET, { loginId: "alice" }],
    ["tenantId", "/v1/mgmt/user/update/tenant/add", { loginId: "alice" }],
    ["name", "/v1/mgmt/tenant/create", {}],
    ["userIds", "/v1/mgmt/users/load", {}],
  ])("answers 400 E011002 when %s is missing", async (_field, path, body) => {
    const res = await send(emu, "POST", path, body);
    expect([res.status, res.json.errorCode]).toEqual([400, "E011002"]);
  });

  it("answers 400 E011002 when GET /v1/mgmt/user has neither loginId nor userId", async () => {
    const res = await send(emu, "GET", "/v1/mgmt/user");
    expect([res.status, res.json.errorCode]).toEqual([400, "E011002"]);
  });

  it("answers 400 E011004 to search with a negative limit", async () => {
    const res = await send(emu, "POST", "/v2/mgmt/user/search", { limit: -1 });
    expect([res.status, res.json.errorCode]).toEqual([400, "E011004"]);
  });
});

describe("hostile input", () => {
  const POST_PATHS = [
    "/v1/mgmt/users/load",
    "/v2/mgmt/user/search",
    "/v1/mgmt/user/create",
    "/v1/mgmt/user/create/test",
    "/v1/mgmt/user/delete",
    "/v1/mgmt/user/update/role/set",
    "/v2/mgmt/user/update/role/add",
    "/v1/mgmt/user/update/role/add",
    "/v1/mgmt/user/update/role/remove",
    "/v1/mgmt/user/update/tenant/add",
    "/v1/mgmt/user/update/tenant/remove",
    "/v1/mgmt/tenant/create",
    "/v1/mgmt/tenant/updateDefaultRoles",
    "/v1/mgmt/tenant/delete",
    "/v1/mgmt/role/create",
    "/v1/mgmt/role/delete",
  ];
  const BODIES: unknown[] = [
    {},
    { loginId: null, userId: 7 },
    { loginId: [], roleNames: {} },
    { loginId: "alice", roleNames: [null] },
    { loginId: "x", userTenants: "t1" },
    { loginId: "x", userTenants: [1] },
    { loginId: "x", userTenants: [{ tenantId: 5 }] },
    { id: 3, name: {} },
    { name: "r", tenantId: ["t1"] },
    { userIds: "U1" },
    { limit: "10", page: 1.5 },
    { loginId: "x", customAttributes: [] },
    { id: "t1", defaultRoles: [1] },
    { name: "", description: 5 },
  ];

  it("never answers 5xx to odd bodies on any POST path, and every refused one changes nothing", async () => {
    let refused = 0;
    for (const path of POST_PATHS) {
      for (const body of BODIES) {
        const before = emu.state.snapshot();
        const res = await send(emu, "POST", path, body);
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) {
          refused += 1;
          expect({ path, body, errorCode: typeof res.json.errorCode, state: emu.state.snapshot() }).toEqual({
            path,
            body,
            errorCode: "string",
            state: before,
          });
        }
      }
    }
    expect(refused).toBeGreaterThan(POST_PATHS.length * BODIES.length * 0.8);
    expect(warn).not.toHaveBeenCalled();
  });

  it("refuses customAttributes nested 100,000 deep with 400 E011004 and keeps serving", async () => {
    const deep = `{"loginId":"deep","customAttributes":${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}}`;
    const res = await send(emu, "POST", "/v1/mgmt/user/create", undefined, { rawBody: deep });
    expect([res.status, res.json.errorCode]).toEqual([400, "E011004"]);
    expect(emu.state.user("deep")).toBeUndefined();
    expect((await send(emu, "GET", "/v1/mgmt/role/all")).status).toBe(200);
    expect(emu.requests.all()[0].body).toBe("<not recordable>");
  });
});

describe("atomicity", () => {
  it("keeps the tenant roles untouched when one of several roles is missing", async () => {
    const before = emu.state.snapshot();
    const res = await send(emu, "POST", SET, { loginId: "alice", tenantId: "t1", roleNames: ["editor", "ghost"] });
    expect(res.status).toBe(400);
    expect(emu.state.snapshot()).toEqual(before);
  });

  it("does not let callers mutate the state through what it hands out", async () => {
    const snapshot = emu.state.snapshot();
    snapshot.users[0].roleNames.push("editor");
    emu.state.user("alice")!.userTenants[0].roleNames.length = 0;
    expect(emu.state.user("alice")).toMatchObject({ roleNames: ["viewer"], userTenants: [{ roleNames: ["viewer"] }] });
  });
});

describe("unknown paths", () => {
  it("answers 404 naming the method and path, and warns loudly", async () => {
    const res = await send(emu, "POST", "/v1/mgmt/user/update/roles", { loginId: "alice" });
    expect(res.status).toBe(404);
    expect(res.json.errorMessage).toContain("POST /v1/mgmt/user/update/roles");
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("POST /v1/mgmt/user/update/roles"));
  });

  it("answers 404 to a known path with the wrong method or a trailing slash", async () => {
    expect((await send(emu, "GET", "/v1/mgmt/user/create")).status).toBe(404);
    expect((await send(emu, "GET", "/v1/mgmt/role/all/")).status).toBe(404);
  });
});
