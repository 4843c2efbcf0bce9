import { DeclarationRegistry } from "../../provider/declarations";
import { hasTargetFlag } from "../../provider/targeted-run";
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
    r.declare({ loginId: "ada", tenantId: "acme", hidden: [], ...d });
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
    const others = r.others(U, "acme", "x");
    expect(others.count).toBe(2);
    expect([...others.asserted].sort()).toEqual(["admin", "qa"]);
    expect([...others.owned].sort()).toEqual(["admin", "qa"]);
    expect(others.membershipOwned).toBe(true);
    expect(r.others(U, "acme", "a").count).toBe(1);
    expect(r.others(U, "globex").count).toBe(0);
  });

  it("hides secret values in a contradiction", () => {
    const r = new DeclarationRegistry();
    r.declare({ name: "a", loginId: "ada", tenantId: "acme", roleNames: ["admin"], mode: "set", hidden: ["acme"] });
    r.declare({ name: "b", loginId: "ada", tenantId: "acme", roleNames: ["qa"], mode: "set", hidden: [] });
    r.resolve("a", U);
    r.resolve("b", U);
    expect(r.contradiction("b")).toContain('in tenant "[secret]"');
    expect(r.contradiction("b")).not.toContain("acme");
  });
});

describe("hasTargetFlag", () => {
  it.each([
    [["up", "--target", "urn"], true],
    [["destroy", "--target=urn"], true],
    [["up", "-t", "urn"], true],
    [["up", "--exclude", "urn"], true],
    [["up", "--yes", "--skip-preview"], false],
    [["up", "--target-replace", "urn"], false],
  ])("reads %j as targeted: %s", (args, expected) => {
    expect(hasTargetFlag(args)).toBe(expected);
  });
});

describe("hideSecretValues", () => {
  it("replaces whole occurrences only", () => {
    expect(hideSecretValues('user "ada@example.com" role admin, administrator', ["ada@example.com", "admin"])).toBe(
      'user "[secret]" role [secret], administrator',
    );
  });
});
