/**
 * The access report as a Markdown review document: summary, then (with several sources)
 * contradictions and shared roles, then unmanaged, missing and managed tables. Every value
 * from a source, a file name or the live project goes through {@link markdownText}, so none
 * can end a cell, start a row or open a tag. Pure string building.
 */
import { markdownText } from "./display-text";
import type { AccessReport, ReportItem } from "./report-classify";
import { OVERLAP_BLURBS, scopeLabel, summaryLine, type ReportContext, type Status } from "./report-format";
import type { DeclarationRef, OverlapReport } from "./report-overlap";

const STATUS_BLURBS: [Status, string][] = [
  ["unmanaged", "Held, but declared by nothing: declare them or remove them."],
  ["missing", "Declared, but not held: the next `pulumi up` grants them (or the user does not exist)."],
  ["managed", "Held and declared."],
];

/** The report as a Markdown document; `overlaps` (several sources) adds their two sections. */
export function formatMarkdown(report: AccessReport, context: ReportContext, overlaps?: OverlapReport): string {
  const out = [
    "# Descope access review",
    "",
    `Project ${markdownText(context.projectId)}, declarations from ${context.sources.map(markdownText).join("; ")}.`,
    "",
    `Summary: ${markdownText(summaryLine(report, overlaps))}.`,
  ];
  if (overlaps) {
    const head = (roles: string) => `| Login ID | User ID | Scope | ${roles} | Declared by |`;
    const rows = (items: readonly (ReportItem & { refs: readonly DeclarationRef[] })[]) =>
      items.map((i) => row([...cells(i), i.refs.map(refCell).join("; ")]));
    const contradictions = overlaps.contradictions.map((c) => ({ ...c, refs: c.declarations }));
    const shared = overlaps.shared.map((s) => ({ ...s, refs: s.declaredBy }));
    section(out, "Contradictions", OVERLAP_BLURBS.contradictions, head("Roles in dispute"), rows(contradictions));
    section(out, "Shared", OVERLAP_BLURBS.shared, head("Roles"), rows(shared));
  }
  for (const [status, blurb] of STATUS_BLURBS) {
    const title = `${status[0].toUpperCase()}${status.slice(1)}`;
    section(
      out,
      title,
      blurb,
      "| Login ID | User ID | Scope | Roles |",
      report[status].map((i) => row(cells(i))),
    );
  }
  return `${out.join("\n")}\n`;
}

function section(out: string[], title: string, blurb: string, head: string, rows: string[]): void {
  out.push("", `## ${title} (${rows.length})`, "", blurb, "");
  if (rows.length === 0) {
    out.push("_None._");
    return;
  }
  out.push(head, head.replace(/[^|]+/g, " --- "));
  out.push(...rows);
}

function cells(item: ReportItem): string[] {
  return [item.loginId, item.userId ?? "(no such user)", scopeLabel(item.tenantId), item.roleNames.join(", ")];
}

function refCell(ref: DeclarationRef): string {
  const roles = ref.roleNames.length > 0 ? ref.roleNames.join(", ") : "(no roles)";
  return `${ref.source}, ${ref.kind} "${ref.name}": ${ref.mode} ${roles}`;
}

function row(values: string[]): string {
  return `| ${values.map(markdownText).join(" | ")} |`;
}
