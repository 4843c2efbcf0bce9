/**
 * One Automation API operation on one stack, run in its own Node.js process the way a user's
 * program runs: the program is hosted by this process (an inline program) and the real
 * `pulumi` CLI drives the deployment. Tests never run Pulumi programs inside Jest's module
 * sandbox, whose `require` is not Node's and would distort closure serialization.
 *
 * Usage: node stack-runner.js <request.json> <result.json>
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import { promisify } from "node:util";
import * as auto from "@pulumi/pulumi/automation";

/** What the test harness asks for. */
export interface RunnerRequest {
  op: "up" | "preview" | "refresh" | "destroy" | "export" | "import" | "cli";
  workDir: string;
  projectName: string;
  stackName: string;
  backendUrl: string;
  /** Absolute path of a compiled program module whose default export takes `params`. */
  programModule: string;
  params: unknown;
  config: Record<string, { value: string; secret?: boolean }>;
  expectNoChanges?: boolean;
  showSecrets?: boolean;
  /** Engine options of up, preview and destroy (target, exclude, replace, …). */
  options?: { target?: string[]; exclude?: string[]; replace?: string[]; targetDependents?: boolean };
  /** op "cli": the pulumi command to run (a path: a symlink or wrapper named otherwise) and its arguments. */
  cli?: { command: string; args: string[] };
}

/** What the runner writes back. */
export interface RunnerResult {
  ok: boolean;
  output: string;
  error?: string;
  changeSummary?: Record<string, number>;
  outputs?: Record<string, unknown>;
  deployment?: unknown;
}

const execFileAsync = promisify(execFile);

async function run(req: RunnerRequest): Promise<RunnerResult> {
  let output = "";
  const onOutput = (text: string) => {
    output += text;
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const programFn = require(req.programModule).default as (params: unknown) => Record<string, unknown> | void;
  const stack = await auto.LocalWorkspace.createOrSelectStack(
    { stackName: req.stackName, projectName: req.projectName, program: async () => programFn(req.params) },
    {
      workDir: req.workDir,
      projectSettings: { name: req.projectName, runtime: "nodejs", backend: { url: req.backendUrl } },
    },
  );
  await stack.setAllConfig(req.config);
  try {
    switch (req.op) {
      case "up": {
        const r = await stack.up({ onOutput, ...req.options });
        return { ok: true, output, changeSummary: r.summary.resourceChanges, outputs: unwrap(r.outputs) };
      }
      case "preview": {
        const r = await stack.preview({ onOutput, expectNoChanges: req.expectNoChanges, ...req.options });
        return { ok: true, output, changeSummary: r.changeSummary };
      }
      case "refresh": {
        const r = await stack.refresh({ onOutput });
        return { ok: true, output, changeSummary: r.summary.resourceChanges };
      }
      case "destroy": {
        const r = await stack.destroy({ onOutput, ...req.options });
        return { ok: true, output, changeSummary: r.summary.resourceChanges };
      }
      case "import": {
        // A checked-in state (e.g. one written by an older release) becomes this stack's state.
        await stack.importStack(req.params as auto.Deployment);
        return { ok: true, output };
      }
      case "cli": {
        // The real CLI as a user types it (the stack was made by an earlier op); no program runs.
        const { command, args } = req.cli!;
        const r = await execFileAsync(command, [...args, "--stack", req.stackName, "--non-interactive"], {
          cwd: req.workDir,
          maxBuffer: 64 << 20,
        });
        return { ok: true, output: r.stdout + r.stderr };
      }
      case "export": {
        const args = ["stack", "export", "--stack", req.stackName];
        if (req.showSecrets) args.push("--show-secrets");
        const { stdout } = await execFileAsync("pulumi", args, { cwd: req.workDir, maxBuffer: 64 << 20 });
        return { ok: true, output: stdout, deployment: JSON.parse(stdout).deployment };
      }
    }
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    return { ok: false, output: output + (e.stderr ?? ""), error: e.message };
  }
}

function unwrap(outputs: auto.OutputMap): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value]));
}

async function main(): Promise<void> {
  const [requestFile, resultFile] = process.argv.slice(2);
  const req = JSON.parse(fs.readFileSync(requestFile, "utf8")) as RunnerRequest;
  let result: RunnerResult;
  try {
    result = await run(req);
  } catch (err) {
    result = { ok: false, output: "", error: (err as Error).stack ?? String(err) };
  }
  fs.writeFileSync(resultFile, JSON.stringify(result));
}

void main();
