/**
 * The provider methods called by hand against the emulator on loopback: the edge cases that
 * are slow or awkward to reach through the engine.
 */
import { startEmulator, type EmulatorHandle } from "../../emulator";
import * as lifecycle from "../../provider/lifecycle";
import { resetProviderState, state } from "../../provider/provider-state";
import { StackRecords } from "../../provider/stack-record";
import { UserLocks } from "../../provider/user-locks";
import type { AssignmentOutputs } from "../../provider/plan";
import { READ_POSTS, baseSeed } from "../support/emulator-state";

const ADA = "ada@example.com";
const ADA_ID = "U2ada00000000000000000000000";

function configRequest(values: Record<string, string | undefined>) {
  return { config: { get: (key: string) => values[key] } } as any;
}

async function configureFor(emu: EmulatorHandle): Promise<void> {
  await lifecycle.configure(
    configRequest({
      "descope:projectId": emu.projectId,
      "descope:managementKey": emu.managementKey,
      "descope:baseUrl": emu.url,
    }),
  );
}

const posts = (emu: EmulatorHandle) =>
  emu.requests
    .all()
    .filter((r) => r.method === "POST" && !READ_POSTS.includes(r.path))
    .map((r) => `${r.path} ${r.status}`);

/** The API calls the emulator answered, as `METHOD path` lines, without the license handshake. */
const apiCalls = (emu: EmulatorHandle) =>
  emu.requests
    .all()
    .filter((q) => q.path !== "/v1/mgmt/license")
    .map((q) => `${q.method} ${q.path}`);

/** A fresh provider process whose stack record holds no other assignment. */
function freshProcess(): void {
  resetProviderState();
  state.records = new StackRecords(async () => ({ readable: true, assignments: [], interrupted: [] }));
}

const urnOf = (name: string) => `urn:pulumi:test::p::pulumi-nodejs:dynamic/descope:UserRoleAssignment::${name}`;

describe("lifecycle", () => {
  let emu: EmulatorHandle;
  beforeEach(async () => {
    freshProcess(); // each test is a deployment of its own
    emu = await startEmulator({ seed: baseSeed(), warn: () => undefined });
    await configureFor(emu);
  });

  /** A later deployment: a fresh provider process configured for `target`. */
  async function nextDeployment(target: EmulatorHandle): Promise<void> {
    freshProcess();
    await configureFor(target);
  }
  afterEach(async () => emu.close());

  async function created(args: Record<string, unknown>): Promise<{ id: string; outs: AssignmentOutputs }> {
    const checked = await lifecycle.check({}, { mode: "set", __assignmentUrn: urnOf("r"), ...args });
    return (await lifecycle.create(checked.inputs as Record<string, unknown>)) as {
      id: string;
      outs: AssignmentOutputs;
    };
  }

  describe("check", () => {
    it("throws the missing setting's config key and variable when the provider is not configured", async () => {
      await lifecycle.configure(configRequest({}));
      await expect(lifecycle.check({}, { loginId: ADA, roleNames: [] })).rejects.toThrow(
        /descope:projectId.*DESCOPE_PROJECT_ID/,
      );
    });
  });

  describe("create", () => {
    it("adopts an assignment that already holds with no mutating call", async () => {
      emu.state.seed({
        users: [{ loginId: ADA, userId: ADA_ID, userTenants: [{ tenantId: "acme", roleNames: ["admin"] }] }],
      });
      emu.requests.clear();
      const r = await created({ loginId: ADA, tenantId: "acme", roleNames: ["admin"] });
      expect(r.id).toBe(`acme/${ADA_ID}`);
      expect(posts(emu)).toEqual([]);
    });

    it("removes the membership it added when setting the roles fails", async () => {
      await expect(created({ loginId: ADA, tenantId: "acme", roleNames: ["nope"] })).rejects.toThrow(
        /setRoles.*HTTP 400.*removed again/,
      );
      expect(posts(emu)).toEqual([
        "/v1/mgmt/user/update/tenant/add 200",
        "/v1/mgmt/user/update/role/set 400",
        "/v1/mgmt/user/update/tenant/remove 200",
      ]);
      expect(emu.state.user(ADA)!.userTenants).toEqual([]);
    });

    it("fails naming the loginId when the user does not exist", async () => {
      await expect(created({ loginId: "ghost@example.com", roleNames: ["admin"] })).rejects.toThrow(
        'Descope user "ghost@example.com" not found',
      );
    });
  });

  describe("delete", () => {
    it("succeeds when the user is already gone", async () => {
      const r = await created({ loginId: ADA, tenantId: "acme", roleNames: ["admin"] });
      emu.reset({ ...baseSeed(), users: [] });
      await expect(lifecycle.remove(r.id, r.outs)).resolves.toBeUndefined();
    });

    it("succeeds when the membership is already gone", async () => {
      const r = await created({ loginId: ADA, tenantId: "acme", roleNames: ["admin"] });
      emu.reset();
      emu.requests.clear();
      await expect(lifecycle.remove(r.id, r.outs)).resolves.toBeUndefined();
      expect(posts(emu)).toEqual([]);
    });

    it("succeeds when tenant/remove was applied but its answer was lost", async () => {
      const r = await created({ loginId: ADA, tenantId: "acme", roleNames: ["admin"] });
      const other = await startEmulator({ seed: emu.state.snapshot(), warn: () => undefined });
      await nextDeployment(other); // the resource is no longer declared
      other.setFaults({
        failNext: { count: 1, kind: "reset-after-apply", paths: ["/v1/mgmt/user/update/tenant/remove"] },
      });
      await expect(lifecycle.remove(r.id, r.outs)).resolves.toBeUndefined();
      expect(other.state.user(ADA)!.userTenants).toEqual([]);
      expect(posts(other)).toEqual(["/v1/mgmt/user/update/tenant/remove 0", "/v1/mgmt/user/update/tenant/remove 400"]);
      await other.close();
    });
  });

  describe("diff", () => {
    it("resolves another login ID of the same user with one call and does not replace", async () => {
      emu.state.seed({ users: [{ loginIds: [ADA, "ada.lovelace"], userId: ADA_ID }] });
      const r = await created({ loginId: ADA, roleNames: ["admin"] });
      await nextDeployment(emu);
      emu.requests.clear();
      const d = await lifecycle.diff(r.id, r.outs, { loginId: "ada.lovelace", roleNames: ["admin"], mode: "set" });
      expect(d).toMatchObject({ changes: true, replaces: [] });
      const userCalls = () => apiCalls(emu);
      expect(userCalls()).toEqual(["POST /v2/mgmt/user/search"]); // the sweep of a small project
      await lifecycle.diff(r.id, r.outs, { loginId: "ada.lovelace", roleNames: ["admin"], mode: "set" });
      expect(userCalls()).toHaveLength(1); // the sweep is reused within the process
      const other = await lifecycle.diff(r.id, r.outs, {
        loginId: "bob@example.com",
        roleNames: ["admin"],
        mode: "set",
      });
      expect(other.replaces).toEqual(["loginId"]);
    });
  });

  describe("read", () => {
    /** Creates three assignments, then reads them (one twice) together in the next deployment; the calls. */
    async function readTogether(): Promise<string[]> {
      const a = await created({ loginId: ADA, roleNames: ["admin"] });
      const b = await created({ loginId: "bob@example.com", roleNames: ["admin"] });
      const c = await created({ loginId: "cy@example.com", tenantId: "globex", roleNames: ["support"] });
      await nextDeployment(emu);
      emu.requests.clear();
      const reads = await Promise.all([a, b, c, a].map((r) => lifecycle.read(r.id, r.outs)));
      expect(reads.map((r) => r.id)).toEqual([a.id, b.id, c.id, a.id]);
      return apiCalls(emu);
    }

    it("reads every user of a small project with one search", async () => {
      expect(await readTogether()).toEqual(["POST /v2/mgmt/user/search"]);
    });

    it("loads the users of reads that run together in one users/load call when the project is too large to sweep", async () => {
      const fillers = Array.from({ length: 500 }, (_, i) => ({ loginId: `filler${i}@example.com` }));
      emu.reset({ ...baseSeed(), users: [...fillers, ...(baseSeed().users ?? [])] });
      expect(await readTogether()).toEqual(["POST /v2/mgmt/user/search", "POST /v1/mgmt/users/load"]);
    });

    it("returns the live roles, and as inputs the roles held so that preview --diff names roleNames; no id once the user is gone", async () => {
      const r = await created({ loginId: ADA, roleNames: ["admin"] });
      emu.state.seed({ users: [{ loginId: ADA, userId: ADA_ID, roleNames: ["admin", "support"] }] });
      await nextDeployment(emu); // a refresh is a deployment of its own
      const fresh = await lifecycle.read(r.id, r.outs);
      expect(fresh.id).toBe(ADA_ID);
      expect(fresh.props).toMatchObject({ liveRoleNames: ["admin", "support"], roleNames: ["admin"] });
      expect(fresh.inputs).toEqual({ loginId: ADA, roleNames: ["admin", "support"], mode: "set" });
      emu.reset({ ...baseSeed(), users: [] });
      await nextDeployment(emu);
      expect((await lifecycle.read(r.id, r.outs)).id).toBeUndefined();
    });
  });
});

describe("UserLocks", () => {
  const locks = new UserLocks();
  const withUserLock = <T>(user: string, fn: () => Promise<T>) => locks.run(user, fn);
  it("runs calls for one user one after another and calls for other users alongside", async () => {
    const events: string[] = [];
    const step = (name: string, ms: number) => async () => {
      events.push(`${name}:start`);
      await new Promise((r) => setTimeout(r, ms));
      events.push(`${name}:end`);
    };
    await Promise.all([
      withUserLock("u1", step("a", 30)),
      withUserLock("u1", step("b", 1)),
      withUserLock("u2", step("c", 1)),
    ]);
    expect(events.indexOf("b:start")).toBeGreaterThan(events.indexOf("a:end"));
    expect(events.indexOf("c:end")).toBeLessThan(events.indexOf("a:end"));
  });

  it("goes on with the next call after one fails", async () => {
    await expect(
      withUserLock("u3", async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    await expect(withUserLock("u3", async () => "next")).resolves.toBe("next");
  });
});
