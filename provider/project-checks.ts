/**
 * Preview-time checks of a declaration against the live project: the tenant exists, each role
 * exists in the scope, the user exists. Pure: the project's roles and tenants and the user
 * lookup's result come in as data. Failures name the property and the value (capped), and
 * suggest the closest existing name, except for a secret input: a suggestion next to a secret
 * would print a near copy of it. At most {@link MAX_FAILURES_PER_PROPERTY} failures per property.
 */
import { distance } from "fastest-levenshtein";
import { MAX_FAILURES_PER_PROPERTY, moreFailures, type CheckFailure } from "./inputs";
import type { SecretInput } from "./plan";
import { quote } from "./quote";

/** A role as the project lists it; `tenantId` `""` for a project role. */
export interface CatalogRole {
  name: string;
  tenantId: string;
}

/** What of a declaration is new or changed since the last deployment (only that is checked). */
export interface ChangedParts {
  loginId: boolean;
  tenantId: boolean;
  /** The roles to check (all of them when the scope changed). */
  roleNames: readonly string[];
}

/** The facts a check needs; `roles`/`tenants` are absent when nothing asked for them. */
export interface ProjectFacts {
  roles?: readonly CatalogRole[];
  tenantIds?: readonly string[];
  /** Whether the user exists; undefined when not looked up. */
  userFound?: boolean;
}

/** The closest of `names` to `value` (by edit distance, case-insensitive), when close enough to be a typo. */
export function closestName(value: string, names: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of names) {
    const d = distance(value.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  const allowed = Math.max(2, Math.floor(value.length / 3));
  return best !== undefined && bestDistance <= allowed && best !== value ? best : undefined;
}

function suggestion(value: string, names: Iterable<string>): string {
  const near = closestName(value, names);
  return near ? `; did you mean ${quote(near)}?` : "";
}

/** What a secret value is shown as. */
const SECRET = '"[secret]"';

/**
 * Checks the changed parts of a declaration against the project's facts. `secret` lists the
 * inputs given as secrets: their values are shown as `"[secret]"`, with no suggestion.
 */
export function checkAgainstProject(
  declared: { loginId: string; tenantId: string | null },
  changed: ChangedParts,
  facts: ProjectFacts,
  secret: readonly SecretInput[] = [],
): CheckFailure[] {
  const failures: CheckFailure[] = [];
  const shown = (input: SecretInput, value: string) => (secret.includes(input) ? SECRET : quote(value));
  if (changed.loginId && facts.userFound === false) {
    failures.push({
      property: "loginId",
      reason: `no user with login ID ${shown("loginId", declared.loginId)} (loginId is a login ID or the user ID of an existing user)`,
    });
  }
  const tenant = declared.tenantId;
  if (tenant !== null && changed.tenantId && facts.tenantIds && !facts.tenantIds.includes(tenant)) {
    const hint = secret.includes("tenantId") ? "" : suggestion(tenant, facts.tenantIds);
    failures.push({ property: "tenantId", reason: `tenant ${shown("tenantId", tenant)} does not exist${hint}` });
    return failures; // its roles cannot be judged
  }
  const roles = facts.roles;
  if (!roles) return failures;
  const usable = new Set(roles.filter((r) => r.tenantId === "" || r.tenantId === tenant).map((r) => r.name));
  const unusable = changed.roleNames.filter((role) => !usable.has(role));
  const scope = {
    tenant: tenant === null ? null : shown("tenantId", tenant),
    secretRoles: secret.includes("roleNames"),
  };
  // Only the failures shown are worded: a suggestion compares the role with every usable name.
  for (const role of unusable.slice(0, MAX_FAILURES_PER_PROPERTY)) {
    failures.push({ property: "roleNames", reason: roleReason(role, scope, roles, usable) });
  }
  const more = unusable.length - MAX_FAILURES_PER_PROPERTY;
  if (more > 0) failures.push(moreFailures("roleNames", more));
  return failures;
}

/** Why `role` cannot be used in the scope: `tenant` as shown (quoted, or `"[secret]"`), null at project level. */
function roleReason(
  role: string,
  scope: { tenant: string | null; secretRoles: boolean },
  roles: readonly CatalogRole[],
  usable: ReadonlySet<string>,
): string {
  const { tenant } = scope;
  const where = tenant === null ? "project" : `project or tenant ${tenant}`;
  if (scope.secretRoles) {
    // Neither a near name nor the tenants that define it: either would narrow the secret down.
    return `role ${SECRET} does not exist in the ${where}, or is defined only for another tenant (no suggestion for a secret value)`;
  }
  const elsewhere = roles.filter((r) => r.name === role).map((r) => quote(r.tenantId));
  if (elsewhere.length === 0) return `role ${quote(role)} does not exist in the ${where}${suggestion(role, usable)}`;
  const why = tenant === null ? "it cannot be a project role" : `tenant ${tenant} cannot use it`;
  return `role ${quote(role)} is defined only for tenant ${elsewhere.join(", ")}, so ${why}`;
}

/** What changed between the old inputs (`{}` for a new resource) and the new, normalised ones. */
export function changedParts(
  olds: Record<string, unknown>,
  news: { loginId: string; tenantId: string | null; roleNames: readonly string[] },
): ChangedParts {
  const isNew = Object.keys(olds).length === 0;
  const oldTenant = typeof olds.tenantId === "string" ? olds.tenantId : null;
  const tenantChanged = isNew || oldTenant !== news.tenantId;
  const oldRoles = new Set(Array.isArray(olds.roleNames) ? (olds.roleNames as unknown[]) : []);
  return {
    loginId: isNew || olds.loginId !== news.loginId,
    tenantId: tenantChanged,
    roleNames: tenantChanged ? news.roleNames : news.roleNames.filter((r) => !oldRoles.has(r)),
  };
}
