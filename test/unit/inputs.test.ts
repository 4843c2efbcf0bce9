import { checkInputs, secretInputsOf, UNKNOWN } from "../../provider/inputs";

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
    [
      { loginId: "a", roleNames: [" admin"] },
      "roleNames",
      "roleNames[0]: each role name must not have leading or trailing spaces",
    ],
    [{ loginId: "a", roleNames: [], mode: "replace" }, "mode", 'mode must be "set" or "add"'],
    [{ loginId: "a\u0007b", roleNames: [] }, "loginId", "loginId must not contain control characters"],
    [{ loginId: "a", tenantId: "ac\nme", roleNames: [] }, "tenantId", "tenantId must not contain control characters"],
    [
      { loginId: "a", roleNames: [], mode: "add" },
      "roleNames",
      'roleNames is empty: mode "add" with no roles declares nothing; declare at least one role, or remove the resource',
    ],
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

  it.each([
    ["tenant", "tenantId"],
    ["Mode", "mode"],
    ["roles", "roleNames"],
  ])("suggests %s -> %s for a misspelled property", (typo, right) => {
    const r = checkInputs({ ...provider, loginId: "a", roleNames: ["x"], [typo]: "v" });
    expect(r.failures[0]).toMatchObject({ property: typo });
    expect(r.failures[0].reason).toContain(`did you mean "${right}"?`);
  });

  it("takes mode null as the default set", () => {
    const r = checkInputs({ ...provider, loginId: "a", roleNames: ["x"], mode: null });
    expect(r.failures).toEqual([]);
    expect(r.inputs.mode).toBe("set");
  });

  it("keeps the hidden name and secret markers in the inputs without validating them as properties", () => {
    const r = checkInputs({
      ...provider,
      loginId: "a",
      roleNames: ["x"],
      __assignmentName: "ada",
      liveRoleNames: true,
      grantedRoleNames: true,
    });
    expect(r.failures).toEqual([]);
    expect(r.inputs).toMatchObject({ __assignmentName: "ada", liveRoleNames: true, grantedRoleNames: true });
    expect(secretInputsOf(r.inputs)).toEqual(["roleNames"]);
  });

  it("refuses an output given as an input value", () => {
    const r = checkInputs({ ...provider, loginId: "a", roleNames: ["x"], liveRoleNames: ["admin"] });
    expect(r.failures.map((f) => f.property)).toEqual(["liveRoleNames"]);
  });

  it("lets an unknown role list pass in mode add", () => {
    expect(checkInputs({ ...provider, loginId: "a", roleNames: UNKNOWN, mode: "add" }).failures).toEqual([]);
  });
});
