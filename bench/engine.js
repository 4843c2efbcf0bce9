/**
 * The engine bench: N UserRoleAssignments over U users through the REAL Pulumi engine
 * (Automation API, the tests' stack-runner, a throwaway PULUMI_HOME and file backend) against
 * the emulator on loopback with 20 ms per call, phase by phase (up, no-change preview, refresh,
 * destroy), side by side with the engine floor: N trivial dynamic resources with the same
 * inputs whose provider does no I/O (bench/engine-program.js), through the same phases.
 *
 *   node bench/engine.js          run it alone: prints the markdown section and the verdicts
 *   node bench/run.js             runs it as one section of results.md (BENCH_SKIP_ENGINE=1 skips)
 *
 * Environment: BENCH_ENGINE_N (assignments, default 500), BENCH_ENGINE_USERS (default 50),
 * BENCH_ENGINE_PHASE_TIMEOUT_S (per engine run, default 600), BENCH_ENGINE_REPEATS (full runs,
 * merged as medians; default 3), PULUMI_ENGINE_DIR (else scripts/ensure-pulumi is asked).
 * Progress goes to stderr.
 *
 * Needs the compiled dist/ (provider, emulator) and .test-build/test/support/stack-runner.js.
 *
 * This file is the entry; the bench lives in bench/engine/: settings.js (paths, constants, sizes
 * from the environment), fleet.js (the seed, the assignments, the end-state checks),
 * process-tree.js (the provider's memory, ending what a run started), stacks.js (the engine's
 * environment, throwaway stacks, one operation per stack-runner process), bench.js (one run:
 * the phases), repeat.js (the repeated runs, merged) and report.js (the verdicts and the
 * markdown section).
 */
"use strict";

const { benchEngineRepeated: benchEngine } = require("./engine/repeat");
const { engineVerdicts, engineSection } = require("./engine/report");
const { engineOptions } = require("./engine/settings");
const { engineFleet } = require("./engine/fleet");

module.exports = { benchEngine, engineVerdicts, engineSection, engineOptions, engineFleet };

if (require.main === module) {
  benchEngine()
    .then((e) => {
      const verdicts = engineVerdicts(e);
      process.stdout.write(`${engineSection(e)}\n\n`);
      process.stdout.write(
        [
          "| target | measured | met |",
          "|---|---|---|",
          ...verdicts.map((v) => `| ${v.text} | ${v.measured} | ${v.ok ? "yes" : "**NO**"} |`),
        ].join("\n") + "\n",
      );
      process.exitCode = verdicts.every((v) => v.ok) ? 0 : 1;
    })
    .catch((err) => {
      console.error(err);
      process.exitCode = 1;
    });
}
