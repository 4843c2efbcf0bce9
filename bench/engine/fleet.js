/**
 * The engine bench's fleet: the emulator's seed and the N assignments over U users
 * (engineFleet), and the checks of the emulator's end state after up and after destroy.
 */
"use strict";

const ROLES = ["admin", "viewer", "billing", "support", "auditor"];
const SET_ROLES = ["admin", "billing"];
const ADD_ROLES = ["auditor"];

/**
 * `users` users, each holding project role viewer and member (with viewer) of about half of the
 * tenants; assignment i is user i % users in scope ⌊i / users⌋ (0: the project, k: tenant
 * t<k-1>), so each user gets ⌈n / users⌉ scopes and there are as many tenants as needed. Mode
 * alternates per user and scope (set: admin + billing, add: auditor), crossed with membership,
 * so tenant assignments cover set/add × member/not member (not member: the create joins).
 */
function engineFleet(n, users) {
  const tenantCount = Math.max(1, Math.ceil(n / users) - 1);
  const tenants = Array.from({ length: tenantCount }, (_, j) => ({ id: `t${j}`, name: `Tenant ${j}` }));
  const memberOf = (u, j) => (j + Math.floor(u / 2)) % 2 === 0;
  const seed = { roles: ROLES.map((name) => ({ name })), tenants, users: [] };
  for (let u = 0; u < users; u++) {
    seed.users.push({
      loginId: `e${u}@example.com`,
      userId: `U2e${String(u).padStart(25, "0")}`,
      roleNames: ["viewer"],
      userTenants: tenants.filter((_, j) => memberOf(u, j)).map((t) => ({ tenantId: t.id, roleNames: ["viewer"] })),
    });
  }
  const assignments = [];
  for (let i = 0; i < n; i++) {
    const u = i % users;
    const s = Math.floor(i / users);
    const tenantId = s === 0 ? undefined : `t${s - 1}`;
    const mode = (u + s) % 2 === 0 ? "set" : "add";
    assignments.push({
      name: `e${u}-${tenantId ?? "project"}`,
      loginId: `e${u}@example.com`,
      tenantId,
      mode,
      roleNames: mode === "set" ? SET_ROLES : ADD_ROLES,
      seededMember: tenantId === undefined || memberOf(u, s - 1),
    });
  }
  const modes = { set: 0, add: 0, tenant: 0, joins: 0 };
  for (const a of assignments) {
    modes[a.mode] += 1;
    if (a.tenantId) modes.tenant += 1;
    if (!a.seededMember) modes.joins += 1;
  }
  return { seed, assignments, tenantCount, modes };
}

/** The roles a user holds in a scope (undefined: not a member of the tenant). */
function scopeRoles(user, tenantId) {
  if (!tenantId) return [...user.roleNames].sort();
  const t = user.userTenants.find((ut) => ut.tenantId === tenantId);
  return t ? [...t.roleNames].sort() : undefined;
}

/** After up: set scopes hold exactly their roles; add scopes hold theirs and keep the seeded viewer. */
function problemsAfterUp(emu, fleet) {
  const byLogin = new Map(emu.state.snapshot().users.map((u) => [u.loginIds[0], u]));
  const problems = [];
  for (const a of fleet.assignments) {
    const roles = scopeRoles(byLogin.get(a.loginId), a.tenantId);
    const want =
      a.mode === "set"
        ? [...a.roleNames].sort()
        : [...new Set([...a.roleNames, ...(a.seededMember ? ["viewer"] : [])])].sort();
    if (JSON.stringify(roles) !== JSON.stringify(want))
      problems.push(`${a.name}: ${JSON.stringify(roles)}, expected ${JSON.stringify(want)}`);
  }
  return problems;
}

/** After destroy: no declared role is left in its scope, and no membership the seed did not have. */
function problemsAfterDestroy(emu, fleet) {
  const users = emu.state.snapshot().users;
  const byLogin = new Map(users.map((u) => [u.loginIds[0], u]));
  const seeded = new Map(fleet.seed.users.map((u) => [u.loginId, new Set(u.userTenants.map((t) => t.tenantId))]));
  const problems = [];
  for (const a of fleet.assignments) {
    const roles = scopeRoles(byLogin.get(a.loginId), a.tenantId) ?? [];
    const left = a.roleNames.filter((r) => roles.includes(r));
    if (left.length > 0) problems.push(`${a.name}: still holds ${left.join(", ")}`);
  }
  for (const u of users) {
    const extra = u.userTenants.filter((t) => !seeded.get(u.loginIds[0])?.has(t.tenantId));
    if (extra.length > 0) problems.push(`${u.loginIds[0]}: still member of ${extra.map((t) => t.tenantId).join(", ")}`);
  }
  return problems;
}

module.exports = { engineFleet, problemsAfterUp, problemsAfterDestroy };
