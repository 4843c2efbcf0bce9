/**
 * `descope-access report`: who holds what in the live project, set against the declarations of
 * one or more grants files and Pulumi states, as a table, JSON or a Markdown review document;
 * with several sources, also where they contradict each other and which roles they share.
 */
import { classifyAccess, type AccessReport } from "./report-classify";
import { readSources } from "./report-files";
import { formatJson, formatTable } from "./report-format";
import { formatMarkdown } from "./report-markdown";
import { findOverlaps, type OverlapReport } from "./report-overlap";
import {
  CONNECTION_OPTIONS,
  CONNECTION_USAGE,
  KEY_NOTE,
  CliError,
  connect,
  fetchAllUsers,
  flagsInOrder,
  parseFlags,
  type CliIO,
} from "./project";

/** Usage text of `descope-access report --help`. */
export const REPORT_USAGE = `Usage: descope-access report (--grants <file> | --state <file>)... [options]

Compares the roles users hold in the live Descope project with declarations, per user and
scope: managed (held and declared), unmanaged (held, declared by nothing; in an "add" scope
the roles not listed), missing (declared, not held). Given several sources (stacks, grants
files), it also lists their contradictions (one source's "set" leaves out roles another
declares) and the roles more than one source asserts (shared).

Options:
  --grants <file>         declarations from a grants file (YAML or JSON) (repeatable)
  --state <file>          declarations from a Pulumi state (pulumi stack export JSON) (repeatable)
  --json                  print { "managed", "unmanaged", "missing", "contradictions", "shared" }
  --markdown              print a Markdown review document
  --fail-on-unmanaged     exit 2 when any role is unmanaged
  --fail-on-missing       exit 2 when any role is missing
  --fail-on-conflict      exit 2 when any two sources contradict each other
  --include-test-users    report test users no declaration names (left out by default)
${CONNECTION_USAGE}
  -h, --help              show this help

${KEY_NOTE}
Exit codes: 0 reported, 1 error (one line on stderr), 2 a --fail-on-* condition holds.`;

/** The option table of `report`. */
export const REPORT_OPTIONS = {
  grants: { type: "string", multiple: true },
  state: { type: "string", multiple: true },
  json: { type: "boolean" },
  markdown: { type: "boolean" },
  "fail-on-unmanaged": { type: "boolean" },
  "fail-on-missing": { type: "boolean" },
  "fail-on-conflict": { type: "boolean" },
  "include-test-users": { type: "boolean" },
  ...CONNECTION_OPTIONS,
  help: { type: "boolean", short: "h" },
} as const;

/** Which `--fail-on-*` flags were given. */
export interface FailOn {
  unmanaged?: boolean;
  missing?: boolean;
  conflict?: boolean;
}

/** What makes a report fail under `failOn`, e.g. `["1 unmanaged", "2 contradictions"]`; empty when none. */
export function failures(report: AccessReport, overlaps: OverlapReport, failOn: FailOn): string[] {
  const n = overlaps.contradictions.length;
  return [
    failOn.unmanaged && report.unmanaged.length > 0 ? `${report.unmanaged.length} unmanaged` : "",
    failOn.missing && report.missing.length > 0 ? `${report.missing.length} missing` : "",
    failOn.conflict && n > 0 ? `${n} contradiction${n === 1 ? "" : "s"}` : "",
  ].filter(Boolean);
}

/** Runs `report` with its own argv (after the command name); resolves to the exit code. */
export async function runReport(argv: string[], io: CliIO): Promise<number> {
  const flags = parseFlags("report", argv, REPORT_OPTIONS);
  if (flags.help) {
    io.stdout.write(`${REPORT_USAGE}\n`);
    return 0;
  }
  if (flags.json && flags.markdown) throw new CliError("give at most one of --json and --markdown");
  const sources = readSources(
    flagsInOrder(argv, REPORT_OPTIONS, ["grants", "state"] as const).map((f) => ({ kind: f.name, file: f.value })),
  );
  const client = connect(flags, io.env);
  const users = await fetchAllUsers(client, { withTestUser: true }); // declared test users count
  const declared = sources.flatMap((s) => s.declared);
  const report = classifyAccess(users, declared, { includeTestUsers: flags["include-test-users"] ?? false });
  const overlaps = findOverlaps(users, sources);
  const shown = sources.length > 1 ? overlaps : undefined; // one source has nothing to set against
  const context = { projectId: client.projectId, sources: sources.map((s) => s.label) };
  if (flags.json) io.stdout.write(formatJson(report, overlaps));
  else if (flags.markdown) io.stdout.write(formatMarkdown(report, context, shown));
  else io.stdout.write(formatTable(report, shown));
  const failing = failures(report, overlaps, {
    unmanaged: flags["fail-on-unmanaged"],
    missing: flags["fail-on-missing"],
    conflict: flags["fail-on-conflict"],
  });
  if (failing.length === 0) return 0;
  io.stderr.write(`report: failing: ${failing.join(", ")} (user and scope entries)\n`);
  return 2;
}
