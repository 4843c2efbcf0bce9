import { DeclarationRegistry } from "../../provider/declarations";
import { hideSecretValues } from "../../provider/secret-text";

const U = "U1";
function registry(
  ...decls: Array<{
    name: string;
    loginId?: string;
    tenantId?: string | null;
    roleNames: string[];
    mode: "set" | "add";
  }>
) {
  const r = new DeclarationRegistry();
  for (const d of decls) {
    r.declare({ loginId: "ada", tenantId: "acme", hidden: [], urn: d.name, ...d });
    r.resolve(d.name, U);
  }
  return r;
}

describe("DeclarationRegistry", () => {
  it("refuses two set declarations of one user and scope, naming both", () => {
    const r = registry(
      { name: "a", roleNames: ["admin"], mode: "set" },
      { name: "b", loginId: "U1", roleNames: ["billing"], mode: "set" },
    );
    expect(r.contradiction("b")).toMatch(
      /UserRoleAssignment "b" contradicts "a": both set the roles of user "U1" \(also named "ada"\) in tenant "acme"/,
    );
  });

  it("refuses an add declaration whose roles lie outside the set declaration's list", () => {
    const r = registry(
      { name: "a", roleNames: ["admin"], mode: "set" },
      { name: "b", roleNames: ["billing"], mode: "add" },
    );
    expect(r.contradiction("b")).toContain('"b" adds "billing"');
    expect(r.contradiction("a")).toContain('"b" adds "billing"');
  });

  it("accepts an add declaration within the set's list, and add declarations sharing a role", () => {
    expect(
      registry(
        { name: "a", roleNames: ["admin", "billing"], mode: "set" },
        { name: "b", roleNames: ["billing"], mode: "add" },
      ).contradiction("b"),
    ).toBeUndefined();
    expect(
      registry(
        { name: "a", roleNames: ["billing"], mode: "add" },
        { name: "b", roleNames: ["billing"], mode: "add" },
      ).contradiction("b"),
    ).toBeUndefined();
  });

  it("does not compare declarations of other scopes or users", () => {
    const r = registry(
      { name: "a", roleNames: ["admin"], mode: "set" },
      { name: "b", tenantId: null, roleNames: ["billing"], mode: "set" },
    );
    expect(r.contradiction("b")).toBeUndefined();
  });

  it("tells a delete what the other declarations assert and own", () => {
    const r = registry(
      { name: "a", roleNames: ["admin"], mode: "set" },
      { name: "b", roleNames: ["admin", "qa"], mode: "add" },
    );
    r.resolve("b", U, { grantedRoleNames: ["qa"], membership: true });
    const others = r.others(U, "acme", { self: "x" });
    expect(others.count).toBe(2);
    expect([...others.asserted].sort()).toEqual(["admin", "qa"]);
    expect([...others.owned].sort()).toEqual(["admin", "qa"]);
    expect(others.membershipOwned).toBe(true);
    expect(r.others(U, "acme", { self: "a" }).count).toBe(1);
    expect(r.others(U, "globex").count).toBe(0);
  });

  it("hides secret values in a contradiction", () => {
    const r = new DeclarationRegistry();
    r.declare({
      urn: "a",
      name: "a",
      loginId: "ada",
      tenantId: "acme",
      roleNames: ["admin"],
      mode: "set",
      hidden: ["acme"],
    });
    r.declare({ urn: "b", name: "b", loginId: "ada", tenantId: "acme", roleNames: ["qa"], mode: "set", hidden: [] });
    r.resolve("a", U);
    r.resolve("b", U);
    expect(r.contradiction("b")).toContain('in tenant "[secret]"');
    expect(r.contradiction("b")).not.toContain("acme");
  });
});

describe("DeclarationRegistry with the stack's record", () => {
  const recorded = (urn: string, roleNames: string[] | undefined, mode: "set" | "add" = "add") => ({
    urn,
    userId: U,
    tenantId: "acme",
    roleNames,
    mode,
    grantedRoleNames: mode === "add" ? (roleNames ?? []) : [],
    createdMembership: false,
  });
  const record = (...assignments: ReturnType<typeof recorded>[]) => ({
    readable: true as const,
    assignments,
    interrupted: [],
  });

  it("counts a recorded resource this run has not seen as asserting its roles", () => {
    const r = registry({ name: "x", roleNames: ["support"], mode: "add" });
    const others = r.others(U, "acme", { self: "x", record: record(recorded("y", ["billing"])) });
    expect([...others.asserted]).toEqual(["billing"]);
    expect(others.recorded).toEqual(["y"]); // URNs (here the test's short keys)
  });

  it("prefers this run's declaration over the record of the same URN", () => {
    const r = registry(
      { name: "x", roleNames: ["support"], mode: "add" },
      { name: "y", roleNames: ["qa"], mode: "add" },
    );
    const others = r.others(U, "acme", { self: "x", record: record(recorded("y", ["billing"])) });
    expect([...others.asserted]).toEqual(["qa"]);
    expect(others.recorded).toEqual([]);
  });

  it("hands what a delete kept to the recorded peers it kept it for", () => {
    const r = new DeclarationRegistry();
    r.handOver(["y", "z"], { roles: ["billing"], membership: true });
    r.handOver(["y"], { roles: ["admin"], membership: false });
    expect(r.handedTo("y")).toEqual({ roles: ["admin", "billing"], membership: true });
    expect(r.handedTo("z")).toEqual({ roles: ["billing"], membership: true });
    expect(r.handedTo("x")).toEqual({ roles: [], membership: false });
  });

  it("stops counting a recorded resource once this process deletes it", () => {
    const r = new DeclarationRegistry();
    r.markDeleting("y");
    expect(r.others(U, "acme", { self: "x", record: record(recorded("y", ["billing"])) }).count).toBe(0);
  });

  it("counts a recorded resource again when its delete failed", () => {
    const r = new DeclarationRegistry();
    r.markDeleting("y");
    r.markDeleting("y", false);
    expect(r.others(U, "acme", { self: "x", record: record(recorded("y", ["billing"])) }).count).toBe(1);
  });

  it("is in doubt when the record is unreadable or a recorded peer's roles are secret", () => {
    const r = new DeclarationRegistry();
    expect(r.others(U, "acme", { self: "x", record: { readable: false, reason: "no CLI" } }).inDoubt).toBe(true);
    expect(r.others(U, "acme", { self: "x", record: record(recorded("y", undefined)) }).inDoubt).toBe(true);
    expect(r.others(U, "acme", { self: "x", record: record() }).inDoubt).toBe(false);
  });

  it("counts this run's declaration of its own URN as the replacement when a delete asks", () => {
    const r = registry({ name: "x", roleNames: ["billing"], mode: "add" });
    expect(r.others(U, "acme", { self: "x" }).count).toBe(0);
    expect(r.others(U, "acme", { self: "x", replacementCounts: true }).count).toBe(1);
  });

  it("refuses a set declaration contradicting a recorded set with other roles, but not one with the same roles", () => {
    const r = registry({ name: "z", roleNames: ["admin"], mode: "set" });
    expect(r.contradiction("z", record(recorded("x", ["billing", "support"], "set")))).toMatch(
      /"z" contradicts "x": both set the roles .* as the stack recorded it at its last deployment/,
    );
    expect(r.contradiction("z", record(recorded("x", ["admin"], "set")))).toBeUndefined();
  });
});

describe("hideSecretValues", () => {
  it("replaces whole occurrences only", () => {
    expect(hideSecretValues('user "ada@example.com" role admin, administrator', ["ada@example.com", "admin"])).toBe(
      'user "[secret]" role [secret], administrator',
    );
  });
});
