/**
 * The `descope-access` command: `descope-access <export|report> [options]`. Exports
 * {@link main} so tests run it in-process; bin/descope-access.js calls it with `process`.
 *
 * Exit codes: 0 ok, 1 error (one line on stderr, never holding the management key), 2 a
 * `report --fail-on-*` condition holds.
 */
import { oneLine, redactSecrets } from "../errors";
import { escapeControlChars, quote } from "./display-text";
import { EXPORT_USAGE, runExport } from "./export";
import { CliError, type CliIO } from "./project";
import { REPORT_USAGE, runReport } from "./report";
import { packageVersion } from "./version";

export type { CliIO } from "./project";

/** Usage text of `descope-access --help`. */
export const USAGE = `Usage: descope-access <command> [options]

Commands:
  export    write the roles users hold in the live project as a grants file (YAML)
  report    compare the roles users hold with grants files and Pulumi states

Run descope-access <command> --help for a command's options; descope-access --version prints
the package version.

Settings: DESCOPE_PROJECT_ID (or --project-id), DESCOPE_BASE_URL (or --base-url), and
DESCOPE_MANAGEMENT_KEY (only from the environment).

Exit codes: 0 ok, 1 error, 2 a report --fail-on-* condition holds.`;

/** The commands by name, with their runner and usage text. */
export const COMMANDS: Record<string, { run: (argv: string[], io: CliIO) => Promise<number>; usage: string }> = {
  export: { run: runExport, usage: EXPORT_USAGE },
  report: { run: runReport, usage: REPORT_USAGE },
};

/**
 * Runs `descope-access` with `argv` (without `node` and the script) against `io`; resolves to
 * the exit code and never rejects: every failure becomes one redacted line on stderr.
 */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    (name === undefined ? io.stderr : io.stdout).write(`${USAGE}\n`);
    return name === undefined ? 1 : 0;
  }
  if (name === "--version") {
    io.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    const what = name.startsWith("-") ? `expected a command before ${name}` : `unknown command ${quote(name)}`;
    return fail(
      io,
      "descope-access",
      `${what} (commands: ${Object.keys(COMMANDS).join(", ")}; see descope-access --help)`,
      1,
    );
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    const exitCode = err instanceof CliError ? err.exitCode : 1;
    return fail(io, `descope-access ${name}`, err instanceof Error ? err.message : String(err), exitCode);
  }
}

/**
 * Writes `prefix: message` as one line with the management key redacted and control characters
 * escaped (a message may quote a login ID or a file name); returns the exit code.
 */
function fail(io: CliIO, prefix: string, message: string, exitCode: number): number {
  const redacted = redactSecrets(message, [io.env.DESCOPE_MANAGEMENT_KEY?.trim()]);
  const line = oneLine(escapeControlChars(redacted), 2000);
  io.stderr.write(`${prefix}: ${line}\n`);
  return exitCode;
}
