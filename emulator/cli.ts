/**
 * The `descope-emulator` command: starts an emulator, prints the settings a client needs as
 * `export NAME=value` lines on stdout (everything else goes to stderr, so stdout can be
 * sourced), and stops cleanly on SIGINT or SIGTERM (exit code 0).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startEmulator, type EmulatorHandle } from "./index";
import type { EmulatorSeed } from "./types";

/** The parsed command line. */
export interface CliOptions {
  port: number;
  seedFile?: string;
  projectId?: string;
  managementKey?: string;
  help: boolean;
}

/** Usage text for `--help`. */
export const USAGE = `Usage: descope-emulator [options]

Runs a local Descope Management API emulator on 127.0.0.1.

Options:
  --port <n>              TCP port (default 0: the OS picks a free one)
  --seed <file.json>      roles, tenants and users to start with: { "roles": [], "tenants": [], "users": [] }
  --project-id <id>       project ID to accept (default P2emulator000000000000000000)
  --management-key <key>  management key to accept (default K2emulator-local-management-key)
  -h, --help              show this help

Admin paths under /emulator/ (state, seed, reset, requests, faults, rate-limit) need no credentials;
their POST and DELETE need Content-Type: application/json. Every request needs a loopback Host header.`;

/** Parses argv (without `node` and the script); throws an Error with a one-line message on bad input. */
export function parseCliArgs(argv: string[]): CliOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: "string" },
      seed: { type: "string" },
      "project-id": { type: "string" },
      "management-key": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be an integer between 0 and 65535, got '${values.port}'`);
  }
  return {
    port,
    seedFile: values.seed,
    projectId: values["project-id"],
    managementKey: values["management-key"],
    help: values.help ?? false,
  };
}

function shellQuote(value: string): string {
  return /^[\w.:/@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The `export` lines printed on stdout. */
export function exportLines(emu: Pick<EmulatorHandle, "url" | "projectId" | "managementKey">): string {
  return [
    `export DESCOPE_BASE_URL=${shellQuote(emu.url)}`,
    `export DESCOPE_PROJECT_ID=${shellQuote(emu.projectId)}`,
    `export DESCOPE_MANAGEMENT_KEY=${shellQuote(emu.managementKey)}`,
  ].join("\n");
}

function readSeed(file: string): EmulatorSeed {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as EmulatorSeed;
  } catch (err) {
    throw new Error(`cannot read seed file '${file}': ${(err as Error).message}`, { cause: err });
  }
}

/** Runs the command until SIGINT/SIGTERM. Sets `process.exitCode` to 1 on a start-up error. */
export async function runCli(argv: string[]): Promise<void> {
  let emu: EmulatorHandle;
  try {
    const options = parseCliArgs(argv);
    if (options.help) {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    emu = await startEmulator({
      port: options.port,
      projectId: options.projectId,
      managementKey: options.managementKey,
      seed: options.seedFile ? readSeed(options.seedFile) : undefined,
      warn: (line) => process.stderr.write(`${line}\n`),
    });
  } catch (err) {
    process.stderr.write(`descope-emulator: ${(err as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  process.stderr.write(`descope-emulator listening on ${emu.url}\n`);
  process.stdout.write(`${exportLines(emu)}\n`);
  process.stderr.write(
    `Admin paths (no credentials): ${emu.url}/emulator/{state,seed,reset,requests,faults,rate-limit}\n`,
  );
  process.stderr.write("Stop with Ctrl+C (SIGINT) or SIGTERM.\n");
  const stop = (signal: string) => {
    process.stderr.write(`descope-emulator: ${signal}, stopping\n`);
    void emu.close().then(() => process.exit(0));
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}
