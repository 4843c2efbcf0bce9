import {
  AssignmentInputs,
  AssignmentOutputs,
  NO_OTHERS,
  normaliseRoles,
  planApply,
  planDelete,
  planDiff,
  resourceId,
  toOutputs,
  viewScope,
} from "../../provider/plan";

/** Other declarations of the same user and scope asserting (and owning) `roles`. */
const othersAsserting = (roles: string[], owned: string[] = roles) => ({
  count: 1,
  asserted: new Set(roles),
  owned: new Set(owned),
  membershipOwned: false,
  inDoubt: false,
  recorded: [],
});

const user = {
  userId: "U1",
  roleNames: ["viewer", "admin"],
  userTenants: [{ tenantId: "t1", tenantName: "Tenant One", roleNames: ["editor", "billing"] }],
};
const inputs = (over: Partial<AssignmentInputs> = {}): AssignmentInputs => ({
  loginId: "ada@example.com",
  tenantId: null,
  roleNames: ["admin"],
  mode: "set",
  ...over,
});
const outputs = (over: Partial<AssignmentOutputs> = {}): AssignmentOutputs => ({
  ...inputs(),
  userId: "U1",
  liveRoleNames: ["admin"],
  grantedRoleNames: [],
  tenantName: null,
  createdMembership: false,
  __secretInputs: [],
  ...over,
});

describe("normaliseRoles", () => {
  it("sorts and removes repeats so order and repeats never matter", () => {
    expect(normaliseRoles(["b", "a", "b", "c", "a"])).toEqual(["a", "b", "c"]);
  });
});

describe("viewScope", () => {
  it("returns the project roles when there is no tenant", () => {
    expect(viewScope(user, null)).toEqual({ member: true, roles: ["admin", "viewer"], tenantName: null });
  });
  it("returns the tenant's roles and name when the user is a member", () => {
    expect(viewScope(user, "t1")).toEqual({ member: true, roles: ["billing", "editor"], tenantName: "Tenant One" });
  });
  it("reports no membership when the user is not in the tenant", () => {
    expect(viewScope(user, "t2")).toEqual({ member: false, roles: [], tenantName: null });
  });
});

describe("resourceId", () => {
  it("is the userId for project scope and tenant/user with URI-encoded segments", () => {
    expect(resourceId(null, "U1")).toBe("U1");
    expect(resourceId("a/b c", "U1")).toBe("a%2Fb%20c/U1");
  });
});

describe("planApply (create)", () => {
  it.each([
    ["set, project, roles differ", inputs({ roleNames: ["admin"] }), [{ op: "setRoles", roles: ["admin"] }], false],
    ["set, project, already holds exactly", inputs({ roleNames: ["viewer", "admin"] }), [], false],
    [
      "set, tenant, not a member",
      inputs({ tenantId: "t2", roleNames: ["x"] }),
      [{ op: "addTenant" }, { op: "setRoles", roles: ["x"] }],
      true,
    ],
    [
      "set, tenant, member with other roles",
      inputs({ tenantId: "t1", roleNames: ["editor"] }),
      [{ op: "setRoles", roles: ["editor"] }],
      false,
    ],
    [
      "add, project, one missing",
      inputs({ mode: "add", roleNames: ["admin", "ops"] }),
      [{ op: "addRoles", roles: ["ops"] }],
      false,
    ],
    [
      "add, tenant, not a member",
      inputs({ mode: "add", tenantId: "t2", roleNames: ["x"] }),
      [{ op: "addRoles", roles: ["x"] }],
      false,
    ],
    ["add, all held already", inputs({ mode: "add", roleNames: ["viewer"] }), [], false],
  ])("plans %s", (_title, given, operations, createsMembership) => {
    const plan = planApply(given, viewScope(user, given.tenantId));
    expect(plan.operations).toEqual(operations);
    expect(plan.createsMembership).toBe(createsMembership);
  });

  it("records as granted only the roles that were missing in mode add", () => {
    const plan = planApply(inputs({ mode: "add", roleNames: ["admin", "ops", "qa"] }), viewScope(user, null));
    expect(plan.grantedRoleNames).toEqual(["ops", "qa"]);
  });
});

describe("planApply (update)", () => {
  const scope = { member: true, roles: ["admin", "ops", "viewer"], tenantName: null };

  it("removes a formerly granted role that is no longer declared, and keeps foreign roles", () => {
    const plan = planApply(inputs({ mode: "add", roleNames: ["admin"] }), scope, {
      mode: "add",
      roleNames: ["admin", "ops"],
      grantedRoleNames: ["ops"],
    });
    expect(plan.operations).toEqual([{ op: "removeRoles", roles: ["ops"] }]);
    expect(plan.grantedRoleNames).toEqual([]);
  });

  it("never removes a dropped grant that another declaration still asserts", () => {
    const plan = planApply(
      inputs({ mode: "add", roleNames: ["admin"] }),
      scope,
      {
        mode: "add",
        roleNames: ["admin", "ops"],
        grantedRoleNames: ["ops"],
      },
      othersAsserting(["ops"]),
    );
    expect(plan.operations).toEqual([]);
  });

  it("shares a held role another declaration owns, so the role goes with the last declaration", () => {
    const plan = planApply(
      inputs({ mode: "add", roleNames: ["ops", "qa"] }),
      scope,
      undefined,
      othersAsserting(["ops"]),
    );
    expect(plan.operations).toEqual([{ op: "addRoles", roles: ["qa"] }]);
    expect(plan.grantedRoleNames).toEqual(["ops", "qa"]);
  });

  it("does not claim a held role no declaration owns (granted out of band)", () => {
    const plan = planApply(inputs({ mode: "add", roleNames: ["ops"] }), scope, undefined, othersAsserting(["ops"], []));
    expect(plan.operations).toEqual([]);
    expect(plan.grantedRoleNames).toEqual([]);
  });

  it("adds back a granted role removed out of band and keeps it as granted", () => {
    const plan = planApply(inputs({ mode: "add", roleNames: ["qa"] }), scope, {
      mode: "add",
      roleNames: ["qa"],
      grantedRoleNames: ["qa"],
    });
    expect(plan.operations).toEqual([{ op: "addRoles", roles: ["qa"] }]);
    expect(plan.grantedRoleNames).toEqual(["qa"]);
  });

  it("takes the declared roles as its own grants when switching from set to add", () => {
    const plan = planApply(inputs({ mode: "add", roleNames: ["admin", "qa"] }), scope, {
      mode: "set",
      roleNames: ["admin"],
      grantedRoleNames: [],
    });
    expect(plan.operations).toEqual([{ op: "addRoles", roles: ["qa"] }]);
    expect(plan.grantedRoleNames).toEqual(["admin", "qa"]);
  });

  it("sets the exact roles when switching from add to set, removing foreign ones", () => {
    const plan = planApply(inputs({ roleNames: ["admin"] }), scope, {
      mode: "add",
      roleNames: ["admin"],
      grantedRoleNames: [],
    });
    expect(plan.operations).toEqual([{ op: "setRoles", roles: ["admin"] }]);
    expect(plan.grantedRoleNames).toEqual([]);
  });

  it("joins a tenant in mode set with one v2 role/add when the tenant's default roles are among the declared ones", () => {
    const notMember = { member: false, roles: [], tenantName: null };
    const plan = planApply(inputs({ tenantId: "t9", roleNames: ["x", "viewer"] }), notMember, undefined, NO_OTHERS, [
      "viewer",
    ]);
    expect(plan).toEqual({
      operations: [{ op: "addRoles", roles: ["viewer", "x"] }],
      grantedRoleNames: [],
      createsMembership: false,
    });
  });

  it("joins with tenant/add then role/set when a default role is not declared", () => {
    const notMember = { member: false, roles: [], tenantName: null };
    const plan = planApply(inputs({ tenantId: "t9", roleNames: ["x"] }), notMember, undefined, NO_OTHERS, ["viewer"]);
    expect(plan.operations).toEqual([{ op: "addTenant" }, { op: "setRoles", roles: ["x"] }]);
    expect(plan.createsMembership).toBe(true);
  });

  it("joins the tenant again before setting roles when the membership vanished", () => {
    const plan = planApply(
      inputs({ tenantId: "t9", roleNames: ["x"] }),
      { member: false, roles: [], tenantName: null },
      {
        mode: "set",
        roleNames: ["x"],
        grantedRoleNames: [],
      },
    );
    expect(plan.operations).toEqual([{ op: "addTenant" }, { op: "setRoles", roles: ["x"] }]);
  });
});

describe("planDelete", () => {
  const base = {
    mode: "set" as const,
    tenantId: null as string | null,
    roleNames: ["admin", "ops"],
    grantedRoleNames: [] as string[],
    createdMembership: false,
    others: NO_OTHERS,
    tenantDefaultRoles: null as string[] | null,
  };
  const scope = { member: true, roles: ["admin", "viewer"], tenantName: null };

  it("removes the declared roles still held in set + project", () => {
    expect(planDelete(base, scope)).toEqual([{ op: "removeRoles", roles: ["admin"] }]);
  });
  it("leaves the tenant in set + tenant", () => {
    expect(planDelete({ ...base, tenantId: "t1" }, scope)).toEqual([{ op: "removeTenant" }]);
  });
  it("removes only its own grants still held in mode add", () => {
    expect(planDelete({ ...base, mode: "add", grantedRoleNames: ["viewer", "gone"] }, scope)).toEqual([
      { op: "removeRoles", roles: ["viewer"] },
    ]);
  });
  it("does nothing when the membership is already gone", () => {
    expect(planDelete({ ...base, tenantId: "t1" }, { member: false, roles: [], tenantName: null })).toEqual([]);
  });
  it("keeps the membership and the roles another declaration still asserts", () => {
    const input = { ...base, tenantId: "t1", others: othersAsserting(["admin"]) };
    expect(planDelete(input, { ...scope, roles: ["admin", "ops"] })).toEqual([{ op: "removeRoles", roles: ["ops"] }]);
    expect(planDelete({ ...input, roleNames: ["admin"] }, scope)).toEqual([]);
  });
  it("removes nothing when what others assert cannot be known", () => {
    const input = { ...base, tenantId: "t1", others: { ...NO_OTHERS, inDoubt: true } };
    expect(planDelete(input, { ...scope, roles: ["admin", "ops"] })).toEqual([]);
    expect(planDelete({ ...input, mode: "add", grantedRoleNames: ["admin"] }, scope)).toEqual([]);
  });
  it("leaves a tenant its add-mode create joined when only the tenant's default roles would stay", () => {
    const input = {
      ...base,
      mode: "add" as const,
      tenantId: "t1",
      grantedRoleNames: ["admin"],
      createdMembership: true,
      tenantDefaultRoles: ["viewer"],
    };
    expect(planDelete(input, scope)).toEqual([{ op: "removeTenant" }]);
  });
  it("keeps a tenant its add-mode create joined when other roles were granted there since", () => {
    const input = {
      ...base,
      mode: "add" as const,
      tenantId: "t1",
      grantedRoleNames: ["admin"],
      createdMembership: true,
      tenantDefaultRoles: [],
    };
    expect(planDelete(input, scope)).toEqual([{ op: "removeRoles", roles: ["admin"] }]);
  });
  it("keeps a tenant the user was in before the add-mode create", () => {
    const input = {
      ...base,
      mode: "add" as const,
      tenantId: "t1",
      grantedRoleNames: ["admin"],
      tenantDefaultRoles: ["viewer"],
    };
    expect(planDelete(input, scope)).toEqual([{ op: "removeRoles", roles: ["admin"] }]);
  });
});

describe("planDiff", () => {
  it("reports no change when roles are only reordered or repeated", () => {
    expect(
      planDiff(outputs({ roleNames: ["a", "b"], liveRoleNames: ["a", "b"] }), inputs({ roleNames: ["a", "b"] }), true),
    ).toMatchObject({
      changes: false,
      replaces: [],
      changedKeys: [],
    });
  });
  it("reports drift in mode set when the live roles differ from the declared ones", () => {
    expect(planDiff(outputs({ liveRoleNames: ["admin", "intruder"] }), inputs(), true)).toMatchObject({
      changes: true,
      changedKeys: ["roleNames"],
      drift: true,
    });
  });
  it("names roleNames, not drift, when the declared roles changed", () => {
    expect(planDiff(outputs(), inputs({ roleNames: ["admin", "qa"] }), true)).toMatchObject({
      changedKeys: ["roleNames"],
      drift: false,
    });
  });
  it("ignores foreign roles in mode add", () => {
    const olds = outputs({ mode: "add", liveRoleNames: ["admin", "foreign"] });
    expect(planDiff(olds, inputs({ mode: "add" }), true).changes).toBe(false);
  });
  it("reports a change in mode add when a declared role is missing or a granted role was dropped", () => {
    expect(planDiff(outputs({ mode: "add", liveRoleNames: [] }), inputs({ mode: "add" }), true).changes).toBe(true);
    const olds = outputs({
      mode: "add",
      roleNames: ["admin", "ops"],
      liveRoleNames: ["admin", "ops"],
      grantedRoleNames: ["ops"],
    });
    expect(planDiff(olds, inputs({ mode: "add" }), true).changes).toBe(true);
  });
  it("replaces when the tenant changes", () => {
    expect(planDiff(outputs(), inputs({ tenantId: "t2" }), true)).toMatchObject({
      changes: true,
      replaces: ["tenantId"],
      changedKeys: ["tenantId"],
    });
  });
  it("updates in place when loginId names the same user, and replaces for another user", () => {
    expect(planDiff(outputs(), inputs({ loginId: "U1" }), true)).toMatchObject({ changes: true, replaces: [] });
    expect(planDiff(outputs(), inputs({ loginId: "bob@example.com" }), false)).toMatchObject({
      changes: true,
      replaces: ["loginId"],
    });
  });
  it("updates in place when only the mode changes", () => {
    expect(planDiff(outputs(), inputs({ mode: "add" }), true)).toMatchObject({
      changes: true,
      replaces: [],
      changedKeys: ["mode"],
    });
  });
});

describe("toOutputs", () => {
  it("fills every output, with null tenant fields in project scope and no grants in mode set", () => {
    const out = toOutputs(inputs({ roleNames: ["b", "a", "a"] }), user, {
      grantedRoleNames: ["ignored"],
      createdMembership: true,
      secretInputs: [],
    });
    expect(out).toEqual({
      loginId: "ada@example.com",
      tenantId: null,
      roleNames: ["a", "b"],
      mode: "set",
      userId: "U1",
      liveRoleNames: ["admin", "viewer"],
      grantedRoleNames: [],
      tenantName: null,
      createdMembership: false,
      __secretInputs: [],
    });
    expect(Object.values(out)).not.toContain(undefined);
  });
});
