/**
 * Preview-time checks of a declaration against the live project: the tenant exists, each role
 * exists in the scope, the user exists. Pure: the project's roles and tenants and the user
 * lookup's result come in as data. Failures name the property and the value, and suggest the
 * closest existing name.
 */
import { distance } from "fastest-levenshtein";
import type { CheckFailure } from "./inputs";

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
  return near ? `; did you mean ${JSON.stringify(near)}?` : "";
}

/** Checks the changed parts of a declaration against the project's facts. */
export function checkAgainstProject(
  declared: { loginId: string; tenantId: string | null },
  changed: ChangedParts,
  facts: ProjectFacts,
): CheckFailure[] {
  const failures: CheckFailure[] = [];
  const q = JSON.stringify;
  if (changed.loginId && facts.userFound === false) {
    failures.push({
      property: "loginId",
      reason: `no user with login ID ${q(declared.loginId)} (loginId is a login ID or the user ID of an existing user)`,
    });
  }
  const tenant = declared.tenantId;
  if (tenant !== null && changed.tenantId && facts.tenantIds && !facts.tenantIds.includes(tenant)) {
    failures.push({
      property: "tenantId",
      reason: `tenant ${q(tenant)} does not exist${suggestion(tenant, facts.tenantIds)}`,
    });
    return failures; // its roles cannot be judged
  }
  if (!facts.roles) return failures;
  const usable = facts.roles.filter((r) => r.tenantId === "" || r.tenantId === tenant).map((r) => r.name);
  for (const role of changed.roleNames) {
    if (usable.includes(role)) continue;
    const elsewhere = facts.roles.filter((r) => r.name === role).map((r) => r.tenantId);
    const reason =
      elsewhere.length > 0
        ? `role ${q(role)} is defined only for tenant ${elsewhere.map((t) => q(t)).join(", ")}, so ${tenant === null ? "it cannot be a project role" : `tenant ${q(tenant)} cannot use it`}`
        : `role ${q(role)} does not exist in the ${tenant === null ? "project" : `project or tenant ${q(tenant)}`}${suggestion(role, usable)}`;
    failures.push({ property: "roleNames", reason });
  }
  return failures;
}

/** What changed between the old inputs (`{}` for a new resource) and the new, normalised ones. */
export function changedParts(
  olds: Record<string, unknown>,
  news: { loginId: string; tenantId: string | null; roleNames: readonly string[] },
): ChangedParts {
  const isNew = Object.keys(olds).length === 0;
  const oldTenant = typeof olds.tenantId === "string" ? olds.tenantId : null;
  const tenantChanged = isNew || oldTenant !== news.tenantId;
  const oldRoles = Array.isArray(olds.roleNames) ? (olds.roleNames as unknown[]) : [];
  return {
    loginId: isNew || olds.loginId !== news.loginId,
    tenantId: tenantChanged,
    roleNames: tenantChanged ? news.roleNames : news.roleNames.filter((r) => !oldRoles.includes(r)),
  };
}
