import { checkInputs, UNKNOWN } from "../../provider/inputs";

const provider = { __provider: "exports.handler = ..." };

describe("checkInputs", () => {
  it("normalises roles, defaults the mode to set and keeps __provider out of validation", () => {
    const r = checkInputs({ ...provider, loginId: "ada", roleNames: ["b", "a", "b"] });
    expect(r.failures).toEqual([]);
    expect(r.inputs).toEqual({ loginId: "ada", roleNames: ["a", "b"], mode: "set" });
  });

  it.each([
    [{ loginId: "", roleNames: [] }, "loginId", "loginId must not be empty or blank"],
    [{ loginId: "   ", roleNames: [] }, "loginId", "loginId must not be empty or blank"],
    [{ roleNames: [] }, "loginId", "loginId is required"],
    [{ loginId: "a", tenantId: " ", roleNames: [] }, "tenantId", "tenantId must not be empty or blank"],
    [{ loginId: "a", roleNames: "admin" }, "roleNames", "roleNames must be a list of role names"],
    [{ loginId: "a", roleNames: ["ok", ""] }, "roleNames", "roleNames[1]: each role name must not be empty or blank"],
    [{ loginId: "a", roleNames: [" admin"] }, "roleNames", "roleNames[0]: each role name must not have leading or trailing spaces"],
    [{ loginId: "a", roleNames: [], mode: "replace" }, "mode", 'mode must be "set" or "add"'],
  ])("rejects %j naming the property", (news, property, reason) => {
    const r = checkInputs({ ...provider, ...news });
    expect(r.failures).toContainEqual({ property, reason });
  });

  it("rejects an unknown property such as a typo, suggesting the right name", () => {
    const r = checkInputs({ ...provider, loginId: "a", roleNames: [], roles: ["admin"] });
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0].property).toBe("roles");
    expect(r.failures[0].reason).toContain('unknown property "roles"; did you mean "roleNames"?');
  });

  it("lets values unknown during preview pass and keeps them as they are", () => {
    const r = checkInputs({ ...provider, loginId: UNKNOWN, tenantId: UNKNOWN, roleNames: ["b", UNKNOWN, "a"] });
    expect(r.failures).toEqual([]);
    expect(r.inputs).toEqual({ loginId: UNKNOWN, tenantId: UNKNOWN, roleNames: ["b", UNKNOWN, "a"], mode: "set" });
  });

  it("still validates the known parts of an input with unknowns", () => {
    const r = checkInputs({ ...provider, loginId: UNKNOWN, roleNames: [UNKNOWN, ""] });
    expect(r.failures.map((f) => f.property)).toEqual(["roleNames"]);
  });
});
