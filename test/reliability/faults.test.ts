/**
 * `pulumi up` and `pulumi destroy` through the real engine while the emulator fails calls on
 * the user paths: 503 gateway pages, 429s, resets, and changes applied with their answer lost.
 * The emulator must end exactly as declared, and the log must show the faults happened.
 *
 * Why this cannot flake: a call fails for good only after 5 faulted attempts (the client's
 * default). Each path below has one deterministic `failNext` fault, so one call meets at most
 * one of those; and the seeded `rates` give at most 3 faults in the first 40 draws (checked
 * below by replaying the emulator's own injector), while a phase draws fewer than 40 times
 * (also checked). So no call meets more than 4 faults, whatever order the engine's parallel
 * calls arrive in. The same settings are set again before destroy, so it sees the same faults.
 */
// Each step runs the real engine in its own process: seconds each.
jest.setTimeout(240_000);

import {
  startEmulator,
  type EmulatorHandle,
  type EmulatorSeed,
  type FaultOptions,
  type RecordedRequest,
} from "../../emulator";
import { FaultInjector, pathMatches } from "../../emulator/faults";
import { configFor } from "../support/scenario";
import { TestStack } from "../support/pulumi";
import { accessOf, describeCall, nextCallAbout, sameCall, type Access, type Grant } from "./fleet";

const USER_PATHS = ["/v1/mgmt/user", "/v1/mgmt/user/*", "/v2/mgmt/user/*"];
const SEED = 879; // draws 4, 13 and 14 fault (503, reset-after-apply, 503-after-apply), none other in the first 40
const FAULTS: FaultOptions = {
  rates: { "503": 0.06, reset: 0.05, "reset-after-apply": 0.04, "503-after-apply": 0.03, "429": 0.04 },
  seed: SEED,
  paths: USER_PATHS,
  retryAfterSeconds: 1,
  failNext: [
    { count: 1, kind: "reset", paths: ["/v1/mgmt/user"] },
    { count: 1, kind: "reset", paths: ["/v2/mgmt/user/search"] },
    { count: 1, kind: "reset-after-apply", paths: ["/v1/mgmt/user/update/tenant/add"] },
    { count: 1, kind: "503-after-apply", paths: ["/v1/mgmt/user/update/role/set"] },
    { count: 1, kind: "429", paths: ["/v2/mgmt/user/update/role/add"] },
    { count: 1, kind: "reset-after-apply", paths: ["/v1/mgmt/user/update/role/remove"] },
    { count: 1, kind: "reset-after-apply", paths: ["/v1/mgmt/user/update/tenant/remove"] },
  ],
};

const u = (name: string) => ({ loginId: `${name}@example.com`, userId: `U2${name}`.padEnd(28, "0") });
const seed: EmulatorSeed = {
  roles: ["admin", "viewer", "billing", "support", "auditor"].map((name) => ({ name })),
  tenants: [
    { id: "acme", name: "Acme Corp", defaultRoles: ["viewer"] },
    { id: "globex", name: "Globex" },
  ],
  users: [
    u("ana"),
    { ...u("ben"), roleNames: ["viewer"] },
    { ...u("cai"), userTenants: [{ tenantId: "globex", roleNames: ["support"] }] },
    { ...u("dee"), userTenants: [{ tenantId: "acme", roleNames: ["viewer", "support"] }] },
    { ...u("eli"), roleNames: ["support", "viewer"] },
    u("fay"),
    { ...u("gus"), roleNames: ["viewer"] },
    { ...u("zed"), roleNames: ["admin"], userTenants: [{ tenantId: "acme", roleNames: ["billing"] }] }, // no grant
  ],
};
const userIds = new Map(seed.users!.map((x) => [x.loginId!, x.userId!]));

const grants: Grant[] = [
  { name: "ana-project", loginId: "ana@example.com", roleNames: ["admin", "billing"] },
  { name: "ana-acme", loginId: "ana@example.com", tenantId: "acme", roleNames: ["admin"] },
  { name: "ben-project", loginId: "ben@example.com", roleNames: ["admin"], mode: "add" },
  {
    name: "cai-globex",
    loginId: "cai@example.com",
    tenantId: "globex",
    roleNames: ["auditor", "support"],
    mode: "add",
  },
  { name: "dee-acme", loginId: "dee@example.com", tenantId: "acme", roleNames: ["auditor"] },
  { name: "eli-project", loginId: "eli@example.com", roleNames: ["admin", "viewer"] },
  { name: "fay-acme", loginId: "fay@example.com", tenantId: "acme", roleNames: ["billing"], mode: "add" },
  { name: "fay-project", loginId: "fay@example.com", roleNames: ["auditor"], mode: "add" },
  { name: "gus-project", loginId: "gus@example.com", roleNames: ["viewer"], mode: "add" }, // already held: no call
];

const zed = { project: ["admin"], tenants: { acme: ["billing"] } };
const afterUp: Access = {
  "ana@example.com": { project: ["admin", "billing"], tenants: { acme: ["admin"] } },
  "ben@example.com": { project: ["admin", "viewer"], tenants: {} },
  "cai@example.com": { project: [], tenants: { globex: ["auditor", "support"] } },
  "dee@example.com": { project: [], tenants: { acme: ["auditor"] } },
  "eli@example.com": { project: ["admin", "viewer"], tenants: {} },
  "fay@example.com": { project: ["auditor"], tenants: { acme: ["billing", "viewer"] } },
  "gus@example.com": { project: ["viewer"], tenants: {} },
  "zed@example.com": zed,
};
// set + tenant: left the tenant; set + project: declared roles removed; add: only its grants
// removed, and a tenant its create joined is left again when only the default roles remain (fay).
const afterDestroy: Access = {
  "ana@example.com": { project: [], tenants: {} },
  "ben@example.com": { project: ["viewer"], tenants: {} },
  "cai@example.com": { project: [], tenants: { globex: ["support"] } },
  "dee@example.com": { project: [], tenants: {} },
  "eli@example.com": { project: [], tenants: {} },
  "fay@example.com": { project: [], tenants: {} },
  "gus@example.com": { project: ["viewer"], tenants: {} },
  "zed@example.com": zed,
};

/** The seeded faults among the first `n` draws, replayed with the emulator's own injector. */
function seededFaults(n: number): number {
  const replay = new FaultInjector({ rates: FAULTS.rates, seed: SEED });
  return Array.from({ length: n }, () => replay.decide("/v1/mgmt/user")).filter(Boolean).length;
}

/** The faulted calls of a phase, each checked to have been retried as the same call. */
function faultedAndRetried(calls: RecordedRequest[]): { faulted: string[]; unretried: string[] } {
  const faulted: string[] = [];
  const unretried: string[] = [];
  calls.forEach((call, i) => {
    if (!call.fault) return;
    faulted.push(`${call.fault} ${call.method} ${call.path}`);
    const next = nextCallAbout(calls, i, userIds);
    if (!next || !sameCall(next, call)) unretried.push(describeCall(call, userIds));
  });
  return { faulted, unretried };
}

describe("pulumi up and destroy", () => {
  let emu: EmulatorHandle;
  let stack: TestStack;
  beforeAll(async () => {
    emu = await startEmulator({ seed, faults: FAULTS, warn: () => undefined });
    stack = await TestStack.create({ program: "grants", config: configFor(emu) });
  });
  afterAll(async () => {
    await stack?.dispose();
    await emu?.close();
  });

  it("converge to the declared roles and then to the contract's result when user calls fail at random", async () => {
    expect(seededFaults(40)).toBeLessThanOrEqual(3); // the no-flake argument above
    const up = await stack.up({ grants });
    expect(up.error).toBeUndefined();
    expect(up.changeSummary).toEqual({ create: 10 });
    expect(accessOf(emu)).toEqual(afterUp);
    const outputs = up.outputs as Record<string, { grantedRoleNames: string[] }>;
    expect(Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.grantedRoleNames]))).toEqual({
      "ana-project": [],
      "ana-acme": [],
      "ben-project": ["admin"],
      "cai-globex": ["auditor"],
      "dee-acme": [],
      "eli-project": [],
      "fay-acme": ["billing"],
      "fay-project": ["auditor"],
      "gus-project": [],
    });
    const upCalls = emu.requests.all();
    const upFaults = faultedAndRetried(upCalls);
    expect(upFaults.unretried).toEqual([]);
    expect(upFaults.faulted).toEqual(
      expect.arrayContaining([
        "reset POST /v2/mgmt/user/search", // the user sweep of the preview checks
        "reset-after-apply POST /v1/mgmt/user/update/tenant/add",
        "503-after-apply POST /v1/mgmt/user/update/role/set",
        "429 POST /v2/mgmt/user/update/role/add",
      ]),
    );
    expect(upFaults.faulted.length).toBeGreaterThan(4); // the seeded rates added some too
    expect(upCalls.filter((c) => pathMatches(USER_PATHS, c.path)).length).toBeLessThan(40);

    emu.requests.clear();
    emu.setFaults(FAULTS); // the same faults, from the first draw
    const destroy = await stack.destroy({ grants });
    expect(destroy.error).toBeUndefined();
    expect(destroy.changeSummary).toEqual({ delete: 10 });
    expect(accessOf(emu)).toEqual(afterDestroy);
    const destroyCalls = emu.requests.all();
    const destroyFaults = faultedAndRetried(destroyCalls);
    expect(destroyFaults.unretried).toEqual([]);
    expect(destroyFaults.faulted).toEqual(
      expect.arrayContaining([
        "reset POST /v2/mgmt/user/search", // the user sweep of the first delete
        "reset GET /v1/mgmt/user", // a load after a lost answer: the state decides
        "reset-after-apply POST /v1/mgmt/user/update/role/remove",
        "reset-after-apply POST /v1/mgmt/user/update/tenant/remove",
      ]),
    );
    expect(destroyFaults.faulted.length).toBeGreaterThan(3);
    expect(destroyCalls.filter((c) => pathMatches(USER_PATHS, c.path)).length).toBeLessThan(40);
  });
});
