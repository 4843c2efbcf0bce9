/**
 * Admin paths under /emulator/ (for other processes) and the direct state access of the handle.
 * Admin calls need no credentials and are never recorded, faulted or rate limited.
 */
import { startEmulator, type EmulatorHandle } from "../../emulator";
import { send } from "./helpers";

const SEED = {
  roles: [{ name: "viewer", permissionNames: ["read"] }],
  tenants: [{ id: "t1", name: "One" }],
  users: [{ loginId: "alice", roleNames: ["viewer"] }],
};

let emu: EmulatorHandle;
beforeEach(async () => {
  emu = await startEmulator({ seed: SEED });
});
afterEach(() => emu.close());

const admin = (method: string, path: string, body?: unknown) => send(emu, method, path, body, { auth: false });

describe("GET /emulator/state", () => {
  it("answers the whole state without credentials", async () => {
    const res = await admin("GET", "/emulator/state");
    expect(res.status).toBe(200);
    expect(res.json.users[0]).toMatchObject({ loginIds: ["alice"], roleNames: ["viewer"], permissions: ["read"] });
    expect(res.json.tenants.map((t: { id: string }) => t.id)).toEqual(["t1"]);
    expect(emu.requests.all()).toEqual([]);
  });
});

describe("POST /emulator/seed", () => {
  it("adds entities and answers the new state", async () => {
    const res = await admin("POST", "/emulator/seed", {
      users: [{ loginId: "bob", userTenants: [{ tenantId: "t1" }] }],
    });
    expect(res.json.users.map((u: { loginIds: string[] }) => u.loginIds[0])).toEqual(["alice", "bob"]);
    expect(emu.state.user("bob")?.userTenants[0]).toMatchObject({ tenantId: "t1", tenantName: "One" });
  });

  it("answers 400 and changes nothing when the seed has a wrong type", async () => {
    const before = emu.state.snapshot();
    const res = await admin("POST", "/emulator/seed", { users: [{ loginId: "bob" }, { loginId: 5 }] });
    expect([res.status, res.json.errorCode]).toEqual([400, "E011004"]);
    expect(emu.state.snapshot()).toEqual(before);
  });

  it("answers 400 E011001 when the body is not JSON", async () => {
    const res = await send(emu, "POST", "/emulator/seed", undefined, { auth: false, rawBody: "{oops" });
    expect([res.status, res.json.errorCode]).toEqual([400, "E011001"]);
  });
});

describe("POST /emulator/reset", () => {
  it("restores the start-up seed and empties the request log", async () => {
    await send(emu, "POST", "/v1/mgmt/role/create", { name: "extra" });
    expect((await admin("POST", "/emulator/reset")).json).toEqual({ ok: true });
    expect(emu.state.snapshot().roles.map((r) => r.name)).toEqual(["viewer"]);
    expect(emu.requests.all()).toEqual([]);
  });

  it("uses the seed in the body instead when given", async () => {
    await admin("POST", "/emulator/reset", { seed: { tenants: [{ id: "only" }] } });
    expect(emu.state.snapshot()).toMatchObject({ users: [], roles: [], tenants: [{ id: "only", name: "only" }] });
  });
});

describe("/emulator/requests", () => {
  it("lists the recorded API calls and clears them on DELETE", async () => {
    await send(emu, "GET", "/v1/mgmt/user?loginId=alice");
    const listed = await admin("GET", "/emulator/requests");
    expect(listed.json.requests).toHaveLength(1);
    expect(listed.json.requests[0]).toMatchObject({
      method: "GET",
      path: "/v1/mgmt/user",
      query: { loginId: "alice" },
      status: 200,
    });
    await admin("DELETE", "/emulator/requests");
    expect((await admin("GET", "/emulator/requests")).json.requests).toEqual([]);
  });
});

describe("/emulator/faults", () => {
  it("sets faults live, reports what is left, and turns them off with {}", async () => {
    const set = await admin("POST", "/emulator/faults", { failNext: { count: 2, kind: "503" } });
    expect(set.json.failNext).toEqual([{ count: 2, kind: "503" }]);
    expect((await send(emu, "GET", "/v1/mgmt/role/all")).status).toBe(503);
    expect((await admin("GET", "/emulator/faults")).json.failNext).toEqual([{ count: 1, kind: "503" }]);
    await admin("POST", "/emulator/faults", {});
    expect((await send(emu, "GET", "/v1/mgmt/role/all")).status).toBe(200);
  });

  it("answers 400 to invalid fault options and is itself never faulted", async () => {
    await admin("POST", "/emulator/faults", { rates: { "503": 1 } });
    const bad = await admin("POST", "/emulator/faults", { rates: { "503": 2 } });
    expect(bad.status).toBe(400);
    expect((await admin("GET", "/emulator/state")).status).toBe(200);
  });
});

describe("/emulator/rate-limit", () => {
  it("sets and removes the limit", async () => {
    const set = await admin("POST", "/emulator/rate-limit", { requests: 1, perSeconds: 60 });
    expect(set.json).toEqual({ rateLimit: { requests: 1, perSeconds: 60 } });
    await send(emu, "GET", "/v1/mgmt/role/all");
    expect((await send(emu, "GET", "/v1/mgmt/role/all")).status).toBe(429);
    expect((await admin("POST", "/emulator/rate-limit", {})).json).toEqual({ rateLimit: null });
    expect((await send(emu, "GET", "/v1/mgmt/role/all")).status).toBe(200);
  });
});

describe("unknown admin paths", () => {
  it("answers 404", async () => {
    expect((await admin("GET", "/emulator/nope")).status).toBe(404);
  });
});

describe("state access", () => {
  it("round-trips a snapshot through seed() without changes", async () => {
    const snapshot = emu.state.snapshot();
    emu.state.seed(snapshot);
    expect(emu.state.snapshot()).toEqual(snapshot);
  });

  it("throws on a malformed seed and changes nothing", () => {
    const before = emu.state.snapshot();
    expect(() => emu.state.seed({ roles: [{ name: "ok" }, { name: "" }] })).toThrow(/E011004/);
    expect(emu.state.snapshot()).toEqual(before);
  });

  it("resets to a different seed when reset() is given one", () => {
    emu.reset({ roles: [{ name: "other" }] });
    expect(emu.state.snapshot()).toMatchObject({ users: [], tenants: [], roles: [{ name: "other" }] });
  });
});
