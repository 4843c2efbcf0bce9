/**
 * Fault injection: decides, per request, whether it gets an injected fault and how much
 * latency. Deterministic when tests want it: `failNext` entries are consumed in order, and
 * `rates` are drawn from a seeded PRNG (mulberry32), so the same seed gives the same faults.
 */
import { invalidArgument } from "./errors";
import type { FailNext, FaultKind, FaultOptions } from "./types";

/** Every fault kind, in the order their `rates` are stacked on the [0, 1) line. */
export const FAULT_KINDS: readonly FaultKind[] = ["503", "429", "reset", "503-after-apply", "reset-after-apply"];

/** True for faults decided after the request changed state (its answer is lost). */
export function isAfterApply(kind: FaultKind): boolean {
  return kind.endsWith("-after-apply");
}

/** True when `path` is selected by `patterns` (none = all; a trailing `*` matches a prefix). */
export function pathMatches(patterns: readonly string[] | undefined, path: string): boolean {
  if (!patterns || patterns.length === 0) return true;
  return patterns.some((p) => (p.endsWith("*") ? path.startsWith(p.slice(0, -1)) : path === p));
}

/** A small seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function checkPaths(paths: unknown, what: string): string[] | undefined {
  if (paths === undefined) return undefined;
  if (!Array.isArray(paths) || paths.some((p) => typeof p !== "string")) {
    throw invalidArgument(`${what} must be an array of strings`);
  }
  return [...paths];
}

function checkFailNext(entry: unknown): FailNext {
  const e = (entry ?? {}) as Partial<FailNext>;
  if (!Number.isInteger(e.count) || (e.count as number) < 1) {
    throw invalidArgument("failNext.count must be a positive integer");
  }
  if (!FAULT_KINDS.includes(e.kind as FaultKind)) {
    throw invalidArgument(`failNext.kind must be one of ${FAULT_KINDS.join(", ")}`);
  }
  const out: FailNext = { count: e.count as number, kind: e.kind as FaultKind };
  const paths = checkPaths(e.paths, "failNext.paths");
  if (paths) out.paths = paths;
  return out;
}

function checkNumber(value: unknown, what: string, min: number, max = Infinity): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    throw invalidArgument(`${what} must be a number between ${min} and ${max}`);
  }
}

/** Validates fault options (400 E011004 / TypeError-like ApiError on a bad value) and copies them. */
export function checkFaultOptions(input: unknown): FaultOptions {
  if (input === undefined || input === null) return {};
  if (typeof input !== "object" || Array.isArray(input)) throw invalidArgument("Faults must be an object");
  const o = input as FaultOptions;
  const rates = o.rates ?? {};
  if (typeof rates !== "object" || Array.isArray(rates)) throw invalidArgument("rates must be an object");
  let total = 0;
  for (const [kind, rate] of Object.entries(rates)) {
    if (!FAULT_KINDS.includes(kind as FaultKind)) throw invalidArgument(`Unknown fault kind in rates: ${kind}`);
    checkNumber(rate, `rates["${kind}"]`, 0, 1);
    total += rate as number;
  }
  if (total > 1 + 1e-9) throw invalidArgument("The fault rates must sum to at most 1");
  checkNumber(o.latencyMs, "latencyMs", 0, 600_000);
  checkNumber(o.seed, "seed", -Infinity);
  checkNumber(o.retryAfterSeconds, "retryAfterSeconds", 1);
  const failNext = o.failNext === undefined ? undefined : [o.failNext].flat().map(checkFailNext);
  return structuredClone({ ...o, rates: { ...rates }, paths: checkPaths(o.paths, "paths"), failNext });
}

/** The live fault settings of one emulator. */
export class FaultInjector {
  private options: FaultOptions = {};
  private queue: FailNext[] = [];
  private random: () => number = Math.random;

  constructor(options?: FaultOptions) {
    this.set(options);
  }

  /** Replaces the settings (`undefined`/`null`/`{}` = no faults) and reseeds the PRNG. Throws on bad options, keeping the old ones. */
  set(options?: FaultOptions | null): void {
    const checked = checkFaultOptions(options);
    this.options = checked;
    this.queue = [checked.failNext ?? []].flat();
    const seed = checked.seed ?? Math.floor(Math.random() * 2 ** 32);
    this.random = mulberry32(seed);
  }

  /** The current settings, with the `failNext` entries still to be consumed. */
  current(): FaultOptions {
    return structuredClone({ ...this.options, failNext: this.queue.length ? this.queue : undefined });
  }

  /** Milliseconds to wait before handling a request to `path`. */
  latencyFor(path: string): number {
    return pathMatches(this.options.paths, path) ? (this.options.latencyMs ?? 0) : 0;
  }

  /** `Retry-After` of injected 429s. */
  retryAfterSeconds(): number {
    return this.options.retryAfterSeconds ?? 1;
  }

  /** The fault for one request to `path`, if any; consumes a `failNext` slot or one PRNG draw. */
  decide(path: string): FaultKind | undefined {
    const index = this.queue.findIndex((e) => pathMatches(e.paths ?? this.options.paths, path));
    if (index >= 0) {
      const entry = this.queue[index];
      entry.count -= 1;
      if (entry.count === 0) this.queue.splice(index, 1);
      return entry.kind;
    }
    const rates = this.options.rates ?? {};
    if (Object.keys(rates).length === 0 || !pathMatches(this.options.paths, path)) return undefined;
    const draw = this.random();
    let edge = 0;
    for (const kind of FAULT_KINDS) {
      edge += rates[kind] ?? 0;
      if (draw < edge) return kind;
    }
    return undefined;
  }
}
