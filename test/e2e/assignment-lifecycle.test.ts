/**
 * Create, no-change preview and destroy in every mode × scope, through the real engine,
 * asserting the emulator's users and the stack's state.
 */
// Each step runs the real engine in its own process: seconds each.
jest.setTimeout(240_000);

import { mutations, projectRoles, startScenario, tenantRoles, type Scenario } from "../support/scenario";

const grants = {
  grants: [
    { name: "ada-project", loginId: "ada@example.com", roleNames: ["admin", "billing"] },
    { name: "ada-acme", loginId: "ada@example.com", tenantId: "acme", roleNames: ["admin"] },
    { name: "bob-project", loginId: "bob@example.com", roleNames: ["admin"], mode: "add" },
    {
      name: "cy-globex",
      loginId: "cy@example.com",
      tenantId: "globex",
      roleNames: ["auditor", "support"],
      mode: "add",
    },
  ],
};

describe("UserRoleAssignment lifecycle", () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario();
  });
  afterAll(async () => s?.dispose());

  it("creates every mode × scope, previews no change, and destroy leaves the contract's result", async () => {
    const up = await s.stack.up(grants);
    expect(up.error).toBeUndefined();
    expect(up.changeSummary).toEqual({ create: 5 });

    // set + project: exactly the declared roles.
    expect(projectRoles(s.emu, "ada@example.com")).toEqual(["admin", "billing"]);
    // set + tenant: joined (the tenant's default role "viewer" replaced by the declared set).
    expect(tenantRoles(s.emu, "ada@example.com", "acme")).toEqual(["admin"]);
    // add + project: the held role stays, the declared one is added.
    expect(projectRoles(s.emu, "bob@example.com")).toEqual(["admin", "viewer"]);
    // add + tenant: the held role stays, only the missing one is added.
    expect(tenantRoles(s.emu, "cy@example.com", "globex")).toEqual(["auditor", "support"]);

    const byName = Object.fromEntries(
      (await s.stack.resources("descope:UserRoleAssignment")).map((r) => [r.urn.split("::").pop(), r]),
    );
    expect(byName["ada-project"].type).toBe("pulumi-nodejs:dynamic/descope:UserRoleAssignment");
    expect(byName["ada-project"].id).toBe("U2ada00000000000000000000000");
    expect(byName["ada-acme"].id).toBe("acme/U2ada00000000000000000000000");
    expect(byName["ada-acme"].outputs).toMatchObject({
      userId: "U2ada00000000000000000000000",
      loginId: "ada@example.com",
      tenantId: "acme",
      tenantName: "Acme Corp",
      mode: "set",
      roleNames: ["admin"],
      liveRoleNames: ["admin"],
      grantedRoleNames: [],
    });
    expect(byName["ada-project"].outputs).toMatchObject({ tenantId: null, tenantName: null });
    expect(byName["bob-project"].outputs).toMatchObject({
      mode: "add",
      liveRoleNames: ["admin", "viewer"],
      grantedRoleNames: ["admin"],
    });
    expect(byName["cy-globex"].outputs).toMatchObject({
      grantedRoleNames: ["auditor"],
      liveRoleNames: ["auditor", "support"],
    });
    expect((up.outputs as any)["cy-globex"].grantedRoleNames).toEqual(["auditor"]);

    const preview = await s.stack.preview(grants, true);
    expect(preview.error).toBeUndefined();
    expect(preview.changeSummary).toEqual({ same: 5 });

    s.emu.requests.clear();
    const destroy = await s.stack.destroy(grants);
    expect(destroy.error).toBeUndefined();
    expect(destroy.changeSummary).toEqual({ delete: 5 });
    expect(projectRoles(s.emu, "ada@example.com")).toEqual([]); // declared roles removed
    expect(tenantRoles(s.emu, "ada@example.com", "acme")).toBeUndefined(); // left the tenant
    expect(projectRoles(s.emu, "bob@example.com")).toEqual(["viewer"]); // only its own grant removed
    expect(tenantRoles(s.emu, "cy@example.com", "globex")).toEqual(["support"]); // membership kept
    expect(mutations(s.emu).sort()).toEqual([
      "POST /v1/mgmt/user/update/role/remove 200",
      "POST /v1/mgmt/user/update/role/remove 200",
      "POST /v1/mgmt/user/update/role/remove 200",
      "POST /v1/mgmt/user/update/tenant/remove 200",
    ]);
  });
});
