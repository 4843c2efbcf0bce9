/**
 * Test harness for the real Pulumi engine: each operation runs in a fresh Node.js process
 * (stack-runner) against a throwaway file backend, with the engine from scripts/ensure-pulumi
 * first on PATH. Nothing here talks to the network beyond loopback.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { RunnerRequest, RunnerResult } from "./stack-runner";

const repoRoot = path.resolve(__dirname, "..", "..");
const buildRoot = path.join(repoRoot, ".test-build");

/** The directory holding `pulumi` and its plugins (set by globalSetup). */
export function engineDir(): string {
  const dir = process.env.PULUMI_ENGINE_DIR;
  if (!dir)
    throw new Error(
      "PULUMI_ENGINE_DIR is not set: run the tests through jest (globalSetup runs scripts/ensure-pulumi)",
    );
  return dir;
}

/** Options for {@link TestStack.create}. */
export interface TestStackOptions {
  /** Folder name under test/programs (compiled to .test-build/test/programs/<name>/index.js). */
  program: string;
  /** Stack config, e.g. { "descope:projectId": { value: "P…" } }. */
  config?: RunnerRequest["config"];
  /** Extra environment for the engine and the provider (e.g. DESCOPE_* variables). */
  env?: Record<string, string | undefined>;
}

/** A throwaway stack: its own PULUMI_HOME, file backend and work dir, removed by dispose(). */
export class TestStack {
  private constructor(
    readonly dir: string,
    private readonly opts: TestStackOptions,
    private config: RunnerRequest["config"],
  ) {}

  /** Makes the temp dirs; the work dir's node_modules links this package and @pulumi. */
  static async create(opts: TestStackOptions): Promise<TestStack> {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pda-stack-"));
    for (const sub of ["home", "backend", "work/node_modules"]) {
      await fs.promises.mkdir(path.join(dir, sub), { recursive: true });
    }
    // The dynamic-provider plugin runs with the work dir as cwd and loads the provider
    // implementation by package name, as it would in a user's project.
    await fs.promises.symlink(
      path.join(repoRoot, "node_modules", "@pulumi"),
      path.join(dir, "work/node_modules/@pulumi"),
    );
    await fs.promises.symlink(repoRoot, path.join(dir, "work/node_modules/pulumi-descope-access"));
    return new TestStack(dir, opts, opts.config ?? {});
  }

  /** Replaces the stack config used by the next operations. */
  setConfig(config: RunnerRequest["config"]): void {
    this.config = config;
  }

  up(params?: unknown, options?: RunnerRequest["options"]): Promise<RunnerResult> {
    return this.run({ op: "up", params, options });
  }

  /** The `pulumi` CLI itself (or `command`, a symlink or wrapper of it) with `args`, in the stack's work dir. */
  cli(args: string[], command = "pulumi"): Promise<RunnerResult> {
    return this.run({ op: "cli", cli: { command, args } });
  }

  preview(params?: unknown, expectNoChanges = false): Promise<RunnerResult> {
    return this.run({ op: "preview", params, expectNoChanges });
  }

  refresh(params?: unknown): Promise<RunnerResult> {
    return this.run({ op: "refresh", params });
  }

  destroy(params?: unknown, options?: RunnerRequest["options"]): Promise<RunnerResult> {
    return this.run({ op: "destroy", params, options });
  }

  /** `pulumi stack import` of a deployment (the `deployment` object of `pulumi stack export`). */
  importStack(deployment: unknown): Promise<RunnerResult> {
    return this.run({ op: "import", params: { version: 3, deployment } });
  }

  /** `pulumi stack export` (with --show-secrets when asked): the deployment and the raw text. */
  exportStack(showSecrets = false): Promise<RunnerResult> {
    return this.run({ op: "export", showSecrets });
  }

  /** The resources in the stack's state whose type ends with `typeSuffix`. */
  async resources(
    typeSuffix: string,
  ): Promise<Array<{ urn: string; id: string; type: string; inputs: any; outputs: any }>> {
    const r = await this.exportStack(true);
    if (!r.ok) throw new Error(`stack export failed: ${r.error}`);
    const deployment = r.deployment as { resources?: any[] };
    return (deployment.resources ?? []).filter((res) => String(res.type).endsWith(typeSuffix));
  }

  async dispose(): Promise<void> {
    await fs.promises.rm(this.dir, { recursive: true, force: true });
  }

  private async run(partial: Partial<RunnerRequest> & { op: RunnerRequest["op"] }): Promise<RunnerResult> {
    const req: RunnerRequest = {
      workDir: path.join(this.dir, "work"),
      projectName: "pda-test",
      stackName: "test",
      backendUrl: `file://${path.join(this.dir, "backend")}`,
      programModule: path.join(buildRoot, "test", "programs", this.opts.program, "index.js"),
      params: null,
      config: this.config,
      ...partial,
    };
    const stamp = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const reqFile = path.join(this.dir, `req-${stamp}.json`);
    const resFile = path.join(this.dir, `res-${stamp}.json`);
    await fs.promises.writeFile(reqFile, JSON.stringify(req));
    const env: NodeJS.ProcessEnv = {
      ...engineEnv(path.join(this.dir, "home")),
      // The client budget this stack's provider processes share, kept out of the user's cache.
      DESCOPE_BUDGET_DIR: path.join(this.dir, "budget"),
      PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
      ...this.opts.env,
    };
    const runner = path.join(buildRoot, "test", "support", "stack-runner.js");
    const proc = await new Promise<{ stderr: string }>((resolve) => {
      execFile(process.execPath, [runner, reqFile, resFile], { env, maxBuffer: 64 << 20 }, (_err, _stdout, stderr) =>
        resolve({ stderr }),
      );
    });
    if (!fs.existsSync(resFile)) {
      return { ok: false, output: proc.stderr, error: `stack-runner wrote no result: ${proc.stderr.slice(-2000)}` };
    }
    return JSON.parse(await fs.promises.readFile(resFile, "utf8")) as RunnerResult;
  }
}

/**
 * The environment for running the engine: the test process's, without Descope or Pulumi
 * settings that would leak into a stack, the engine first on PATH, a throwaway PULUMI_HOME.
 */
export function engineEnv(pulumiHome: string): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith("DESCOPE_") || key.startsWith("PULUMI_")) delete env[key];
  }
  return {
    ...env,
    PATH: `${engineDir()}${path.delimiter}${process.env.PATH ?? ""}`,
    PULUMI_HOME: pulumiHome,
    PULUMI_CONFIG_PASSPHRASE: "test-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
}
