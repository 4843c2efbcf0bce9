import { inheritedBy, keptBy, keptWarning, withInherited } from "../../provider/ownership";
import { NO_OTHERS, type DeleteInput } from "../../provider/plan";
import type { StackRecord } from "../../provider/stack-record";

const URN = "urn:pulumi:s::p::t::x";
const add = { userId: "U1", tenantId: "acme", roleNames: ["billing", "qa"], mode: "add" as const };

describe("inheritedBy", () => {
  const record = (over: Partial<Extract<StackRecord, { readable: true }>> = {}): StackRecord => ({
    readable: true,
    assignments: [{ urn: URN, ...add, grantedRoleNames: ["billing", "qa"], createdMembership: true }],
    interrupted: [],
    ...over,
  });

  it("takes over the predecessor's grants still declared and held, and its membership", () => {
    expect(inheritedBy(record(), URN, "U1", "acme", ["billing", "ops"], ["billing", "qa", "viewer"])).toEqual({
      grantedRoleNames: ["billing"],
      membership: true,
    });
  });

  it("takes over what an interrupted create of the same URN had planned", () => {
    const r = record({
      assignments: [],
      interrupted: [{ urn: URN, userId: "U1", tenantId: "acme", plannedGrants: ["qa"], plannedMembership: true }],
    });
    expect(inheritedBy(r, URN, "U1", "acme", ["qa"], ["qa"])).toEqual({ grantedRoleNames: ["qa"], membership: true });
  });

  it.each([
    ["another URN", `${URN}2`, "U1", "acme"],
    ["another user", URN, "U2", "acme"],
    ["another scope", URN, "U1", null],
  ])("inherits nothing from %s", (_t, urn, userId, tenantId) => {
    expect(inheritedBy(record(), urn, userId, tenantId, ["billing"], ["billing"])).toEqual({
      grantedRoleNames: [],
      membership: false,
    });
  });

  it("inherits nothing from an unreadable record or a set predecessor", () => {
    expect(
      inheritedBy({ readable: false, reason: "x" }, URN, "U1", "acme", ["billing"], ["billing"]).grantedRoleNames,
    ).toEqual([]);
    const set = record({
      assignments: [{ urn: URN, ...add, mode: "set", grantedRoleNames: [], createdMembership: false }],
    });
    expect(inheritedBy(set, URN, "U1", "acme", ["billing"], ["billing"])).toEqual({
      grantedRoleNames: [],
      membership: false,
    });
  });
});

describe("withInherited", () => {
  it("counts inherited grants as co-owned and keeps the others unchanged otherwise", () => {
    const others = withInherited(NO_OTHERS, { grantedRoleNames: ["qa"], membership: true });
    expect([...others.owned]).toEqual(["qa"]);
    expect(others.membershipOwned).toBe(true);
    expect(withInherited(NO_OTHERS, { grantedRoleNames: [], membership: false })).toBe(NO_OTHERS);
  });
});

describe("keptBy and keptWarning", () => {
  const scope = { member: true, roles: ["billing", "support", "viewer"], tenantName: null };
  const input: DeleteInput = {
    mode: "add",
    tenantId: "acme",
    roleNames: ["billing", "support"],
    grantedRoleNames: ["billing", "support"],
    createdMembership: false,
    others: NO_OTHERS,
    tenantDefaultRoles: null,
  };
  const Y = "urn:pulumi:s::p::t::y";

  it("names the roles kept for a recorded peer", () => {
    const others = { ...NO_OTHERS, count: 1, asserted: new Set(["billing"]), recorded: [Y] };
    const kept = keptBy({ ...input, others }, scope, [{ op: "removeRoles", roles: ["support"] }]);
    expect(kept).toEqual({ roles: ["billing"], membership: false });
    expect(keptWarning('X "x"', kept, others, undefined, [])).toBe(
      'X "x": kept role "billing", because "y" asserted it at its last deployment and was not deleted before this delete ran; its own delete removes it, and descope-access report --state lists it meanwhile',
    );
  });

  it("names the membership and the reason when in doubt, hiding secrets", () => {
    const others = { ...NO_OTHERS, inDoubt: true };
    const kept = keptBy({ ...input, mode: "set", others }, scope, []);
    expect(kept).toEqual({ roles: ["billing", "support", "viewer"], membership: true });
    expect(keptWarning('X "x"', kept, others, "no CLI for acme", ["acme"])).toContain(
      'kept roles "billing", "support", "viewer" and the tenant membership, because what other resources of the stack assert could not be known (no CLI for [secret])',
    );
  });

  it("says nothing when only peers seen in this run kept something", () => {
    const others = { ...NO_OTHERS, count: 1, asserted: new Set(["billing"]) };
    const kept = keptBy({ ...input, others }, scope, [{ op: "removeRoles", roles: ["support"] }]);
    expect(keptWarning("X", kept, others, undefined, [])).toBeUndefined();
  });
});
