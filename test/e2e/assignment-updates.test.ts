/**
 * Changes to the program: roles, order, loginId, mode, tenant, resource name.
 */
// Each step runs the real engine in its own process: seconds each.
jest.setTimeout(240_000);

import { mutations, projectRoles, startScenario, tenantRoles, type Scenario } from "../support/scenario";

type GrantSpec = { name?: string; loginId: string; tenantId?: string; roleNames: string[]; mode?: "set" | "add" };
const doc = (...grants: GrantSpec[]) => ({ grants });
const ADA = "ada@example.com";
const ADA_ID = "U2ada00000000000000000000000";

describe("update", () => {
  let s: Scenario;
  beforeEach(async () => {
    s = await startScenario();
  });
  afterEach(async () => s?.dispose());

  it("adds and removes a role when the program's roles change", async () => {
    const g = { name: "ada", loginId: ADA, tenantId: "acme" };
    expect((await s.stack.up(doc({ ...g, roleNames: ["admin"] }))).error).toBeUndefined();
    const added = await s.stack.up(doc({ ...g, roleNames: ["admin", "billing"] }));
    expect(added.changeSummary).toEqual({ update: 1, same: 1 });
    expect(tenantRoles(s.emu, ADA, "acme")).toEqual(["admin", "billing"]);
    const removed = await s.stack.up(doc({ ...g, roleNames: ["billing"] }));
    expect(removed.changeSummary).toEqual({ update: 1, same: 1 });
    expect(tenantRoles(s.emu, ADA, "acme")).toEqual(["billing"]);
  });

  it("reports no change when roles are reordered or repeated", async () => {
    expect(
      (await s.stack.up(doc({ name: "ada", loginId: ADA, roleNames: ["admin", "billing"] }))).error,
    ).toBeUndefined();
    s.emu.requests.clear();
    const reordered = doc({ name: "ada", loginId: ADA, roleNames: ["billing", "admin", "billing"] });
    const preview = await s.stack.preview(reordered, true);
    expect(preview.error).toBeUndefined();
    expect(preview.changeSummary).toEqual({ same: 2 });
    const up = await s.stack.up(reordered);
    expect(up.changeSummary).toEqual({ same: 2 });
    expect(mutations(s.emu)).toEqual([]);
  });

  it("updates in place, without replacing, when loginId switches to the user's userId", async () => {
    expect(
      (await s.stack.up(doc({ name: "ada", loginId: ADA, tenantId: "acme", roleNames: ["admin"] }))).error,
    ).toBeUndefined();
    const up = await s.stack.up(doc({ name: "ada", loginId: ADA_ID, tenantId: "acme", roleNames: ["admin"] }));
    expect(up.error).toBeUndefined();
    expect(up.changeSummary).toEqual({ update: 1, same: 1 });
    expect(up.output).not.toMatch(/replaced/);
    expect(tenantRoles(s.emu, ADA, "acme")).toEqual(["admin"]);
    const [r] = await s.stack.resources("descope:UserRoleAssignment");
    expect(r.id).toBe(`acme/${ADA_ID}`);
    expect(r.outputs.loginId).toBe(ADA_ID);
  });

  it("updates in place when the mode is switched", async () => {
    expect(
      (await s.stack.up(doc({ name: "bob", loginId: "bob@example.com", roleNames: ["admin"] }))).error,
    ).toBeUndefined();
    expect(projectRoles(s.emu, "bob@example.com")).toEqual(["admin"]); // set removed the held "viewer"
    const toAdd = await s.stack.up(
      doc({ name: "bob", loginId: "bob@example.com", roleNames: ["admin", "billing"], mode: "add" }),
    );
    expect(toAdd.changeSummary).toEqual({ update: 1, same: 1 });
    expect(projectRoles(s.emu, "bob@example.com")).toEqual(["admin", "billing"]);
    const [r] = await s.stack.resources("descope:UserRoleAssignment");
    expect(r.outputs).toMatchObject({ mode: "add", grantedRoleNames: ["admin", "billing"] });
  });

  it("replaces when tenantId changes, granting the new tenant before leaving the old", async () => {
    expect(
      (await s.stack.up(doc({ name: "ada", loginId: ADA, tenantId: "acme", roleNames: ["admin"] }))).error,
    ).toBeUndefined();
    s.emu.requests.clear();
    const up = await s.stack.up(doc({ name: "ada", loginId: ADA, tenantId: "globex", roleNames: ["admin"] }));
    expect(up.error).toBeUndefined();
    expect(up.changeSummary).toEqual({ replace: 1, same: 1 });
    expect(tenantRoles(s.emu, ADA, "globex")).toEqual(["admin"]);
    expect(tenantRoles(s.emu, ADA, "acme")).toBeUndefined();
    expect(mutations(s.emu)).toEqual([
      "POST /v2/mgmt/user/update/role/add 200", // globex has no default roles: joining is one write
      "POST /v1/mgmt/user/update/tenant/remove 200",
    ]);
  });

  it.each([
    ["set", "acme"],
    ["add", undefined],
  ] as const)(
    "keeps the user's roles when a resource (mode %s) is renamed without an alias",
    async (mode, tenantId) => {
      const roles = ["admin", "auditor"];
      expect(
        (await s.stack.up(doc({ name: "old-name", loginId: ADA, tenantId, roleNames: roles, mode }))).error,
      ).toBeUndefined();
      const renamed = await s.stack.up(doc({ name: "new-name", loginId: ADA, tenantId, roleNames: roles, mode }));
      expect(renamed.error).toBeUndefined();
      expect(renamed.changeSummary).toEqual({ create: 1, delete: 1, same: 1 });
      const held = tenantId ? tenantRoles(s.emu, ADA, tenantId) : projectRoles(s.emu, ADA);
      expect(held).toEqual(roles);
    },
  );
});
