/**
 * `descope-access export`: reads who holds which roles in the live project and writes it as a
 * grants document (`{ grants: [...] }`, YAML), ready for `parseGrants` and `pulumi up`.
 */
import { stringify } from "yaml";
import { escapeControlChars } from "./display-text";
import { exportGrants, type ExportedGrant, type ExportFilter } from "./export-grants";
import { checkOutputFile, writeOutputFile } from "./output-file";
import {
  CONNECTION_OPTIONS,
  CONNECTION_USAGE,
  KEY_NOTE,
  connect,
  fetchAllUsers,
  parseFlags,
  type CliIO,
} from "./project";

/** Usage text of `descope-access export --help`. */
export const EXPORT_USAGE = `Usage: descope-access export [options]

Writes the roles users hold in the live Descope project as a grants file (YAML): one "set"
grant per user and scope (project, or one tenant) holding at least one role, sorted by name.

Options:
  --out <file>            write to this file instead of stdout (refused when it exists, unless
                          --force; refused when it is a symbolic link, even with --force)
  --force                 replace an existing --out file
  --tenant <id>           only this tenant's scopes, and no project scope (repeatable)
  --login-id <id>         only the user with this login ID (repeatable)
  --role <name>           only scopes holding this role; the grant lists all their roles (repeatable)
  --include-test-users    keep Descope test users (left out by default)
${CONNECTION_USAGE}
  -h, --help              show this help

${KEY_NOTE}
Exit codes: 0 written, 1 error (one line on stderr).`;

/** The option table of `export`. */
export const EXPORT_OPTIONS = {
  out: { type: "string" },
  force: { type: "boolean" },
  tenant: { type: "string", multiple: true },
  "login-id": { type: "string", multiple: true },
  role: { type: "string", multiple: true },
  "include-test-users": { type: "boolean" },
  ...CONNECTION_OPTIONS,
  help: { type: "boolean", short: "h" },
} as const;

/** Pages after which progress lines appear on stderr (a small project stays silent). */
const QUIET_PAGES = 3;

/** The grants document as written: a comment line naming the project, then `{ grants }` as YAML. */
export function renderGrantsYaml(grants: readonly ExportedGrant[], projectId: string): string {
  const count = `${grants.length} grant${grants.length === 1 ? "" : "s"}`;
  return `# descope-access export of project ${escapeControlChars(projectId)}: ${count}\n${stringify({ grants })}`;
}

/** Runs `export` with its own argv (after the command name); resolves to the exit code. */
export async function runExport(argv: string[], io: CliIO): Promise<number> {
  const flags = parseFlags("export", argv, EXPORT_OPTIONS);
  if (flags.help) {
    io.stdout.write(`${EXPORT_USAGE}\n`);
    return 0;
  }
  const filter: ExportFilter = {
    tenantIds: flags.tenant ?? [],
    loginIds: flags["login-id"] ?? [],
    roleNames: flags.role ?? [],
    includeTestUsers: flags["include-test-users"] ?? false,
  };
  const force = flags.force ?? false;
  if (flags.out !== undefined) checkOutputFile(flags.out, { force }); // before the work, not after it
  const client = connect(flags, io.env);
  const search = {
    withTestUser: filter.includeTestUsers,
    ...(filter.tenantIds?.length ? { tenantIds: [...filter.tenantIds] } : {}),
    ...(filter.loginIds?.length ? { loginIds: [...filter.loginIds] } : {}),
  };
  const users = await fetchAllUsers(client, search, (page, count) => {
    if (page > QUIET_PAGES) io.stderr.write(`export: page ${page}, ${count} users\n`);
  });
  const grants = exportGrants(users, filter);
  const text = renderGrantsYaml(grants, client.projectId);
  if (flags.out === undefined) {
    io.stdout.write(text);
    return 0;
  }
  writeOutputFile(flags.out, text, { force });
  const where = escapeControlChars(flags.out);
  io.stderr.write(`export: ${grants.length} grants of ${users.length} users written to ${where}\n`);
  return 0;
}
