import { capFailures, checkInputs, secretInputsOf, UNKNOWN } from "../../provider/inputs";

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

// Issue 15 item 6: every bad role name was one failure, each printed with the whole list.
describe("checkInputs with huge inputs", () => {
  it("reports the first 10 bad role names and one '… and N more' when 10,000 are blank", () => {
    const r = checkInputs({ ...provider, loginId: "ada", roleNames: Array.from({ length: 10_000 }, () => "") });
    expect(r.failures).toHaveLength(11);
    expect(r.failures[0]).toEqual({
      property: "roleNames",
      reason: "roleNames[0]: each role name must not be empty or blank",
    });
    expect(r.failures[10]).toEqual({
      property: "roleNames",
      reason: "… and 9990 more failures of roleNames not shown",
    });
  });

  it("quotes at most 200 characters of an unknown property when its name is longer", () => {
    const key = "k".repeat(10_000);
    const r = checkInputs({ ...provider, loginId: "ada", roleNames: [], [key]: 1 });
    expect(r.failures).toEqual([
      {
        property: key,
        reason: expect.stringMatching(new RegExp(`^unknown property "k{199}…" \\(UserRoleAssignment takes`)),
      },
    ]);
  });
});

describe("capFailures", () => {
  it("keeps the first failures of each property and counts the rest when one property has too many", () => {
    const failures = [
      { property: "a", reason: "a1" },
      { property: "b", reason: "b1" },
      { property: "a", reason: "a2" },
      { property: "a", reason: "a3" },
    ];
    expect(capFailures(failures, 2)).toEqual([
      { property: "a", reason: "a1" },
      { property: "b", reason: "b1" },
      { property: "a", reason: "a2" },
      { property: "a", reason: "… and 1 more failures of a not shown" },
    ]);
  });
});
