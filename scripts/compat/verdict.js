/**
 * The compat verdict: `node scripts/compat/verdict.js <probe log>` reads what scripts/compat/probe.js
 * recorded during one leg of `npm run test:compat` and says what really ran: which Node.js, which
 * `@pulumi/pulumi` (version and folder) in which kind of process, and what the dynamic-provider
 * process, the one that runs this package's provider, loaded. It exits 1 unless every process ran
 * the intended Node.js and `@pulumi/pulumi` (same environment variables as the probe) and each of
 * the processes the suites need was seen: a stack runner (Automation API program), a program run
 * by the Node.js language host (the grants-file project), and a dynamic-provider process that
 * loaded the provider from the leg's tree. Its last line, `provider: node <v>, @pulumi/pulumi <v>`,
 * is what the summary table shows.
 */
"use strict";

const fs = require("node:fs");

/** The kind of process, from its main script. */
function roleOf(main) {
  if (!main) return "node -e";
  if (/[\\/]cmd[\\/]dynamic-provider([\\/]|$)/.test(main)) return "dynamic provider";
  if (/[\\/]cmd[\\/]run([\\/]|$)/.test(main)) return "language host program";
  if (main.endsWith("stack-runner.js")) return "stack runner";
  if (/[\\/]jest/.test(main)) return "jest";
  return main;
}

function main() {
  const [logFile] = process.argv.slice(2);
  const expect = {
    node: process.env.COMPAT_EXPECT_NODE,
    pulumi: process.env.COMPAT_EXPECT_PULUMI,
    root: process.env.COMPAT_PULUMI_ROOT,
    tree: process.env.COMPAT_TREE,
  };
  const lines = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").split("\n").filter(Boolean) : [];
  const records = lines.map((l) => JSON.parse(l));
  const byPid = new Map();
  for (const r of records) {
    const p = byPid.get(r.pid) ?? { pid: r.pid, node: r.node, role: roleOf(r.main), pulumi: [], provider: [] };
    if (r.event === "pulumi") p.pulumi.push(r);
    if (r.event === "provider") p.provider.push(r.file);
    byPid.set(r.pid, p);
  }
  const procs = [...byPid.values()];
  const problems = records.filter((r) => r.event === "mismatch").map((r) => `pid ${r.pid}: ${r.message}`);

  const nodes = [...new Set(procs.map((p) => p.node))];
  console.log(`  probe: ${procs.length} Node.js processes, running ${nodes.join(", ") || "nothing"}`);
  if (nodes.some((v) => v !== expect.node)) problems.push(`a process ran a Node.js other than ${expect.node}`);

  const loads = new Map();
  for (const p of procs) {
    for (const r of p.pulumi) {
      const key = `@pulumi/pulumi ${r.version} from ${r.root}`;
      const roles = loads.get(key) ?? new Map();
      roles.set(p.role, (roles.get(p.role) ?? 0) + 1);
      loads.set(key, roles);
      if (r.version !== expect.pulumi || r.root !== expect.root)
        problems.push(`pid ${p.pid} (${p.role}) loaded ${key}`);
    }
  }
  for (const [key, roles] of loads) {
    const counts = [...roles].map(([role, n]) => `${role} x${n}`).join(", ");
    console.log(`  probe: ${key} in ${counts}`);
  }

  for (const role of ["stack runner", "language host program"]) {
    if (!procs.some((p) => p.role === role && p.pulumi.length > 0)) {
      problems.push(`no ${role} process loaded @pulumi/pulumi`);
    }
  }
  const providers = procs.filter((p) => p.role === "dynamic provider" && p.pulumi.length > 0 && p.provider.length > 0);
  const fromTree = providers.filter((p) => p.provider.every((f) => f.startsWith(`${expect.tree}/`)));
  if (fromTree.length === 0) problems.push(`no dynamic-provider process loaded the provider from ${expect.tree}`);
  const seen = [...new Set(providers.map((p) => `node ${p.node}, @pulumi/pulumi ${p.pulumi.map((r) => r.version)}`))];
  console.log(
    `  probe: ${providers.length} dynamic-provider processes ran the provider (${seen.join("; ") || "none"})`,
  );

  for (const problem of new Set(problems)) console.log(`  probe: FAIL ${problem}`);
  console.log(`provider: ${seen.join("; ") || "not seen"}`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}

main();
