/**
 * The `descope-access` bin as a user runs it: a child process, with the project's settings in
 * its environment, against an emulator on loopback.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import type { EmulatorHandle } from "../../emulator";

const BIN = path.resolve(__dirname, "..", "..", "bin", "descope-access.js");

/** How the bin ended and what it printed. */
export interface AccessCliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the descope-access bin with `args` against `emu`. */
export function runAccessCli(emu: EmulatorHandle, args: string[]): Promise<AccessCliResult> {
  const env = {
    ...process.env,
    DESCOPE_PROJECT_ID: emu.projectId,
    DESCOPE_MANAGEMENT_KEY: emu.managementKey,
    DESCOPE_BASE_URL: emu.url,
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as NodeJS.ErrnoException & { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
