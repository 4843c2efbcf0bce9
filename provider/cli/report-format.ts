/**
 * The three renderings of an access report: a plain table grouped by user (the default),
 * JSON, and a Markdown review document. Pure string building. Every value from a source or the
 * live project goes through {@link escapeControlChars} on its way to the table, and through
 * {@link markdownText} on its way to the Markdown document.
 */
import { escapeControlChars, markdownText } from "./display-text";
import type { AccessReport, ReportItem } from "./report-classify";
import { compareItems } from "./report-classify";

/** The three kinds of report lines, in the order they are shown within a user. */
export const STATUSES = ["managed", "unmanaged", "missing"] as const;

/** One of {@link STATUSES}. */
export type Status = (typeof STATUSES)[number];

/** What the report was made from, for the document's header. */
export interface ReportContext {
  /** The live project. */
  projectId: string;
  /** Where the declarations came from, e.g. `grants file grants.yaml`. */
  source: string;
}

/** The scope as printed: the tenant ID, or `project`. */
export function scopeLabel(tenantId: string | null): string {
  return tenantId ?? "project";
}

/** `roles: 2 managed, 1 unmanaged, 0 missing; users: 3`: counts of roles, not of lines. */
export function summaryLine(report: AccessReport): string {
  const roles = (s: Status) => report[s].reduce((n, i) => n + i.roleNames.length, 0);
  const users = new Set(STATUSES.flatMap((s) => report[s].map((i) => i.userId ?? `?${i.loginId}`)));
  const counts = STATUSES.map((s) => `${roles(s)} ${s}`).join(", ");
  return `roles: ${counts}; users: ${users.size}`;
}

/** The report as JSON: `{ managed, unmanaged, missing }`, two-space indented, newline-terminated. */
export function formatJson(report: AccessReport): string {
  return `${JSON.stringify({ managed: report.managed, unmanaged: report.unmanaged, missing: report.missing }, null, 2)}\n`;
}

/**
 * The report as a table grouped by user: a header line per user (login ID and user ID), then
 * one indented line per scope and status, then the summary.
 */
export function formatTable(report: AccessReport): string {
  const rows = STATUSES.flatMap((status) => report[status].map((item) => ({ status, item })));
  rows.sort((a, b) => compareItems(a.item, b.item) || STATUSES.indexOf(a.status) - STATUSES.indexOf(b.status));
  const width = Math.max(7, ...rows.map((r) => shownScope(r.item).length));
  const lines: string[] = [];
  let user = "";
  for (const { status, item } of rows) {
    const header = escapeControlChars(`${item.loginId} (${item.userId ?? "no such user"})`);
    if (header !== user) {
      if (user) lines.push("");
      lines.push(header);
      user = header;
    }
    const roles = escapeControlChars(item.roleNames.join(", "));
    lines.push(`  ${shownScope(item).padEnd(width)}  ${status.padEnd(9)}  ${roles}`);
  }
  if (rows.length === 0) lines.push("No roles are held or declared.");
  lines.push("", summaryLine(report));
  return `${lines.join("\n")}\n`;
}

/** The report as a Markdown review document: summary, then unmanaged, missing and managed tables. */
export function formatMarkdown(report: AccessReport, context: ReportContext): string {
  const out = [
    "# Descope access review",
    "",
    `Project ${markdownText(context.projectId)}, declarations from ${markdownText(context.source)}.`,
    "",
    `Summary: ${summaryLine(report)}.`,
  ];
  const sections: [Status, string][] = [
    ["unmanaged", "Held, but declared by nothing: declare them or remove them."],
    ["missing", "Declared, but not held: the next `pulumi up` grants them (or the user does not exist)."],
    ["managed", "Held and declared."],
  ];
  for (const [status, blurb] of sections) {
    out.push("", `## ${status[0].toUpperCase()}${status.slice(1)} (${report[status].length})`, "", blurb, "");
    if (report[status].length === 0) {
      out.push("_None._");
      continue;
    }
    out.push("| Login ID | User ID | Scope | Roles |", "| --- | --- | --- | --- |");
    for (const item of report[status]) out.push(markdownRow(item));
  }
  return `${out.join("\n")}\n`;
}

function markdownRow(item: ReportItem): string {
  const cells = [item.loginId, item.userId ?? "(no such user)", scopeLabel(item.tenantId), item.roleNames.join(", ")];
  return `| ${cells.map(markdownText).join(" | ")} |`;
}

function shownScope(item: Pick<ReportItem, "tenantId">): string {
  return escapeControlChars(scopeLabel(item.tenantId));
}
