/**
 * Runs an example the way its README does: the `descope-emulator` command in a child process,
 * and the real `pulumi` CLI in a copy of the example folder. The copy's node_modules links the
 * repo's packages and this package (standing in for `npm install`, which needs the registry);
 * its PULUMI_HOME and `file://` backend are throwaway directories.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { EmulatorState } from "../../emulator/types";
import { engineEnv } from "./pulumi";

const repoRoot = path.resolve(__dirname, "..", "..");

/** Files a run of an example leaves behind, never copied (they would change what the test sees). */
const LOCAL_FILES = new Set(["node_modules", "package-lock.json", ".pulumi-state", "emulator.env"]);

/** How a child process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running `descope-emulator` command. */
export interface CliEmulator {
  /** The `DESCOPE_*` variables from its `export` lines. */
  env: Record<string, string>;
  /** `GET /emulator/state` (an admin path: no credentials). */
  state(): Promise<EmulatorState>;
  /** Sends SIGTERM and waits for the exit. */
  stop(): Promise<Exit>;
}

/** Starts `node bin/descope-emulator.js <args>` in the repo root and waits for its three `export` lines. */
export function startEmulatorCli(args: string[]): Promise<CliEmulator> {
  const child = spawn(process.execPath, [path.join(repoRoot, "bin", "descope-emulator.js"), ...args], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exit = new Promise<Exit>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      stdout += d.toString();
      const env = Object.fromEntries([...stdout.matchAll(/^export (DESCOPE_\w+)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
      if (Object.keys(env).length === 3) resolve(handle(child, env, exit));
    });
    void exit.then((e) =>
      reject(new Error(`descope-emulator exited (${e.code ?? e.signal}) before printing its settings: ${stderr}`)),
    );
  });
}

function handle(child: ChildProcess, env: Record<string, string>, exit: Promise<Exit>): CliEmulator {
  return {
    env,
    async state() {
      const res = await fetch(`${env.DESCOPE_BASE_URL}/emulator/state`);
      if (res.status !== 200) throw new Error(`GET /emulator/state answered ${res.status}`);
      return (await res.json()) as EmulatorState;
    },
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exit;
    },
  };
}

/** What one `pulumi` command printed. */
export interface PulumiRun {
  stdout: string;
  stderr: string;
}

/** A copy of an example folder, run with the `pulumi` CLI. */
export class CliProject {
  private constructor(
    /** The temp dir: `work/` (the copy), `home/` (PULUMI_HOME), `state/` (the backend). */
    readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** The copy of the example, where every command runs. */
  get workDir(): string {
    return path.join(this.dir, "work");
  }

  /**
   * Copies `exampleDir` (without the files of a previous run) and links node_modules.
   * @param extraEnv variables for every command (e.g. the emulator's DESCOPE_* lines)
   */
  static async create(exampleDir: string, extraEnv: Record<string, string>): Promise<CliProject> {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pda-example-"));
    try {
      await copyExample(exampleDir, path.join(dir, "work"));
      for (const sub of ["home", "state"]) await fs.promises.mkdir(path.join(dir, sub));
    } catch (err) {
      await fs.promises.rm(dir, { recursive: true, force: true });
      throw err;
    }
    const env: NodeJS.ProcessEnv = { ...engineEnv(path.join(dir, "home")), ...extraEnv };
    return new CliProject(dir, env);
  }

  /** `file://` URL of this project's state directory, for `pulumi login`. */
  get backendUrl(): string {
    return `file://${path.join(this.dir, "state")}`;
  }

  /** Runs `pulumi <args>` in the copy; rejects with the command, exit code and output when it fails. */
  pulumi(...args: string[]): Promise<PulumiRun> {
    return new Promise((resolve, reject) => {
      execFile("pulumi", args, { cwd: this.workDir, env: this.env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
        if (!err) return resolve({ stdout, stderr });
        const code = (err as { code?: unknown }).code;
        reject(
          new Error(
            `pulumi ${args.join(" ")} failed (${String(code)}):\n${stdout.slice(-4000)}\n${stderr.slice(-4000)}`,
          ),
        );
      });
    });
  }

  async dispose(): Promise<void> {
    await fs.promises.rm(this.dir, { recursive: true, force: true });
  }
}

/** Copies the example without the files of a previous run; node_modules links the repo's packages and this one. */
async function copyExample(exampleDir: string, work: string): Promise<void> {
  const isLocal = (name: string) => LOCAL_FILES.has(name) || /^Pulumi\..+\.yaml$/.test(name);
  await fs.promises.cp(exampleDir, work, {
    recursive: true,
    filter: (src) => src === exampleDir || !isLocal(path.basename(src)),
  });
  await fs.promises.mkdir(path.join(work, "node_modules"));
  for (const entry of await fs.promises.readdir(path.join(repoRoot, "node_modules"))) {
    if (entry === "pulumi-descope-access") continue; // the repo may link itself; linked below either way
    await fs.promises.symlink(path.join(repoRoot, "node_modules", entry), path.join(work, "node_modules", entry));
  }
  // What `"pulumi-descope-access": "file:../.."` installs: a link to the package root.
  await fs.promises.symlink(repoRoot, path.join(work, "node_modules", "pulumi-descope-access"));
}
