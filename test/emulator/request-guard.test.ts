/**
 * The guards that keep a web page from driving the emulator (emulator/request-guard.ts): every
 * request needs a loopback `Host` (DNS rebinding), and admin POST and DELETE need
 * `Content-Type: application/json` (cross-origin "simple" requests). A refused request changes
 * nothing and is not recorded.
 */
import { startEmulator, type EmulatorHandle } from "../../emulator";
import { isJsonContentType, isLoopbackHost } from "../../emulator/request-guard";
import { sendRaw } from "./helpers";

const SEED = { roles: [{ name: "viewer" }], users: [{ loginId: "alice", roleNames: ["viewer"] }] };
const JSON_TYPE = { "content-type": "application/json" };

let emu: EmulatorHandle;
let warnings: string[];
beforeEach(async () => {
  warnings = [];
  emu = await startEmulator({ seed: SEED, warn: (line) => warnings.push(line) });
});
afterEach(() => emu.close());

const auth = () => ({ authorization: `Bearer ${emu.projectId}:${emu.managementKey}` });

describe("isLoopbackHost", () => {
  it.each([
    "localhost",
    "localhost:8080",
    "LocalHost:1",
    "127.0.0.1",
    "127.0.0.1:43123",
    "127.1.2.3:80",
    "127.255.255.255",
    "[::1]",
    "[::1]:8080",
  ])("accepts %s", (host) => expect(isLoopbackHost(host)).toBe(true));

  it.each([
    undefined,
    "",
    "evil.example",
    "evil.example:8080",
    "127.0.0.1.evil.example",
    "localhost.evil.example",
    "evil-localhost",
    "0.0.0.0",
    "10.0.0.1",
    "128.0.0.1",
    "127.0.0.256",
    "127.0.0",
    "[::2]",
    "[::1",
    "127.0.0.1:99999",
    "127.0.0.1:",
    "localhost:http",
  ])("refuses %s", (host) => expect(isLoopbackHost(host)).toBe(false));
});

describe("isJsonContentType", () => {
  it.each([
    ["application/json", true],
    ["application/json; charset=utf-8", true],
    ["Application/JSON;charset=UTF-8", true],
    ["text/plain", false],
    ["application/x-www-form-urlencoded", false],
    ["multipart/form-data; boundary=x", false],
    ["application/jsonp", false],
    [undefined, false],
  ])("says %s is JSON: %s", (type, expected) => expect(isJsonContentType(type)).toBe(expected));
});

describe("Host header", () => {
  it("refuses an admin path with 421 E000421 naming the header when Host is evil.example", async () => {
    const res = await sendRaw(emu, "GET", "/emulator/state", { host: "evil.example" });
    expect([res.status, res.json.errorCode]).toEqual([421, "E000421"]);
    expect(res.json.errorMessage).toContain("Host header is loopback");
    expect(res.json.errorMessage).toContain("'evil.example'");
  });

  it("refuses an admin write with Host evil.example and changes nothing", async () => {
    const before = emu.state.snapshot();
    const body = JSON.stringify({ seed: {} });
    const res = await sendRaw(emu, "POST", "/emulator/reset", { host: "evil.example:80", ...JSON_TYPE }, body);
    expect(res.status).toBe(421);
    expect(emu.state.snapshot()).toEqual(before);
  });

  it("refuses an API path with 421 before auth, records nothing, and warns", async () => {
    const body = JSON.stringify({ name: "owned" });
    const headers = { host: "evil.example", ...auth(), ...JSON_TYPE };
    const res = await sendRaw(emu, "POST", "/v1/mgmt/role/create", headers, body);
    expect([res.status, res.json.errorCode]).toEqual([421, "E000421"]);
    expect(emu.state.snapshot().roles.map((r) => r.name)).toEqual(["viewer"]);
    expect(emu.requests.all()).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining("421 for POST /v1/mgmt/role/create")]);
  });

  it("refuses an admin write without a Host header (Node's own 400) and changes nothing", async () => {
    const before = emu.state.snapshot();
    const body = JSON.stringify({ users: [{ loginId: "mallory" }] });
    const res = await sendRaw(emu, "POST", "/emulator/seed", { host: null, ...JSON_TYPE }, body);
    expect(res.status).toBe(400);
    expect(emu.state.snapshot()).toEqual(before);
  });

  it.each(["127.0.0.1", "localhost"])("accepts Host %s:<port> on an admin and an API path", async (name) => {
    const host = `${name}:${emu.port}`;
    expect((await sendRaw(emu, "GET", "/emulator/state", { host })).status).toBe(200);
    const api = await sendRaw(emu, "GET", "/v1/mgmt/user?loginId=alice", { host, ...auth() });
    expect([api.status, api.json.user.loginIds]).toEqual([200, ["alice"]]);
    expect(warnings).toEqual([]);
  });
});

describe("admin Content-Type", () => {
  it("answers 415 E000415 naming the header to a text/plain POST /emulator/seed and changes nothing", async () => {
    const before = emu.state.snapshot();
    const body = JSON.stringify({ users: [{ loginId: "mallory" }] });
    const res = await sendRaw(emu, "POST", "/emulator/seed", { "content-type": "text/plain" }, body);
    expect([res.status, res.json.errorCode]).toEqual([415, "E000415"]);
    expect(res.json.errorMessage).toContain("Content-Type: application/json");
    expect(emu.state.snapshot()).toEqual(before);
  });

  it.each([
    ["text/plain;charset=UTF-8", { "content-type": "text/plain;charset=UTF-8" }],
    ["a form", { "content-type": "application/x-www-form-urlencoded" }],
    ["no content type", {}],
  ])("answers 415 to POST /emulator/faults with %s and leaves faults off", async (_, headers) => {
    const body = JSON.stringify({ rates: { "503": 1 } });
    expect((await sendRaw(emu, "POST", "/emulator/faults", headers, body)).status).toBe(415);
    expect((await sendRaw(emu, "GET", "/v1/mgmt/role/all", auth())).status).toBe(200);
  });

  it("answers 415 to DELETE /emulator/requests without a content type and keeps the log", async () => {
    await sendRaw(emu, "GET", "/v1/mgmt/role/all", auth());
    const res = await sendRaw(emu, "DELETE", "/emulator/requests", {});
    expect([res.status, res.json.errorCode]).toEqual([415, "E000415"]);
    expect(emu.requests.all()).toHaveLength(1);
  });

  it("accepts DELETE /emulator/requests with application/json and no body", async () => {
    await sendRaw(emu, "GET", "/v1/mgmt/role/all", auth());
    expect((await sendRaw(emu, "DELETE", "/emulator/requests", JSON_TYPE)).json).toEqual({ ok: true });
    expect(emu.requests.all()).toEqual([]);
  });

  it("accepts application/json with a charset parameter", async () => {
    const body = JSON.stringify({ users: [{ loginId: "bob" }] });
    const headers = { "content-type": "application/json; charset=utf-8" };
    expect((await sendRaw(emu, "POST", "/emulator/seed", headers, body)).status).toBe(200);
    expect(emu.state.user("bob")?.loginIds).toEqual(["bob"]);
  });

  it("asks no content type of a GET", async () => {
    expect((await sendRaw(emu, "GET", "/emulator/faults", {})).status).toBe(200);
  });
});
