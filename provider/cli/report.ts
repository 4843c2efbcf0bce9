/**
 * `descope-access report`: who holds what in the live project, set against declarations from
 * a grants file or a Pulumi state, as a table, JSON or a Markdown review document.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { parseGrants } from "../grants-file";
import { classifyAccess, type AccessReport, type DeclaredAssignment } from "./report-classify";
import { formatJson, formatMarkdown, formatTable } from "./report-format";
import { declarationsFromGrants, declarationsFromState } from "./report-sources";
import {
  CONNECTION_OPTIONS,
  CONNECTION_USAGE,
  KEY_NOTE,
  CliError,
  connect,
  fetchAllUsers,
  parseFlags,
  type CliIO,
} from "./project";

/** Usage text of `descope-access report --help`. */
export const REPORT_USAGE = `Usage: descope-access report (--grants <file> | --state <file>) [options]

Compares the roles users hold in the live Descope project with declarations, per user and
scope: managed (held and declared), unmanaged (held, declared by nothing; in an "add" scope
the roles not listed), missing (declared, not held).

Options:
  --grants <file>         declarations from a grants file (YAML or JSON)
  --state <file>          declarations from a Pulumi state (pulumi stack export JSON)
  --json                  print { "managed": [], "unmanaged": [], "missing": [] }
  --markdown              print a Markdown review document
  --fail-on-unmanaged     exit 2 when any role is unmanaged
  --fail-on-missing       exit 2 when any role is missing
  --include-test-users    report test users no declaration names (left out by default)
${CONNECTION_USAGE}
  -h, --help              show this help

${KEY_NOTE}
Exit codes: 0 reported, 1 error (one line on stderr), 2 a --fail-on-* condition holds.`;

/** The option table of `report`. */
export const REPORT_OPTIONS = {
  grants: { type: "string" },
  state: { type: "string" },
  json: { type: "boolean" },
  markdown: { type: "boolean" },
  "fail-on-unmanaged": { type: "boolean" },
  "fail-on-missing": { type: "boolean" },
  "include-test-users": { type: "boolean" },
  ...CONNECTION_OPTIONS,
  help: { type: "boolean", short: "h" },
} as const;

/** The declarations of `--grants` or `--state`, and how to name their source. */
export function readDeclarations(flags: { grants?: string; state?: string }): {
  declared: DeclaredAssignment[];
  source: string;
} {
  if ((flags.grants === undefined) === (flags.state === undefined)) {
    throw new CliError("give exactly one of --grants <file> and --state <file> (see descope-access report --help)");
  }
  if (flags.grants !== undefined) {
    const source = `grants file ${flags.grants}`;
    const doc = parseFile(flags.grants, source, (text) => parseYaml(text) as unknown);
    return { declared: declarationsFromGrants(parseGrants(doc, source)), source };
  }
  const source = `state file ${flags.state}`;
  const doc = parseFile(flags.state as string, source, (text) => JSON.parse(text) as unknown);
  return { declared: declarationsFromState(doc, source), source };
}

/** The exit code of a report: 2 when a `--fail-on-*` condition holds, else 0. */
export function reportExitCode(report: AccessReport, failOn: { unmanaged?: boolean; missing?: boolean }): number {
  return (failOn.unmanaged && report.unmanaged.length > 0) || (failOn.missing && report.missing.length > 0) ? 2 : 0;
}

/** Runs `report` with its own argv (after the command name); resolves to the exit code. */
export async function runReport(argv: string[], io: CliIO): Promise<number> {
  const flags = parseFlags("report", argv, REPORT_OPTIONS);
  if (flags.help) {
    io.stdout.write(`${REPORT_USAGE}\n`);
    return 0;
  }
  if (flags.json && flags.markdown) throw new CliError("give at most one of --json and --markdown");
  const { declared, source } = readDeclarations(flags);
  const client = connect(flags, io.env);
  const users = await fetchAllUsers(client, { withTestUser: true }); // declared test users count
  const report = classifyAccess(users, declared, { includeTestUsers: flags["include-test-users"] ?? false });
  if (flags.json) io.stdout.write(formatJson(report));
  else if (flags.markdown) io.stdout.write(formatMarkdown(report, { projectId: client.projectId, source }));
  else io.stdout.write(formatTable(report));
  const code = reportExitCode(report, { unmanaged: flags["fail-on-unmanaged"], missing: flags["fail-on-missing"] });
  if (code === 2) {
    const held = [
      flags["fail-on-unmanaged"] && report.unmanaged.length > 0 ? `${report.unmanaged.length} unmanaged` : "",
      flags["fail-on-missing"] && report.missing.length > 0 ? `${report.missing.length} missing` : "",
    ].filter(Boolean);
    io.stderr.write(`report: failing: ${held.join(", ")} (user and scope entries)\n`);
  }
  return code;
}

function parseFile(file: string, source: string, parse: (text: string) => unknown): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new CliError(`cannot read ${source}: ${(err as Error).message}`);
  }
  try {
    return parse(text);
  } catch (err) {
    throw new CliError(
      `${source} is not valid ${source.startsWith("state") ? "JSON" : "YAML or JSON"}: ${(err as Error).message}`,
    );
  }
}
