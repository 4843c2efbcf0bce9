/**
 * The plain renderings of an access report: a table grouped by user (the default) and JSON;
 * the Markdown document is in report-markdown.ts. Pure string building. Every value from a
 * source or the live project goes through {@link escapeControlChars} on its way to a table.
 */
import { escapeControlChars, quote } from "./display-text";
import type { AccessReport, ReportItem } from "./report-classify";
import { compareItems } from "./report-classify";
import type { Contradiction, DeclarationRef, OverlapReport, SharedGrant } from "./report-overlap";

/** The three kinds of report lines, in the order they are shown within a user. */
export const STATUSES = ["managed", "unmanaged", "missing"] as const;

/** One of {@link STATUSES}. */
export type Status = (typeof STATUSES)[number];

/** What the report was made from, for the document's header. */
export interface ReportContext {
  /** The live project. */
  projectId: string;
  /** Where the declarations came from, e.g. `grants file grants.yaml`, one label per source. */
  sources: readonly string[];
}

/** What the contradictions and shared sections say under their heading. */
export const OVERLAP_BLURBS = {
  contradictions:
    "Sources that disagree on one user and scope: each one's next `pulumi up` undoes the other's. Make them agree.",
  shared:
    "Roles asserted by more than one source: removing a role from one source's program keeps it only while another still asserts it (that stack's next `pulumi up` grants it again). To revoke it, remove it from every source listed.",
} as const;

/** The scope as printed: the tenant ID, or `project`. */
export function scopeLabel(tenantId: string | null): string {
  return tenantId ?? "project";
}

/**
 * `roles: 2 managed, 1 unmanaged, 0 missing; users: 3`: counts of roles, not of lines; with
 * `overlaps`, then `; contradictions: 1; shared: 2` (counts of entries).
 */
export function summaryLine(report: AccessReport, overlaps?: OverlapReport): string {
  const roles = (s: Status) => report[s].reduce((n, i) => n + i.roleNames.length, 0);
  const users = new Set(STATUSES.flatMap((s) => report[s].map((i) => i.userId ?? `?${i.loginId}`)));
  const counts = STATUSES.map((s) => `${roles(s)} ${s}`).join(", ");
  const more = overlaps ? `; contradictions: ${overlaps.contradictions.length}; shared: ${overlaps.shared.length}` : "";
  return `roles: ${counts}; users: ${users.size}${more}`;
}

/**
 * The report as JSON, `{ managed, unmanaged, missing, contradictions, shared }`, two-space
 * indented, newline-terminated: exact data, nothing escaped beyond what JSON escapes.
 */
export function formatJson(report: AccessReport, overlaps: OverlapReport = { contradictions: [], shared: [] }): string {
  const { managed, unmanaged, missing } = report;
  const { contradictions, shared } = overlaps;
  return `${JSON.stringify({ managed, unmanaged, missing, contradictions, shared }, null, 2)}\n`;
}

/**
 * The report as a table grouped by user: a header line per user (login ID and user ID), then
 * one indented line per scope and status; with `overlaps` (several sources), a contradictions
 * and a shared section; then the summary.
 */
export function formatTable(report: AccessReport, overlaps?: OverlapReport): string {
  const rows = STATUSES.flatMap((status) => report[status].map((item) => ({ status, item })));
  rows.sort((a, b) => compareItems(a.item, b.item) || STATUSES.indexOf(a.status) - STATUSES.indexOf(b.status));
  const width = Math.max(7, ...rows.map((r) => shownScope(r.item).length));
  const lines: string[] = [];
  let user = "";
  for (const { status, item } of rows) {
    const header = userLabel(item);
    if (header !== user) {
      if (user) lines.push("");
      lines.push(header);
      user = header;
    }
    lines.push(`  ${shownScope(item).padEnd(width)}  ${status.padEnd(9)}  ${shownRoles(item.roleNames)}`);
  }
  if (rows.length === 0) lines.push("No roles are held or declared.");
  if (overlaps) lines.push(...overlapLines(overlaps));
  lines.push("", summaryLine(report, overlaps));
  return `${lines.join("\n")}\n`;
}

/** `ada@example.com (U2…)`, or `(no such user)`, escaped. */
export function userLabel(item: Pick<ReportItem, "loginId" | "userId">): string {
  return escapeControlChars(`${item.loginId} (${item.userId ?? "no such user"})`);
}

/** `state file a.json, resource "g": set admin, viewer`, escaped: one declaration in a line. */
export function describeRef(ref: DeclarationRef): string {
  const roles = ref.roleNames.length > 0 ? shownRoles(ref.roleNames) : "(no roles)";
  return `${escapeControlChars(ref.source)}, ${ref.kind} ${quote(ref.name)}: ${ref.mode} ${roles}`;
}

function overlapLines(overlaps: OverlapReport): string[] {
  const lines: string[] = [];
  const section = <T extends Contradiction | SharedGrant>(
    title: string,
    blurb: string,
    items: readonly T[],
    roles: (item: T) => string,
    refs: (item: T) => readonly DeclarationRef[],
  ) => {
    lines.push("", `${title} (${items.length}): ${blurb.replace(/`/g, "")}`);
    if (items.length === 0) lines.push("  None.");
    for (const item of items) {
      lines.push(`  ${userLabel(item)}  ${shownScope(item)}  ${roles(item)}`);
      for (const ref of refs(item)) lines.push(`    ${describeRef(ref)}`);
    }
  };
  section(
    "Contradictions",
    OVERLAP_BLURBS.contradictions,
    overlaps.contradictions,
    (c) => `in dispute: ${shownRoles(c.roleNames)}`,
    (c) => c.declarations,
  );
  section(
    "Shared",
    OVERLAP_BLURBS.shared,
    overlaps.shared,
    (s) => shownRoles(s.roleNames),
    (s) => s.declaredBy,
  );
  return lines;
}

function shownScope(item: Pick<ReportItem, "tenantId">): string {
  return escapeControlChars(scopeLabel(item.tenantId));
}

function shownRoles(roleNames: readonly string[]): string {
  return escapeControlChars(roleNames.join(", "));
}
