/**
 * examples/basic: one project-level and two tenant-level role assignments, in both modes.
 *
 * Credentials come from DESCOPE_PROJECT_ID, DESCOPE_MANAGEMENT_KEY and DESCOPE_BASE_URL (or the
 * `descope:` stack config); the users, tenants and roles must already exist (see seed.json).
 */
import { UserRoleAssignment } from "pulumi-descope-access";

// Mode "set" (the default): ada's project-level roles are exactly these; any other project
// role she holds (seed.json gives her "viewer") is removed.
const adaProject = new UserRoleAssignment("ada-project", {
  loginId: "ada@example.com",
  roleNames: ["admin", "billing"],
});

// Mode "set" in a tenant: ada joins acme if she is not a member and holds exactly "admin" there.
const adaAcme = new UserRoleAssignment("ada-acme", {
  loginId: "ada@example.com",
  tenantId: "acme",
  roleNames: ["admin"],
});

// Mode "add": bob gets "support" in globex; the "viewer" role he already holds there stays,
// and destroying this resource removes only what it granted.
const bobGlobex = new UserRoleAssignment("bob-globex", {
  loginId: "bob@example.com",
  tenantId: "globex",
  roleNames: ["support"],
  mode: "add",
});

/** What each assignment found and did, for `pulumi stack output`. */
function summarize(a: UserRoleAssignment) {
  return { userId: a.userId, liveRoleNames: a.liveRoleNames, grantedRoleNames: a.grantedRoleNames };
}

export const adaProjectRoles = summarize(adaProject);
export const adaAcmeRoles = summarize(adaAcme);
export const bobGlobexRoles = summarize(bobGlobex);
