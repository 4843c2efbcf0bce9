/**
 * Ownership: several declarations of one user and scope. A delete keeps what another
 * declaration still asserts, contradicting declarations fail the preview, one user named
 * several ways is one user, and mode add undoes only what it did itself.
 */
// Each step runs the real engine in its own process: seconds each.
jest.setTimeout(240_000);

import type { EmulatorSeed } from "../../emulator";
import { baseSeed, mutations, projectRoles, startScenario, tenantRoles, type Scenario } from "../support/scenario";

type GrantSpec = { name?: string; loginId: string; tenantId?: string; roleNames: string[]; mode?: "set" | "add" };
const doc = (...grants: GrantSpec[]) => ({ grants });
const ADA = "ada@example.com";
const ADA_ID = "U2ada00000000000000000000000";

/** The base seed with ada replaced by `ada` (same userId unless given). */
function seedWithAda(ada: Partial<NonNullable<EmulatorSeed["users"]>[number]>): EmulatorSeed {
  const seed = baseSeed();
  seed.users = seed.users!.map((u) => (u.userId === ADA_ID ? { userId: ADA_ID, ...ada } : u));
  return seed;
}

/** The stack's assignments by resource name. */
async function assignments(s: Scenario): Promise<Record<string, { outputs: any }>> {
  const all = await s.stack.resources("descope:UserRoleAssignment");
  return Object.fromEntries(all.map((r) => [r.urn.split("::").pop()!, r]));
}

describe("ownership", () => {
  let s: Scenario | undefined;
  const start = async (seed?: EmulatorSeed) => (s = await startScenario(seed));
  afterEach(async () => {
    await s?.dispose();
    s = undefined;
  });

  it("keeps the roles another declaration still asserts when one resource is deleted", async () => {
    const s = await start();
    const a: GrantSpec = { name: "a", loginId: ADA, tenantId: "acme", roleNames: ["admin", "billing"] };
    const b: GrantSpec = { name: "b", loginId: ADA, tenantId: "acme", roleNames: ["billing"], mode: "add" };
    expect((await s.stack.up(doc(a, b))).error).toBeUndefined();
    expect(tenantRoles(s.emu, ADA, "acme")).toEqual(["admin", "billing"]);

    s.emu.requests.clear();
    const up = await s.stack.up(doc(b));
    expect(up.error).toBeUndefined();
    expect(up.changeSummary).toEqual({ delete: 1, same: 2 });
    expect(tenantRoles(s.emu, ADA, "acme")).toEqual(["billing"]); // still a member; admin gone
    expect(mutations(s.emu)).toEqual(["POST /v1/mgmt/user/update/role/remove 200"]); // no tenant/remove
    expect(Object.keys(await assignments(s))).toEqual(["b"]);

    const preview = await s.stack.preview(doc(b), true);
    expect(preview.error).toBeUndefined();
  });

  it("keeps a role two add declarations share until the last of them is removed", async () => {
    const s = await start();
    const a: GrantSpec = { name: "a", loginId: ADA, roleNames: ["billing"], mode: "add" };
    const b: GrantSpec = { name: "b", loginId: ADA, roleNames: ["billing"], mode: "add" };
    expect((await s.stack.up(doc(a, b))).error).toBeUndefined();
    expect(projectRoles(s.emu, ADA)).toEqual(["billing"]);
    const byName = await assignments(s);
    expect(byName.a.outputs.grantedRoleNames).toEqual(["billing"]);
    expect(byName.b.outputs.grantedRoleNames).toEqual(["billing"]);

    s.emu.requests.clear();
    const withoutA = await s.stack.up(doc(b));
    expect(withoutA.changeSummary).toEqual({ delete: 1, same: 2 });
    expect(projectRoles(s.emu, ADA)).toEqual(["billing"]);
    expect(mutations(s.emu)).toEqual([]);

    const none = await s.stack.up(doc());
    expect(none.changeSummary).toEqual({ delete: 1, same: 1 });
    expect(projectRoles(s.emu, ADA)).toEqual([]);
    expect(mutations(s.emu)).toEqual(["POST /v1/mgmt/user/update/role/remove 200"]);
  });

  it("refuses two set declarations of one user and tenant at preview, naming both, before any write", async () => {
    const s = await start();
    const preview = await s.stack.preview(
      doc(
        { name: "ada-admins", loginId: ADA, tenantId: "acme", roleNames: ["admin"] },
        { name: "ada-billing", loginId: ADA, tenantId: "acme", roleNames: ["billing"] },
      ),
    );
    expect(preview.ok).toBe(false);
    expect(preview.output).toContain("contradicts");
    expect(preview.output).toContain('"ada-admins"');
    expect(preview.output).toContain('"ada-billing"');
    expect(preview.output).toContain("both set the roles");
    expect(mutations(s.emu)).toEqual([]);
    expect(tenantRoles(s.emu, ADA, "acme")).toBeUndefined();
  });

  it("refuses an add declaring a role its set peer does not, and accepts one within the set's roles", async () => {
    const s = await start();
    const set: GrantSpec = { name: "ada-set", loginId: ADA, tenantId: "acme", roleNames: ["admin"] };
    const preview = await s.stack.preview(
      doc(set, { name: "ada-add", loginId: ADA, tenantId: "acme", roleNames: ["billing"], mode: "add" }),
    );
    expect(preview.ok).toBe(false);
    expect(preview.output).toContain("contradicts");
    expect(preview.output).toContain('"ada-set"');
    expect(preview.output).toContain('"ada-add" adds "billing"');
    expect(mutations(s.emu)).toEqual([]);

    const up = await s.stack.up(
      doc(set, { name: "ada-add", loginId: ADA, tenantId: "acme", roleNames: ["admin"], mode: "add" }),
    );
    expect(up.error).toBeUndefined();
    expect(up.changeSummary).toEqual({ create: 3 });
    expect(tenantRoles(s.emu, ADA, "acme")).toEqual(["admin"]);
  });

  it("treats a user named by either login ID or the user ID as one user, adding a shared role once", async () => {
    const s = await start(seedWithAda({ loginIds: [ADA, "ada.lovelace"] }));
    const up = await s.stack.up(
      doc(
        { name: "by-email", loginId: ADA, roleNames: ["billing"], mode: "add" },
        { name: "by-alias", loginId: "ada.lovelace", roleNames: ["billing"], mode: "add" },
        { name: "by-id", loginId: ADA_ID, roleNames: ["billing"], mode: "add" },
      ),
    );
    expect(up.error).toBeUndefined();
    expect(up.changeSummary).toEqual({ create: 4 });
    expect(projectRoles(s.emu, ADA)).toEqual(["billing"]);
    expect(mutations(s.emu)).toEqual(["POST /v2/mgmt/user/update/role/add 200"]);
    const byName = await assignments(s);
    expect(["by-email", "by-alias", "by-id"].map((n) => byName[n].outputs.userId)).toEqual([ADA_ID, ADA_ID, ADA_ID]);
  });

  it("refuses two set declarations naming one user by different login IDs at preview", async () => {
    const s = await start(seedWithAda({ loginIds: [ADA, "ada.lovelace"] }));
    const preview = await s.stack.preview(
      doc(
        { name: "by-email", loginId: ADA, roleNames: ["admin"] },
        { name: "by-alias", loginId: "ada.lovelace", roleNames: ["billing"] },
      ),
    );
    expect(preview.ok).toBe(false);
    expect(preview.output).toContain("contradicts");
    expect(preview.output).toContain('"by-email"');
    expect(preview.output).toContain('"by-alias"');
    expect(preview.output).toContain("also named");
    expect(mutations(s.emu)).toEqual([]);
  });

  it("leaves the tenant on destroy when an add's create made the membership", async () => {
    const s = await start();
    const grants = doc({ name: "ada", loginId: ADA, tenantId: "acme", roleNames: ["billing"], mode: "add" });
    expect((await s.stack.up(grants)).error).toBeUndefined();
    expect(tenantRoles(s.emu, ADA, "acme")).toEqual(["billing", "viewer"]); // viewer: acme's default role
    expect((await assignments(s)).ada.outputs).toMatchObject({
      grantedRoleNames: ["billing"],
      createdMembership: true,
    });

    s.emu.requests.clear();
    const destroy = await s.stack.destroy(grants);
    expect(destroy.error).toBeUndefined();
    expect(tenantRoles(s.emu, ADA, "acme")).toBeUndefined();
    expect(mutations(s.emu)).toEqual(["POST /v1/mgmt/user/update/tenant/remove 200"]);
  });

  it("leaves a tenant two add declarations joined when the last of them goes, whichever made it", async () => {
    const s = await start();
    const a = { name: "a", loginId: ADA, tenantId: "acme", roleNames: ["billing"], mode: "add" as const };
    const b = { ...a, name: "b" };
    expect((await s.stack.up(doc(a, b))).error).toBeUndefined();
    const made = Object.values(await assignments(s)).filter((r) => r.outputs.createdMembership);
    expect(made).toHaveLength(2); // the second create shares the membership the first made

    expect((await s.stack.up(doc(a))).error).toBeUndefined(); // b goes: a still needs acme
    expect(tenantRoles(s.emu, ADA, "acme")).toEqual(["billing", "viewer"]);
    expect((await s.stack.up(doc())).error).toBeUndefined(); // a goes too
    expect(tenantRoles(s.emu, ADA, "acme")).toBeUndefined();
  });

  it("keeps a membership that existed before an add's create, with its roles, on destroy", async () => {
    const s = await start(seedWithAda({ loginId: ADA, userTenants: [{ tenantId: "acme", roleNames: ["support"] }] }));
    const grants = doc({ name: "ada", loginId: ADA, tenantId: "acme", roleNames: ["billing"], mode: "add" });
    expect((await s.stack.up(grants)).error).toBeUndefined();
    expect(tenantRoles(s.emu, ADA, "acme")).toEqual(["billing", "support"]);

    s.emu.requests.clear();
    const destroy = await s.stack.destroy(grants);
    expect(destroy.error).toBeUndefined();
    expect(tenantRoles(s.emu, ADA, "acme")).toEqual(["support"]);
    expect(mutations(s.emu)).toEqual(["POST /v1/mgmt/user/update/role/remove 200"]);
  });

  it("refuses an add with no roles in check, naming roleNames, before any user call", async () => {
    const s = await start();
    const preview = await s.stack.preview(
      doc({ name: "ada", loginId: ADA, tenantId: "acme", roleNames: [], mode: "add" }),
    );
    expect(preview.ok).toBe(false);
    expect(preview.output).toContain("roleNames is empty");
    expect(preview.output).toContain("declares nothing");
    expect(s.emu.requests.all().filter((r) => r.path !== "/v1/mgmt/license")).toEqual([]);
  });
});
