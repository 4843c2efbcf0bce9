/**
 * What the provider must never get wrong: misspelled or malformed inputs, a user whose login
 * ID looks like another user's ID, deletes whose answers are lost, secrets, and drift shown
 * by `pulumi preview`. Resources are declared from raw arguments (the "assignments" program).
 */
// Each step runs the real engine in its own process: seconds each.
jest.setTimeout(240_000);

import { startEmulator, type EmulatorHandle, type EmulatorSeed, type FaultKind } from "../../emulator";
import { READ_POSTS, baseSeed, configFor, outOfBand, projectRoles, tenantRoles } from "../support/scenario";
import { TestStack } from "../support/pulumi";

const ADA = "ada@example.com";
const ADA_ID = "U2ada00000000000000000000000";
const MALLORY_ID = "U2mallory0000000000000000000";
const TYPE = "descope:UserRoleAssignment";
/** The signature Pulumi gives a secret value in state. */
const SECRET_SIG = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };

type Raw = { name: string; args: Record<string, unknown>; secret?: string[] };
const program = (...resources: Raw[]) => ({ resources });

/** The calls answered, other than the license load every provider process makes. */
const calls = (emu: EmulatorHandle) => emu.requests.all().filter((r) => r.path !== "/v1/mgmt/license");

describe("trust", () => {
  let emu: EmulatorHandle;
  let stack: TestStack;
  async function start(seed: EmulatorSeed = baseSeed()) {
    emu = await startEmulator({ seed, warn: () => undefined });
    stack = await TestStack.create({ program: "assignments", config: configFor(emu) });
  }
  afterEach(async () => {
    await stack?.dispose();
    await emu?.close();
  });

  it("fails the preview naming misspelled properties with a suggestion, making no API call", async () => {
    await start();
    const before = emu.state.snapshot();
    const preview = await stack.preview(
      program({ name: "ada", args: { loginId: ADA, tenant: "acme", Mode: "add", roleNames: ["admin"] } }),
    );
    expect(preview.ok).toBe(false);
    expect(preview.output).toContain('unknown property "tenant"; did you mean "tenantId"?');
    expect(preview.output).toContain('unknown property "Mode"; did you mean "mode"?');
    expect(calls(emu)).toEqual([]);
    expect(emu.state.snapshot()).toEqual(before);
  });

  it("refuses a loginId with a control character, naming loginId, before any API call", async () => {
    await start();
    const preview = await stack.preview(
      program({ name: "ada", args: { loginId: "ada\u0007@example.com", roleNames: ["admin"] } }),
    );
    expect(preview.ok).toBe(false);
    expect(preview.output).toContain("loginId must not contain control characters");
    expect(calls(emu)).toEqual([]);
  });

  it("takes mode null as the default set", async () => {
    await start();
    const up = await stack.up(program({ name: "ada", args: { loginId: ADA, roleNames: ["admin"], mode: null } }));
    expect(up.error).toBeUndefined();
    expect((up.outputs?.ada as { mode: string }).mode).toBe("set");
    const [r] = await stack.resources(TYPE);
    expect(r.outputs.mode).toBe("set");
    expect(projectRoles(emu, ADA)).toEqual(["admin"]);
  });

  it("never touches a user whose login ID is the target's user ID, on create, update or delete", async () => {
    const seed = baseSeed();
    seed.users!.push({ loginIds: [ADA_ID], userId: MALLORY_ID, name: "Mallory" });
    await start(seed);
    const untouched = () => {
      const mallory = emu.state.user(MALLORY_ID)!;
      expect([mallory.loginIds, mallory.roleNames, mallory.userTenants]).toEqual([[ADA_ID], [], []]);
    };
    const declare = (roleNames: string[]) => program({ name: "ada", args: { loginId: ADA, roleNames } });

    expect((await stack.up(declare(["admin"]))).error).toBeUndefined();
    expect(projectRoles(emu, ADA)).toEqual(["admin"]);
    untouched();
    const [r] = await stack.resources(TYPE);
    expect([r.id, r.outputs.userId]).toEqual([ADA_ID, ADA_ID]);

    expect((await stack.up(declare(["admin", "billing"]))).error).toBeUndefined();
    expect(projectRoles(emu, ADA)).toEqual(["admin", "billing"]);
    untouched();
    expect((await stack.destroy(declare(["admin", "billing"]))).error).toBeUndefined();
    expect(projectRoles(emu, ADA)).toEqual([]);
    untouched();
    // Every write named ada by her own login ID.
    const writes = emu.requests.all().filter((c) => c.method === "POST" && !READ_POSTS.includes(c.path));
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.map((c) => (c.body as { loginId?: string }).loginId)).toEqual(writes.map(() => ADA));
  });

  it.each<{ scope: string; tenantId?: string; path: string; kind: FaultKind }>([
    { scope: "tenant", tenantId: "acme", path: "/v1/mgmt/user/update/tenant/remove", kind: "503-after-apply" },
    { scope: "project", path: "/v1/mgmt/user/update/role/remove", kind: "reset-after-apply" },
  ])(
    "destroys a $scope grant when every answer of $path is lost ($kind) but the change applied",
    async ({ tenantId, path, kind }) => {
      await start();
      const declared = program({ name: "ada", args: { loginId: ADA, tenantId, roleNames: ["admin"] } });
      // Retries are bounded by time: every answer is lost until a short operation deadline ends
      // them. (Set before up: destroy configures the provider from the state.)
      stack.setConfig({ ...configFor(emu), "descope:operationTimeoutSeconds": { value: "4" } });
      expect((await stack.up(declared)).error).toBeUndefined();
      emu.requests.clear();
      emu.setFaults({ failNext: { count: 50, kind, paths: [path] } });

      const destroy = await stack.destroy(declared);
      expect(destroy.error).toBeUndefined();
      const faulted = emu.requests.all().filter((c) => c.path === path);
      expect(faulted.length).toBeGreaterThan(1); // retried, every answer lost
      expect(faulted.every((c) => c.fault === kind)).toBe(true);
      if (tenantId) expect(tenantRoles(emu, ADA, tenantId)).toBeUndefined();
      else expect(projectRoles(emu, ADA)).toEqual([]);
      expect(await stack.resources(TYPE)).toEqual([]);
    },
  );

  it("keeps roles, the tenant and what derives from them secret in state and stack outputs", async () => {
    await start();
    const up = await stack.up(
      program({
        name: "ada",
        args: { loginId: ADA, tenantId: "acme", roleNames: ["admin"] },
        secret: ["roleNames", "tenantId"],
      }),
    );
    expect(up.error).toBeUndefined();
    expect(tenantRoles(emu, ADA, "acme")).toEqual(["admin"]);
    expect(up.output).not.toContain("Acme Corp");

    const exported = await stack.exportStack(false);
    expect(exported.ok).toBe(true);
    expect(exported.output).not.toContain("Acme Corp");
    const resources = (exported.deployment as { resources: any[] }).resources;
    const r = resources.find((x) => String(x.type).endsWith(TYPE));
    for (const key of ["roleNames", "liveRoleNames", "grantedRoleNames", "tenantId", "tenantName"]) {
      expect([key, r.outputs[key]]).toEqual([
        key,
        expect.objectContaining({ ...SECRET_SIG, ciphertext: expect.any(String) }),
      ]);
    }
    expect(r.outputs.loginId).toBe(ADA); // not declared secret
    // The program's stack output carries them secret too (the runner's up.outputs drops the flag).
    const out = resources.find((x) => x.type === "pulumi:pulumi:Stack").outputs.ada;
    for (const key of ["roleNames", "liveRoleNames", "grantedRoleNames", "tenantId", "tenantName"]) {
      expect([key, out[key]]).toEqual([
        key,
        expect.objectContaining({ ...SECRET_SIG, ciphertext: expect.any(String) }),
      ]);
    }
    expect(out.userId).toBe(ADA_ID);
  });

  it("keeps a secret loginId out of the error when the user does not exist", async () => {
    await start();
    const up = await stack.up(
      program({ name: "ghost", args: { loginId: "ghost@example.com", roleNames: ["admin"] }, secret: ["loginId"] }),
    );
    expect(up.ok).toBe(false);
    expect(up.output).not.toContain("ghost@example.com");
    expect(up.output).toContain("[secret]");
    expect(await stack.resources(TYPE)).toEqual([]);
  });

  it("shows drift on roleNames after refresh and removes the foreign role on up", async () => {
    await start();
    const declared = program({ name: "ada", args: { loginId: ADA, roleNames: ["admin"] } });
    expect((await stack.up(declared)).error).toBeUndefined();
    await outOfBand(emu).addRoles(ADA, ["support"]);
    expect((await stack.refresh(declared)).error).toBeUndefined();
    const [r] = await stack.resources(TYPE);
    expect([r.inputs.roleNames, r.outputs.roleNames, r.outputs.liveRoleNames]).toEqual([
      ["admin", "support"],
      ["admin"],
      ["admin", "support"],
    ]);

    const preview = await stack.preview(declared);
    expect(preview.error).toBeUndefined();
    expect(preview.changeSummary).toEqual({ update: 1, same: 1 });
    expect(preview.output).toMatch(/ada\s+update\s+\[diff: ~roleNames\]/);

    const up = await stack.up(declared);
    expect(up.changeSummary).toEqual({ update: 1, same: 1 });
    expect(projectRoles(emu, ADA)).toEqual(["admin"]);
    const [write] = emu.requests
      .all()
      .filter((c) => c.method === "POST")
      .slice(-1);
    expect([write.path, write.body]).toEqual(["/v1/mgmt/user/update/role/set", { loginId: ADA, roleNames: ["admin"] }]);
  });
});
