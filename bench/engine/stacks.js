/**
 * The engine and its stacks for the engine bench: where the engine is (engineDir), the
 * environment it runs with (engineEnv), its version and default --parallel (engineFacts), a
 * throwaway stack (createStack) and one Automation API operation on it in its own stack-runner
 * process, watched and bounded (runOp).
 */
"use strict";

const { execFileSync, spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { ProcessTree, watchRun, unwatchRun } = require("./process-tree");
const { root, RUNNER, PROGRAM, SAMPLE_MS, PROGRESS_MS, seconds } = require("./settings");

function engineDir() {
  if (process.env.PULUMI_ENGINE_DIR) return process.env.PULUMI_ENGINE_DIR;
  return execFileSync(path.join(root, "scripts", "ensure-pulumi"), {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
  }).trim();
}

/** As test/support/pulumi.ts's engineEnv: no DESCOPE_ or PULUMI_ settings leak in; the engine first on PATH. */
function engineEnv(dir, pulumiHome) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith("DESCOPE_") || key.startsWith("PULUMI_")) delete env[key];
  }
  return {
    ...env,
    PATH: `${dir}${path.delimiter}${process.env.PATH ?? ""}`,
    PULUMI_HOME: pulumiHome,
    PULUMI_CONFIG_PASSPHRASE: "bench-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
  };
}

/** The engine's version and its default --parallel (from `pulumi up --help`). */
function engineFacts(dir) {
  const pulumi = path.join(dir, "pulumi");
  const env = engineEnv(dir, fs.mkdtempSync(path.join(os.tmpdir(), "pda-bench-home-")));
  try {
    const version = execFileSync(pulumi, ["version"], { env, encoding: "utf8" }).trim();
    const help = execFileSync(pulumi, ["up", "--help"], { env, encoding: "utf8" });
    const parallel = /--parallel\b.*\(default (\d+)\)/.exec(help)?.[1] ?? "?";
    return { version, parallel };
  } finally {
    fs.rmSync(env.PULUMI_HOME, { recursive: true, force: true });
  }
}

/** A throwaway stack as TestStack.create makes one: home, file backend, work dir linking this package and @pulumi. */
function createStack(kind) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pda-bench-engine-${kind}-`));
  for (const sub of ["home", "backend", "work/node_modules"]) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  fs.symlinkSync(path.join(root, "node_modules", "@pulumi"), path.join(dir, "work/node_modules/@pulumi"));
  fs.symlinkSync(root, path.join(dir, "work/node_modules/pulumi-descope-access"));
  return { kind, dir, runs: 0 };
}

/**
 * One stack-runner process (one Automation API operation), bounded by `timeoutMs`; samples the
 * provider's memory every SAMPLE_MS and prints progress. On a timeout or a failure, every
 * process it started that still runs is ended.
 */
async function runOp(ctx, stack, op, extra = {}) {
  const req = {
    op,
    workDir: path.join(stack.dir, "work"),
    projectName: "pda-bench",
    stackName: "bench",
    backendUrl: `file://${path.join(stack.dir, "backend")}`,
    programModule: PROGRAM,
    params: ctx.params[stack.kind],
    config: ctx.config,
    ...extra,
  };
  stack.runs += 1;
  const reqFile = path.join(stack.dir, `req-${stack.runs}.json`);
  const resFile = path.join(stack.dir, `res-${stack.runs}.json`);
  fs.writeFileSync(reqFile, JSON.stringify(req));
  const started = performance.now();
  const child = spawn(process.execPath, [RUNNER, reqFile, resFile], {
    env: engineEnv(ctx.engineDir, path.join(stack.dir, "home")),
    stdio: ["ignore", "ignore", "pipe"],
  });
  const tree = new ProcessTree(child.pid);
  watchRun(tree);
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-16_000);
  });
  const exited = new Promise((resolve) => child.on("close", (code, sig) => resolve({ code, sig })));
  const sampler = setInterval(() => tree.sample(), SAMPLE_MS);
  const progress = setInterval(() => {
    const rss = tree.providerPeakMb();
    ctx.log(
      `${stack.kind} ${op}: ${seconds(performance.now() - started)} s so far${rss ? `, provider peak RSS ${rss} MB` : ""}`,
    );
  }, PROGRESS_MS);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctx.log(`${stack.kind} ${op}: no result after ${ctx.timeoutMs / 1000} s, ending its processes`);
    void tree.end();
  }, ctx.timeoutMs);
  let exit;
  try {
    tree.sample();
    exit = await exited;
  } finally {
    clearInterval(sampler);
    clearInterval(progress);
    clearTimeout(timer);
  }
  const ms = performance.now() - started;
  let result;
  if (fs.existsSync(resFile)) result = JSON.parse(fs.readFileSync(resFile, "utf8"));
  else
    result = {
      ok: false,
      output: "",
      error: `stack-runner wrote no result (exit ${exit.code ?? exit.sig}): ${stderr.slice(-2000)}`,
    };
  if (timedOut) result = { ...result, ok: false, error: `timed out after ${ctx.timeoutMs / 1000} s` };
  // Nothing it started may outlive it (the engine normally ends its plugins itself).
  const leftovers = tree.alive();
  if (leftovers.length > 0) {
    ctx.log(`${stack.kind} ${op}: ending ${leftovers.length} leftover process(es): ${leftovers.join(", ")}`);
    await tree.end();
  }
  unwatchRun(tree);
  return { result, ms, providerPeakMb: tree.providerPeakMb(), providerProcesses: tree.providers.size };
}

module.exports = { engineDir, engineEnv, engineFacts, createStack, runOp };
