/**
 * The bench's fleet: `n` users, one assignment each, cycling through set/add × project/tenant
 * (so creates make 1 or 2 calls after the load), and the access each phase must leave behind.
 */
"use strict";

const ROLES = ["admin", "viewer", "billing", "support", "auditor"];

/** The four kinds of assignment, with the user's roles after create and after delete. */
const KINDS = [
  {
    tenantId: null,
    mode: "set",
    roleNames: ["admin", "billing"],
    up: { project: ["admin", "billing"], tenants: {} },
    down: { project: [], tenants: {} },
  },
  {
    tenantId: "acme",
    mode: "set",
    roleNames: ["admin"],
    up: { project: ["viewer"], tenants: { acme: ["admin"] } },
    down: { project: ["viewer"], tenants: {} },
  },
  {
    tenantId: null,
    mode: "add",
    roleNames: ["auditor"],
    up: { project: ["auditor", "viewer"], tenants: {} },
    down: { project: ["viewer"], tenants: {} },
  },
  {
    tenantId: "globex",
    mode: "add",
    roleNames: ["support"],
    up: { project: ["viewer"], tenants: { globex: ["support"] } },
    down: { project: ["viewer"], tenants: {} },
  }, // the add joined globex, so its delete leaves it
];

/** The emulator seed, the check inputs per assignment, and the expected access after up and after destroy. */
function fleet(n) {
  const seed = {
    roles: ROLES.map((name) => ({ name })),
    tenants: [
      { id: "acme", name: "Acme Corp", defaultRoles: ["viewer"] },
      { id: "globex", name: "Globex" },
    ],
    users: [],
  };
  const assignments = [];
  // Each assignment's URN, as the class gives it: the provider keys declarations by it.
  const URN_PREFIX = "urn:pulumi:bench::bench::pulumi-nodejs:dynamic/descope:UserRoleAssignment::";
  const afterUp = {};
  const afterDestroy = {};
  for (let i = 0; i < n; i++) {
    const loginId = `b${i}@example.com`;
    seed.users.push({ loginId, userId: `U2b${String(i).padStart(25, "0")}`, roleNames: ["viewer"] });
    const kind = KINDS[i % KINDS.length];
    const news = { loginId, roleNames: kind.roleNames, mode: kind.mode, __assignmentUrn: `${URN_PREFIX}a${i}` };
    if (kind.tenantId) news.tenantId = kind.tenantId;
    assignments.push(news);
    afterUp[loginId] = kind.up;
    afterDestroy[loginId] = kind.down;
  }
  return { seed, assignments, afterUp, afterDestroy };
}

/** Every user's roles (project, per tenant), sorted, by first login ID. */
function accessOf(emu) {
  const out = {};
  for (const u of emu.state.snapshot().users) {
    const tenants = Object.fromEntries(u.userTenants.map((t) => [t.tenantId, [...t.roleNames].sort()]));
    out[u.loginIds[0]] = { project: [...u.roleNames].sort(), tenants };
  }
  return out;
}

module.exports = { fleet, accessOf };
