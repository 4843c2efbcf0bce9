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
