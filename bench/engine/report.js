/**
 * The engine bench's verdicts against the issue's targets (engineVerdicts) and its markdown
 * section of bench/results.md (engineSection), from what benchEngine returns.
 */
"use strict";

const { LATENCY_MS, PHASES, KINDS, SAMPLE_MS, seconds } = require("./settings");

/** The issue's targets. */
const TARGETS = {
  up: { text: "up: ≤ 1.2 API calls per assignment", maxPerAssignment: 1.2 },
  preview: { text: "no-change preview: 0 API calls (and no changes)", max: 0 },
  refresh: { text: "refresh: ≤ 5 API calls in all", max: 5 },
  destroy: { text: "destroy: ≤ 1.1 API calls per assignment", maxPerAssignment: 1.1 },
  ratio: { text: "each phase's wall time within 1.3× the engine floor's", max: 1.3 },
  rss: { text: "provider process peak RSS < 200 MB during up", maxMb: 200 },
};

const fmt = (n) => (typeof n === "number" ? n.toLocaleString("en-US") : String(n));
const perAssignment = (calls, n) => Math.round((calls / n) * 1000) / 1000;
/** Ours against the floor: the median of the per-run ratios when the runs were repeated. */
const ratioOf = (p) => {
  if (!(p?.ours?.ok && p?.floor?.ok)) return undefined;
  if (p.ratios?.length) return [...p.ratios].sort((a, b) => a - b)[Math.floor((p.ratios.length - 1) / 2)];
  return Math.round((p.ours.ms / p.floor.ms) * 100) / 100;
};
/** ` (min–max)` of `samples` when there is more than one, formatted by `f`. */
const range = (samples, f = (x) => x) =>
  samples && samples.length > 1 ? ` (${f(Math.min(...samples))}–${f(Math.max(...samples))})` : "";

/** Whether a change summary holds only unchanged resources. */
function noChanges(summary) {
  return summary !== undefined && Object.keys(summary).every((k) => k === "same");
}

/** One verdict per target (measured for ours). */
function engineVerdicts(e) {
  const p = e.phases;
  const callsVerdict = (phase, target, measure) => {
    const run = p[phase].ours;
    if (!run) return { text: target.text, measured: `not run (${e.failed.ours})`, ok: false };
    if (!run.ok) return { text: target.text, measured: `failed: ${run.error}`, ok: false };
    return measure(run);
  };
  const ratios = PHASES.map((phase) => [phase, ratioOf(p[phase])]);
  const peak = p.up.ours?.providerPeakMb;
  return [
    callsVerdict("up", TARGETS.up, (run) => ({
      text: TARGETS.up.text,
      measured: `${perAssignment(run.calls, e.n)} (${fmt(run.calls)} calls for ${fmt(e.n)})`,
      ok: run.calls / e.n <= TARGETS.up.maxPerAssignment,
    })),
    callsVerdict("preview", TARGETS.preview, (run) => ({
      text: TARGETS.preview.text,
      measured: `${fmt(run.calls)} calls, ${noChanges(run.changeSummary) ? "no changes" : `changes ${JSON.stringify(run.changeSummary)}`}`,
      ok: run.calls <= TARGETS.preview.max && noChanges(run.changeSummary),
    })),
    callsVerdict("refresh", TARGETS.refresh, (run) => ({
      text: TARGETS.refresh.text,
      measured: `${fmt(run.calls)} calls`,
      ok: run.calls <= TARGETS.refresh.max,
    })),
    callsVerdict("destroy", TARGETS.destroy, (run) => ({
      text: TARGETS.destroy.text,
      measured: `${perAssignment(run.calls, e.n)} (${fmt(run.calls)} calls)`,
      ok: run.calls / e.n <= TARGETS.destroy.maxPerAssignment,
    })),
    {
      text: TARGETS.ratio.text,
      measured: ratios
        .map(([phase, r]) => `${phase} ${r === undefined ? "-" : `${r}×`}${range(p[phase].ratios, (x) => `${x}×`)}`)
        .join(", "),
      ok: ratios.every(([, r]) => r !== undefined && r <= TARGETS.ratio.max),
    },
    {
      text: TARGETS.rss.text,
      measured:
        peak === undefined
          ? "not measured"
          : `${peak} MB${range(p.up.ours.rssSamples)} (floor's provider: ${p.up.floor?.providerPeakMb ?? "-"} MB)`,
      ok: peak !== undefined && peak < TARGETS.rss.maxMb,
    },
    {
      text: "engine bench: every phase succeeds and the emulator ends in the expected state after up and after destroy",
      measured: endStateText(e),
      ok: Object.keys(e.failed).length === 0 && e.checks.up?.length === 0 && e.checks.destroy?.length === 0,
    },
  ].map((v) => ({ ...v, text: `engine (N=${fmt(e.n)}): ${v.text}` }));
}

function endStateText(e) {
  const parts = [];
  for (const [kind, why] of Object.entries(e.failed)) parts.push(`${kind} failed at ${why.slice(0, 200)}`);
  for (const phase of ["up", "destroy"]) {
    const problems = e.checks[phase];
    if (problems === undefined) parts.push(`${phase}: not checked`);
    else if (problems.length > 0) parts.push(`${phase}: ${problems.length} wrong, e.g. ${problems[0]}`);
  }
  return parts.length === 0 ? "all phases ok, end states as expected" : parts.join("; ");
}

/** The markdown section (no trailing blank line). */
function engineSection(e) {
  const p = e.phases;
  const row = (cells) => `| ${cells.map(fmt).join(" | ")} |`;
  const wall = (run) =>
    run ? (run.ok ? seconds(run.ms) + range(run.msSamples, seconds) : `**failed** (${seconds(run.ms)})`) : "not run";
  const changes = (run) =>
    run?.changeSummary
      ? Object.entries(run.changeSummary)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ")
      : "-";
  const lines = [
    `## Engine: ${fmt(e.n)} assignments over ${fmt(e.users)} users through the real engine (${e.facts.version}, Automation API, emulator on loopback with ${LATENCY_MS} ms per call, budget 100 000/min)`,
    "",
    `Fleet: each user in the project and in ${fmt(e.fleet.tenantCount)} tenants (a member of about half of them before), one assignment per user and scope: ` +
      `${fmt(e.fleet.modes.set)} \`set\` (admin + billing), ${fmt(e.fleet.modes.add)} \`add\` (auditor); ${fmt(e.fleet.modes.tenant)} in tenants, ${fmt(e.fleet.modes.joins)} of them joining the tenant. ` +
      `Floor: ${fmt(e.n)} trivial dynamic resources with the same inputs whose provider has only a create that echoes them (bench/engine-program.js). ` +
      `Each run is one Automation API operation in its own process (.test-build/test/support/stack-runner.js), engine defaults (--parallel ${e.facts.parallel}).`,
    "",
    "| phase | wall s: ours | wall s: floor | ours / floor | API calls | calls per assignment | calls by route | provider peak RSS MB: ours / floor | changes (ours) |",
    "|---|---|---|---|---|---|---|---|---|",
    ...PHASES.map((phase) => {
      const ours = p[phase].ours;
      const floor = p[phase].floor;
      const ratio = ratioOf(p[phase]);
      return row([
        phase === "preview" ? "preview (no change)" : phase,
        wall(ours),
        wall(floor),
        ratio === undefined ? "-" : `${ratio}×${range(p[phase].ratios, (x) => `${x}×`)}`,
        ours ? ours.calls + (ours.failedCalls ? ` (${ours.failedCalls} not 200)` : "") : "-",
        ours ? perAssignment(ours.calls, e.n) : "-",
        ours?.routes || "-",
        `${ours?.providerPeakMb ?? "-"}${range(ours?.rssSamples)} / ${floor?.providerPeakMb ?? "-"}${range(floor?.rssSamples)}`,
        changes(ours),
      ]);
    }),
    "",
    "| state (`pulumi stack export`, encrypted secrets) | bytes | bytes per assignment | one resource's entry | of which the stored provider (`__provider`) |",
    "|---|---|---|---|---|",
    ...KINDS.map((kind) => {
      const s = e.state[kind];
      if (!s) return row([kind, "not measured", "", "", ""]);
      if (s.error) return row([kind, `export failed: ${s.error}`, "", "", ""]);
      return row([
        kind === "ours" ? "ours (after up)" : "floor (after up)",
        s.bytes,
        s.perAssignment,
        s.entryPerResource,
        s.providerPerResource,
      ]);
    }),
    "",
    "Wall time is the whole stack-runner process (Node start, workspace and config set-up, the",
    "operation), the same for ours and the floor, so the fixed part (a few seconds) counts for both.",
    "API calls are the emulator's request log over the run. Provider peak RSS: the bench walks",
    `/proc from the stack-runner's pid every ${SAMPLE_MS} ms, finds the \`node …/@pulumi/pulumi/cmd/dynamic-provider\``,
    "process that `pulumi-resource-pulumi-nodejs` starts, and keeps the highest VmHWM (peak",
    "resident set) read from /proc/<pid>/status before it exits. The floor's figure is the Pulumi",
    `SDK's share. Each run is bounded (BENCH_ENGINE_PHASE_TIMEOUT_S, ${e.timeoutMs / 1000} s); on a failure every`,
    `process it started is ended. \`BENCH_ENGINE_N=${e.n} BENCH_ENGINE_USERS=${e.users}\`, ${e.totalS} s in all.`,
    `Each figure is the median of ${e.repeats ?? 1} full runs (BENCH_ENGINE_REPEATS), with the lowest and highest in brackets;`,
    "a ratio is ours against the floor of the same run. On this shared 2-core machine the ratios move by a few",
    "tenths and the peak RSS by 20 MB from run to run. API calls are the highest count seen in any run.",
  ];
  if (Object.keys(e.failed).length > 0) {
    lines.push(
      "",
      ...Object.entries(e.failed).map(
        ([kind, why]) => `**${kind} failed** at ${why.slice(0, 600).replace(/\s+/g, " ")}`,
      ),
    );
  }
  if (e.warnings.length > 0)
    lines.push("", `Emulator warnings: ${e.warnings.length}, first: ${e.warnings[0].slice(0, 300)}`);
  return lines.join("\n");
}

module.exports = { engineVerdicts, endStateText, engineSection };
