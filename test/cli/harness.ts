/**
 * Shared set-up of the CLI suites: one emulator per file on loopback (reset to the suite's seed
 * before each test), a temp directory, and `run`, which runs `descope-access …` in-process
 * through `main` with the emulator's settings and checks that the key was never printed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type EmulatorHandle, type EmulatorSeed } from "../../emulator";
import { main } from "../../provider/cli/main";
import { resetClientState } from "../../provider/client/client";

/** What one run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The suite's emulator, temp directory and runner; valid inside tests. */
export interface CliHarness {
  emu: EmulatorHandle;
  dir: string;
  /** Runs `descope-access <argv>`; `env` entries override (undefined removes) the emulator's. */
  run(argv: string[], env?: Record<string, string | undefined>): Promise<CliRun>;
}

/** Call at the top of a suite: starts the emulator with `seed` and resets it before each test. */
export function useCliHarness(seed: () => EmulatorSeed): CliHarness {
  const h = { run } as CliHarness;
  beforeAll(async () => {
    h.emu = await startEmulator({ seed: seed(), warn: () => undefined });
    h.dir = mkdtempSync(join(tmpdir(), "descope-access-"));
  });
  beforeEach(() => {
    h.emu.reset();
    resetClientState();
  });
  afterAll(async () => {
    await h.emu?.close();
    if (h.dir) rmSync(h.dir, { recursive: true, force: true });
  });

  async function run(argv: string[], over: Record<string, string | undefined> = {}): Promise<CliRun> {
    let stdout = "";
    let stderr = "";
    const env = {
      DESCOPE_PROJECT_ID: h.emu.projectId,
      DESCOPE_MANAGEMENT_KEY: h.emu.managementKey,
      DESCOPE_BASE_URL: h.emu.url,
      ...over,
    };
    const code = await main(argv, {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env,
    });
    expect(stdout + stderr).not.toContain(h.emu.managementKey);
    return { code, stdout, stderr };
  }
  return h;
}
