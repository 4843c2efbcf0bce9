import { changedParts, checkAgainstProject, closestName } from "../../provider/project-checks";

const roles = [
  { name: "admin", tenantId: "" },
  { name: "billing", tenantId: "" },
  { name: "Tenant Admin", tenantId: "" },
  { name: "acme-ops", tenantId: "acme" },
];
const all = { loginId: true, tenantId: true, roleNames: [] as string[] };

describe("closestName", () => {
  it.each([
    ["admn", ["admin", "billing"], "admin"],
    ["acmee", ["acme", "globex"], "acme"],
    ["ADMIN", ["admin"], "admin"],
    ["zzz", ["admin", "billing"], undefined],
    ["admin", ["admin"], undefined],
  ])("suggests for %s among %j: %s", (value, names, expected) => {
    expect(closestName(value, names)).toBe(expected);
  });
});

describe("checkAgainstProject", () => {
  it("names a role that does not exist and suggests the closest", () => {
    expect(checkAgainstProject({ loginId: "ada", tenantId: null }, { ...all, roleNames: ["admn"] }, { roles })).toEqual(
      [{ property: "roleNames", reason: 'role "admn" does not exist in the project; did you mean "admin"?' }],
    );
  });

  it("names a tenant that does not exist, suggests the closest, and leaves its roles unjudged", () => {
    const failures = checkAgainstProject(
      { loginId: "ada", tenantId: "acmee" },
      { ...all, roleNames: ["nope"] },
      { roles, tenantIds: ["acme", "globex"] },
    );
    expect(failures).toEqual([{ property: "tenantId", reason: 'tenant "acmee" does not exist; did you mean "acme"?' }]);
  });

  it("names a user that does not exist", () => {
    expect(checkAgainstProject({ loginId: "nobody@example.com", tenantId: null }, all, { userFound: false })).toEqual([
      {
        property: "loginId",
        reason: 'no user with login ID "nobody@example.com" (loginId is a login ID or the user ID of an existing user)',
      },
    ]);
  });

  it("accepts project roles, built-in roles and the tenant's own roles in a tenant", () => {
    const declared = { loginId: "ada", tenantId: "acme" };
    expect(
      checkAgainstProject(
        declared,
        { ...all, roleNames: ["admin", "Tenant Admin", "acme-ops"] },
        { roles, tenantIds: ["acme"] },
      ),
    ).toEqual([]);
  });

  it("refuses a role defined only for another tenant, naming that tenant", () => {
    const failures = checkAgainstProject(
      { loginId: "ada", tenantId: "globex" },
      { ...all, roleNames: ["acme-ops"] },
      { roles, tenantIds: ["acme", "globex"] },
    );
    expect(failures).toEqual([
      {
        property: "roleNames",
        reason: 'role "acme-ops" is defined only for tenant "acme", so tenant "globex" cannot use it',
      },
    ]);
    expect(
      checkAgainstProject({ loginId: "ada", tenantId: null }, { ...all, roleNames: ["acme-ops"] }, { roles })[0].reason,
    ).toContain("cannot be a project role");
  });

  it("checks nothing it was not asked to (unchanged parts)", () => {
    expect(
      checkAgainstProject(
        { loginId: "ghost", tenantId: "acmee" },
        { loginId: false, tenantId: false, roleNames: [] },
        { roles, tenantIds: [], userFound: false },
      ),
    ).toEqual([]);
  });
});

describe("changedParts", () => {
  const news = { loginId: "ada", tenantId: "acme", roleNames: ["admin", "billing"] };
  it("checks everything of a new declaration", () => {
    expect(changedParts({}, news)).toEqual({ loginId: true, tenantId: true, roleNames: ["admin", "billing"] });
  });
  it("checks only the roles added to an existing declaration", () => {
    expect(changedParts({ loginId: "ada", tenantId: "acme", roleNames: ["admin"] }, news)).toEqual({
      loginId: false,
      tenantId: false,
      roleNames: ["billing"],
    });
  });
  it("checks every role again when the scope changed", () => {
    expect(changedParts({ loginId: "ada", roleNames: ["admin", "billing"] }, news)).toEqual({
      loginId: false,
      tenantId: true,
      roleNames: ["admin", "billing"],
    });
  });
});

// Issue 15 item 6: 10,000 unknown roles printed 1.58 GB at preview (the engine repeats the
// property's value with every failure, so the failure count is what must stay small).
describe("checkAgainstProject with huge inputs", () => {
  it("reports the first 10 unknown roles and one '… and N more' when 10,000 roles do not exist", () => {
    const roleNames = Array.from({ length: 10_000 }, (_, i) => `missing-role-${i}`);
    const failures = checkAgainstProject({ loginId: "ada", tenantId: null }, { ...all, roleNames }, { roles });
    expect(failures).toHaveLength(11);
    expect(failures[0]).toEqual({
      property: "roleNames",
      reason: 'role "missing-role-0" does not exist in the project',
    });
    expect(failures[10]).toEqual({ property: "roleNames", reason: "… and 9990 more failures of roleNames not shown" });
    expect(JSON.stringify(failures).length).toBeLessThan(2_000);
  });

  it("quotes at most 200 characters of a role name when the name is longer", () => {
    const long = "r".repeat(100_000);
    const [failure] = checkAgainstProject({ loginId: "ada", tenantId: null }, { ...all, roleNames: [long] }, { roles });
    expect(failure.reason).toBe(`role "${"r".repeat(199)}…" does not exist in the project`);
  });

  it("quotes at most 200 characters of the tenant when the tenant ID is longer", () => {
    const tenant = "t".repeat(5_000);
    const [failure] = checkAgainstProject(
      { loginId: "ada", tenantId: tenant },
      { ...all, roleNames: [] },
      { roles, tenantIds: ["acme"] },
    );
    expect(failure).toEqual({ property: "tenantId", reason: `tenant "${"t".repeat(199)}…" does not exist` });
  });
});

// Issue 15 item 7: a suggestion next to a secret value prints a near copy of it.
describe("checkAgainstProject with secret inputs", () => {
  it("gives no suggestion and hides the value when a secret role is near a real role", () => {
    const failures = checkAgainstProject(
      { loginId: "ada", tenantId: null },
      { ...all, roleNames: ["admn"] },
      { roles },
      ["roleNames"],
    );
    expect(failures).toEqual([
      {
        property: "roleNames",
        reason:
          'role "[secret]" does not exist in the project, or is defined only for another tenant (no suggestion for a secret value)',
      },
    ]);
  });

  it("names no tenant that defines it when a secret role belongs to another tenant", () => {
    const [failure] = checkAgainstProject(
      { loginId: "ada", tenantId: null },
      { ...all, roleNames: ["acme-ops"] },
      { roles },
      ["roleNames"],
    );
    expect(failure.reason).not.toMatch(/acme|did you mean/);
  });

  it("gives no suggestion and hides the value when a secret tenant is near a real tenant", () => {
    const failures = checkAgainstProject(
      { loginId: "ada", tenantId: "acmee" },
      { ...all, roleNames: ["admin"] },
      { roles, tenantIds: ["acme", "globex"] },
      ["tenantId"],
    );
    expect(failures).toEqual([{ property: "tenantId", reason: 'tenant "[secret]" does not exist' }]);
  });

  it("hides a secret tenant in a role failure when only the tenant is secret", () => {
    const [failure] = checkAgainstProject(
      { loginId: "ada", tenantId: "acme" },
      { ...all, roleNames: ["admn"] },
      { roles, tenantIds: ["acme"] },
      ["tenantId"],
    );
    expect(failure.reason).toBe(
      'role "admn" does not exist in the project or tenant "[secret]"; did you mean "admin"?',
    );
  });
});
