/**
 * The part of `descope-access report` that sets several sources (stacks, grants files) against
 * each other: per user and scope, the declarations of different sources that contradict each
 * other, and the roles more than one source asserts. A user named by a login ID in one source
 * and by its user ID in another is one user: both resolve against the live project. Pure.
 */
import { byCodePoint, displayLoginId, sortedUnique, type RoleHolder } from "./export-grants";
import { compareItems, resolveDeclared, type DeclaredAssignment } from "./report-classify";

/** The declarations of one `--grants` or `--state` file. */
export interface DeclarationSource {
  /** How the source is named in the report, e.g. `state file prod.json`. */
  label: string;
  /** What its declarations are: grants of a grants file, or resources of a state. */
  kind: "grants" | "state";
  /** Its declarations. */
  declared: DeclaredAssignment[];
}

/** One declaration as the report names it: its source, its grant or resource name, what it says. */
export interface DeclarationRef {
  /** The source's label. */
  source: string;
  /** `grant` (a grants file) or `resource` (a state). */
  kind: "grant" | "resource";
  /** The grant's or resource's name (a resource's URN when its name alone is ambiguous). */
  name: string;
  /** The resource's URN (states only). */
  urn?: string;
  /** The declaration's mode. */
  mode: "set" | "add";
  /** The roles it declares, sorted. */
  roleNames: string[];
}

/** Two declarations of one user and scope, from different sources, that cannot both hold. */
export interface Contradiction {
  /** The user's first login ID (as declared when no such user exists). */
  loginId: string;
  /** The user ID, or `null` when no user matches. */
  userId: string | null;
  /** The tenant, or `null` for the project. */
  tenantId: string | null;
  /** The roles in dispute: those one declares and the other's `set` leaves out, sorted. */
  roleNames: string[];
  /** The two declarations, a `set` first. */
  declarations: [DeclarationRef, DeclarationRef];
}

/** Roles of one user and scope asserted by declarations of more than one source. */
export interface SharedGrant {
  /** The user's first login ID (as declared when no such user exists). */
  loginId: string;
  /** The user ID, or `null` when no user matches. */
  userId: string | null;
  /** The tenant, or `null` for the project. */
  tenantId: string | null;
  /** The shared roles, sorted. */
  roleNames: string[];
  /** Every declaration asserting them, in source order. */
  declaredBy: DeclarationRef[];
}

/** What {@link findOverlaps} finds; both lists sorted by login ID, then scope. */
export interface OverlapReport {
  /** Declarations of different sources that contradict each other. */
  contradictions: Contradiction[];
  /** Roles asserted by more than one source. */
  shared: SharedGrant[];
}

interface Scoped {
  loginId: string;
  userId: string | null;
  tenantId: string | null;
  entries: { source: number; ref: DeclarationRef }[];
}

/** The contradictions and shared roles between `sources`, users resolved against `users`. */
export function findOverlaps(users: readonly RoleHolder[], sources: readonly DeclarationSource[]): OverlapReport {
  const report: OverlapReport = { contradictions: [], shared: [] };
  for (const group of groupByUserAndScope(users, sources)) {
    const where = { loginId: group.loginId, userId: group.userId, tenantId: group.tenantId };
    group.entries.forEach((a, i) => {
      for (const b of group.entries.slice(i + 1)) {
        if (a.source === b.source) continue; // one program's own contradictions are refused at its preview
        const pair = contradiction(a.ref, b.ref);
        if (pair) report.contradictions.push({ ...where, ...pair });
      }
    });
    report.shared.push(...sharedRoles(group).map((s) => ({ ...where, ...s })));
  }
  report.contradictions.sort((a, b) => compareItems(a, b) || compareRefs(a.declarations[0], b.declarations[0]));
  report.shared.sort((a, b) => compareItems(a, b) || byCodePoint(a.roleNames.join(), b.roleNames.join()));
  return report;
}

/**
 * Why two declarations of one user and scope cannot both hold, or `undefined`: two `set`s with
 * different roles, or a `set` and an `add` declaring roles the `set` leaves out.
 */
export function contradiction(
  a: DeclarationRef,
  b: DeclarationRef,
): Pick<Contradiction, "roleNames" | "declarations"> | undefined {
  if (a.mode === "add" && b.mode === "add") return undefined;
  const [set, other] = a.mode === "set" ? [a, b] : [b, a];
  const extra = other.roleNames.filter((r) => !set.roleNames.includes(r));
  const lacking = other.mode === "set" ? set.roleNames.filter((r) => !other.roleNames.includes(r)) : [];
  const roleNames = sortedUnique([...extra, ...lacking]);
  return roleNames.length > 0 ? { roleNames, declarations: [set, other] } : undefined;
}

function groupByUserAndScope(users: readonly RoleHolder[], sources: readonly DeclarationSource[]): Scoped[] {
  const groups = new Map<string, Scoped>();
  sources.forEach((src, source) => {
    for (const d of src.declared) {
      const user = resolveDeclared(d, users);
      const userKey = user ? ["user", user.userId] : ["none", d.userId ?? d.loginId];
      const key = JSON.stringify([...userKey, d.tenantId]);
      const group = groups.get(key) ?? {
        loginId: user ? displayLoginId(user) : d.loginId,
        userId: user?.userId ?? d.userId ?? null,
        tenantId: d.tenantId,
        entries: [],
      };
      group.entries.push({ source, ref: refOf(src, d) });
      groups.set(key, group);
    }
  });
  return [...groups.values()];
}

/** The roles asserted by more than one source, grouped by the declarations asserting them. */
function sharedRoles(group: Scoped): Pick<SharedGrant, "roleNames" | "declaredBy">[] {
  const byRole = new Map<string, Scoped["entries"]>();
  for (const entry of group.entries) {
    for (const role of entry.ref.roleNames) byRole.set(role, [...(byRole.get(role) ?? []), entry]);
  }
  const bySet = new Map<string, Pick<SharedGrant, "roleNames" | "declaredBy">>();
  for (const [role, entries] of byRole) {
    if (new Set(entries.map((e) => e.source)).size < 2) continue;
    const key = entries.map((e) => group.entries.indexOf(e)).join();
    const shared = bySet.get(key) ?? { roleNames: [], declaredBy: entries.map((e) => e.ref) };
    shared.roleNames.push(role);
    bySet.set(key, shared);
  }
  return [...bySet.values()].map((s) => ({ ...s, roleNames: sortedUnique(s.roleNames) }));
}

function refOf(source: DeclarationSource, d: DeclaredAssignment): DeclarationRef {
  const kind = source.kind === "state" ? "resource" : "grant";
  const urn = d.urn === undefined ? {} : { urn: d.urn };
  return { source: source.label, kind, name: d.name, ...urn, mode: d.mode, roleNames: sortedUnique(d.roleNames) };
}

function compareRefs(a: DeclarationRef, b: DeclarationRef): number {
  return byCodePoint(a.source, b.source) || byCodePoint(a.name, b.name);
}
