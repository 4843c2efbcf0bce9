/**
 * Changes made outside Pulumi: roles added or removed, membership removed, user deleted.
 */
// Each step runs the real engine in its own process: seconds each.
jest.setTimeout(240_000);

import { outOfBand, projectRoles, startScenario, tenantRoles, type Scenario } from "../support/scenario";

const ADA = "ada@example.com";

describe("refresh and drift", () => {
  let s: Scenario;
  beforeEach(async () => {
    s = await startScenario();
  });
  afterEach(async () => s?.dispose());

  it("shows roles added and removed out of band on refresh and corrects them on the next up in mode set", async () => {
    const grants = { grants: [{ name: "ada", loginId: ADA, tenantId: "acme", roleNames: ["admin", "billing"] }] };
    expect((await s.stack.up(grants)).error).toBeUndefined();
    await outOfBand(s.emu).addTenantRoles(ADA, "acme", ["support"]);
    await outOfBand(s.emu).removeTenantRoles(ADA, "acme", ["billing"]);

    const refresh = await s.stack.refresh(grants);
    expect(refresh.error).toBeUndefined();
    const [r] = await s.stack.resources("descope:UserRoleAssignment");
    expect(r.outputs.liveRoleNames).toEqual(["admin", "support"]);
    expect(r.outputs.roleNames).toEqual(["admin", "billing"]); // declared roles are not rewritten by refresh

    const preview = await s.stack.preview(grants);
    expect(preview.changeSummary).toEqual({ update: 1, same: 1 });
    const up = await s.stack.up(grants);
    expect(up.changeSummary).toEqual({ update: 1, same: 1 });
    expect(tenantRoles(s.emu, ADA, "acme")).toEqual(["admin", "billing"]);
    expect((await s.stack.preview(grants, true)).error).toBeUndefined();
  });

  it("drops the resource on refresh when the membership is removed, and the next up grants it again", async () => {
    const grants = { grants: [{ name: "ada", loginId: ADA, tenantId: "acme", roleNames: ["admin"] }] };
    expect((await s.stack.up(grants)).error).toBeUndefined();
    await outOfBand(s.emu).removeTenant(ADA, "acme");

    const refresh = await s.stack.refresh(grants);
    expect(refresh.error).toBeUndefined();
    expect(refresh.changeSummary).toMatchObject({ delete: 1 });
    expect(await s.stack.resources("descope:UserRoleAssignment")).toEqual([]);

    const up = await s.stack.up(grants);
    expect(up.changeSummary).toEqual({ create: 1, same: 1 });
    expect(tenantRoles(s.emu, ADA, "acme")).toEqual(["admin"]);
  });

  it("leaves foreign roles alone in mode add and re-adds a declared role removed out of band", async () => {
    const grants = { grants: [{ name: "bob", loginId: "bob@example.com", roleNames: ["admin"], mode: "add" }] };
    expect((await s.stack.up(grants)).error).toBeUndefined();
    await outOfBand(s.emu).addRoles("bob@example.com", ["support"]);
    expect((await s.stack.refresh(grants)).error).toBeUndefined();
    const quiet = await s.stack.preview(grants, true);
    expect(quiet.error).toBeUndefined();
    expect(projectRoles(s.emu, "bob@example.com")).toEqual(["admin", "support", "viewer"]);

    await outOfBand(s.emu).removeRoles("bob@example.com", ["admin"]);
    expect((await s.stack.refresh(grants)).error).toBeUndefined();
    const up = await s.stack.up(grants);
    expect(up.changeSummary).toEqual({ update: 1, same: 1 });
    expect(projectRoles(s.emu, "bob@example.com")).toEqual(["admin", "support", "viewer"]);
  });

  it("handles a user deleted out of band: refresh drops the resource, destroy succeeds, up names the loginId", async () => {
    const grants = {
      grants: [
        { name: "ada-project", loginId: ADA, roleNames: ["admin"] },
        { name: "ada-acme", loginId: ADA, tenantId: "acme", roleNames: ["admin"] },
      ],
    };
    expect((await s.stack.up(grants)).error).toBeUndefined();
    await outOfBand(s.emu).deleteUser(ADA);

    // destroy with the resources still in state (no refresh first) succeeds
    const destroy = await s.stack.destroy(grants);
    expect(destroy.error).toBeUndefined();
    expect(destroy.changeSummary).toEqual({ delete: 3 });

    s.emu.state.seed({ users: [{ loginId: ADA }] });
    expect((await s.stack.up(grants)).error).toBeUndefined();
    await outOfBand(s.emu).deleteUser(ADA);
    const refresh = await s.stack.refresh(grants);
    expect(refresh.error).toBeUndefined();
    expect(await s.stack.resources("descope:UserRoleAssignment")).toEqual([]);

    const up = await s.stack.up(grants);
    expect(up.ok).toBe(false);
    expect(up.output).toContain(`no user with login ID "${ADA}"`); // the preview checks refuse it
  });
});
