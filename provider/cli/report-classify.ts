/**
 * The pure part of `descope-access report`: live users and declarations in, per user and scope
 * the roles that are managed (held and declared), unmanaged (held, asserted by no
 * declaration) and missing (declared, not held). No I/O here.
 */
import { byCodePoint, displayLoginId, heldScopes, isTestUser, sortedUnique, type RoleHolder } from "./export-grants";

/** One declared assignment, from a grants file or a Pulumi state. */
export interface DeclaredAssignment {
  /** The grant's or resource's name (for messages); a resource's URN when its name alone is ambiguous. */
  name: string;
  /** The resource's URN, which alone identifies it in a state (absent for grants). */
  urn?: string;
  /** The login ID (or user ID) as declared. */
  loginId: string;
  /** The user ID when known (a state records it): then it alone names the user. */
  userId?: string;
  /** The tenant, or `null` for project roles. */
  tenantId: string | null;
  /** The roles the declaration asserts. */
  roleNames: string[];
  /**
   * `set` or `add`. Either way only the listed roles count as declared: the other roles of an
   * `add` scope are unmanaged, and those of a `set` scope are drift the next `pulumi up` removes.
   */
  mode: "set" | "add";
}

/** One line of the report: some roles of one user in one scope. */
export interface ReportItem {
  /** The user's first login ID (as declared when no such user exists). */
  loginId: string;
  /** The user ID, or `null` when no user matches the declaration. */
  userId: string | null;
  /** The tenant, or `null` for the project. */
  tenantId: string | null;
  /** The roles, sorted. */
  roleNames: string[];
}

/** The whole report: items sorted by login ID, then scope (project first). */
export interface AccessReport {
  /** Held and declared. */
  managed: ReportItem[];
  /** Held, declared by nothing. */
  unmanaged: ReportItem[];
  /** Declared, not held (or the user does not exist). */
  missing: ReportItem[];
}

/** Options of {@link classifyAccess}. */
export interface ClassifyOptions {
  /** Report test users no declaration names. @default false (declared test users are always in) */
  includeTestUsers?: boolean;
}

/** The user a declaration names: by user ID when it has one, else by login ID, then as a user ID. */
export function resolveDeclared(d: DeclaredAssignment, users: readonly RoleHolder[]): RoleHolder | undefined {
  if (d.userId !== undefined) return users.find((u) => u.userId === d.userId);
  return users.find((u) => u.loginIds.includes(d.loginId)) ?? users.find((u) => u.userId === d.loginId);
}

/** Classifies every role held by `users` and declared by `declared`. */
export function classifyAccess(
  users: readonly RoleHolder[],
  declared: readonly DeclaredAssignment[],
  options: ClassifyOptions = {},
): AccessReport {
  const report: AccessReport = { managed: [], unmanaged: [], missing: [] };
  const assertedByUser = new Map<string, Map<string | null, Set<string>>>();
  const orphans = new Map<string, { item: ReportItem; roles: Set<string> }>();
  for (const d of declared) {
    const user = resolveDeclared(d, users);
    if (!user) {
      const key = JSON.stringify([d.loginId, d.userId ?? null, d.tenantId]);
      const entry = orphans.get(key) ?? {
        item: { loginId: d.loginId, userId: d.userId ?? null, tenantId: d.tenantId, roleNames: [] },
        roles: new Set(),
      };
      for (const r of d.roleNames) entry.roles.add(r);
      orphans.set(key, entry);
      continue;
    }
    const scopes = assertedByUser.get(user.userId) ?? new Map<string | null, Set<string>>();
    const asserted = scopes.get(d.tenantId) ?? new Set<string>();
    for (const r of d.roleNames) asserted.add(r);
    scopes.set(d.tenantId, asserted);
    assertedByUser.set(user.userId, scopes);
  }
  for (const user of users) {
    const asserted = assertedByUser.get(user.userId);
    if (!asserted && isTestUser(user) && !options.includeTestUsers) continue;
    const held = new Map(heldScopes(user).map((s) => [s.tenantId, s.roleNames] as const));
    for (const tenantId of new Set([...held.keys(), ...(asserted?.keys() ?? [])])) {
      const holds = held.get(tenantId) ?? [];
      const declaredRoles = asserted?.get(tenantId) ?? new Set<string>();
      const item = (roleNames: string[]): ReportItem => ({
        loginId: displayLoginId(user),
        userId: user.userId,
        tenantId,
        roleNames,
      });
      push(report.managed, item(holds.filter((r) => declaredRoles.has(r))));
      push(report.unmanaged, item(holds.filter((r) => !declaredRoles.has(r))));
      push(report.missing, item([...declaredRoles].filter((r) => !holds.includes(r))));
    }
  }
  for (const { item, roles } of orphans.values()) push(report.missing, { ...item, roleNames: [...roles] });
  for (const list of Object.values(report)) list.sort(compareItems);
  return report;
}

/** Orders items by login ID, then user ID, then scope with the project first. */
export function compareItems(a: ReportItem, b: ReportItem): number {
  return (
    byCodePoint(a.loginId, b.loginId) ||
    byCodePoint(a.userId ?? "", b.userId ?? "") ||
    (a.tenantId === b.tenantId
      ? 0
      : a.tenantId === null
        ? -1
        : b.tenantId === null
          ? 1
          : byCodePoint(a.tenantId, b.tenantId))
  );
}

/** Appends the item with its roles sorted, unless it has none. */
function push(list: ReportItem[], item: ReportItem): void {
  if (item.roleNames.length > 0) list.push({ ...item, roleNames: sortedUnique(item.roleNames) });
}
