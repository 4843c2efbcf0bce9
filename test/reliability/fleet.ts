/**
 * Shared by the reliability suites: a fleet of users whose grants need every kind of call, the
 * emulator's access map, and the request log with the time each call reached the emulator.
 */
import {
  startEmulator,
  type EmulatorHandle,
  type EmulatorOptions,
  type EmulatorSeed,
  type RecordedRequest,
} from "../../emulator";
import { configFor } from "../support/scenario";
import { TestStack } from "../support/pulumi";

/** Every user's roles: project roles and roles per tenant membership, sorted, by first login ID. */
export type Access = Record<string, { project: string[]; tenants: Record<string, string[]> }>;

/** The emulator's users as an {@link Access} map. */
export function accessOf(emu: EmulatorHandle): Access {
  const out: Access = {};
  for (const u of emu.state.snapshot().users) {
    const tenants = Object.fromEntries(u.userTenants.map((t) => [t.tenantId, [...t.roleNames].sort()]));
    out[u.loginIds[0]] = { project: [...u.roleNames].sort(), tenants };
  }
  return out;
}

/** One grant of the grants program. */
export interface Grant {
  name: string;
  loginId: string;
  tenantId?: string;
  roleNames: string[];
  mode?: "set" | "add";
}

/** `n` users, each holding project role `viewer`, and one grant each cycling through set/add × project/tenant. */
export function fleet(n: number): { seed: EmulatorSeed; grants: Grant[]; afterUp: Access } {
  const seed: EmulatorSeed = {
    roles: ["admin", "viewer", "billing", "support", "auditor"].map((name) => ({ name })),
    tenants: [
      { id: "acme", name: "Acme Corp", defaultRoles: ["viewer"] },
      { id: "globex", name: "Globex" },
    ],
    users: [],
  };
  const grants: Grant[] = [];
  const afterUp: Access = {};
  for (let i = 0; i < n; i++) {
    const loginId = `r${i}@example.com`;
    seed.users!.push({ loginId, userId: `U2r${String(i).padStart(25, "0")}`, roleNames: ["viewer"] });
    const name = `r${i}`;
    switch (i % 4) {
      case 0: // load, role/set
        grants.push({ name, loginId, roleNames: ["admin", "billing"] });
        afterUp[loginId] = { project: ["admin", "billing"], tenants: {} };
        break;
      case 1: // load, tenant/add, role/set
        grants.push({ name, loginId, tenantId: "acme", roleNames: ["admin"] });
        afterUp[loginId] = { project: ["viewer"], tenants: { acme: ["admin"] } };
        break;
      case 2: // load, v2 role/add
        grants.push({ name, loginId, roleNames: ["auditor"], mode: "add" });
        afterUp[loginId] = { project: ["auditor", "viewer"], tenants: {} };
        break;
      default: // load, v2 role/add joining the tenant
        grants.push({ name, loginId, tenantId: "globex", roleNames: ["support"], mode: "add" });
        afterUp[loginId] = { project: ["viewer"], tenants: { globex: ["support"] } };
    }
  }
  return { seed, grants, afterUp };
}

/** A recorded call and the time (epoch ms) it reached the emulator's rate limiter. */
export type TimedRequest = RecordedRequest & { at: number };

/** An emulator whose request log carries arrival times, and a stack of the grants program for it. */
export interface TimedScenario {
  emu: EmulatorHandle;
  stack: TestStack;
  /** The request log with arrival times. */
  timed(): TimedRequest[];
  dispose(): Promise<void>;
}

/**
 * Starts an emulator with `rateLimit` (required: see below; no faults) and a stack configured
 * for it, with `env` for the engine and the provider.
 *
 * The log records no time, so the emulator is given a clock that notes each reading. For the
 * user paths, the clock is read exactly once per call (by the rate limiter, right before the
 * call is recorded, in the same tick), so the i-th reading is the i-th call's arrival. Without
 * a limit, or for calls cut short by an injected fault, the limiter is not reached: `timed()`
 * throws when the two counts disagree instead of pairing them wrongly.
 */
export async function startTimedScenario(
  seed: EmulatorSeed,
  rateLimit: NonNullable<EmulatorOptions["rateLimit"]>,
  env: Record<string, string> = {},
): Promise<TimedScenario> {
  const stamps: number[] = [];
  const clock = () => {
    const now = Date.now();
    stamps.push(now);
    return now;
  };
  const emu = await startEmulator({ seed, rateLimit, clock, warn: () => undefined });
  stamps.length = 0; // readings taken while seeding
  const stack = await TestStack.create({ program: "grants", config: configFor(emu), env });
  return {
    emu,
    stack,
    timed() {
      const calls = emu.requests.all();
      if (calls.length !== stamps.length) throw new Error(`${calls.length} calls but ${stamps.length} clock readings`);
      return calls.map((c, i) => ({ ...c, at: stamps[i] }));
    },
    async dispose() {
      await stack.dispose();
      await emu.close();
    },
  };
}

/** The user a call is about: a load's `loginId` or `userId` query (mapped to the user ID), or the body's `loginId`. */
function subjectOf(call: RecordedRequest, userIds: ReadonlyMap<string, string>): string {
  const id =
    call.method === "GET"
      ? (call.query.loginId ?? call.query.userId)
      : (call.body as { loginId?: string } | undefined)?.loginId;
  return id === undefined ? `${call.method} ${call.path}` : (userIds.get(id) ?? id);
}

/** The `Retry-After` seconds a 429 answer asked for (the emulator repeats them in `errorMessage`). */
export function retryAfterOf(call: RecordedRequest): number | undefined {
  const m = /retry in (\d+) seconds/.exec(
    String((call.responseBody as { errorMessage?: string } | undefined)?.errorMessage),
  );
  return m ? Number(m[1]) : undefined;
}

/** The next call about the same user as `calls[i]` (the provider serializes one user's calls), if any. */
export function nextCallAbout<T extends RecordedRequest>(
  calls: readonly T[],
  i: number,
  userIds: ReadonlyMap<string, string>,
): T | undefined {
  const who = subjectOf(calls[i], userIds);
  return calls.slice(i + 1).find((c) => subjectOf(c, userIds) === who);
}

/** True when two recorded calls are the same request (method, path, query and body). */
export function sameCall(a: RecordedRequest, b: RecordedRequest): boolean {
  return JSON.stringify([a.method, a.path, a.query, a.body]) === JSON.stringify([b.method, b.path, b.query, b.body]);
}

/** Describes a call for an assertion message. */
export function describeCall(call: RecordedRequest, userIds: ReadonlyMap<string, string>): string {
  return `#${call.seq} ${call.method} ${call.path} ${call.status}${call.fault ? ` (${call.fault})` : ""} about ${subjectOf(call, userIds)}`;
}

/**
 * Checks that every 429 was waited out: the next call about the same user must be the same
 * call again, at least `Retry-After` later. Returns one line per violation (empty when all is well).
 */
export function unwaited429s(calls: readonly TimedRequest[], userIds: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  calls.forEach((call, i) => {
    if (call.status !== 429) return;
    const next = nextCallAbout(calls, i, userIds);
    const seconds = retryAfterOf(call);
    const what = describeCall(call, userIds);
    if (seconds === undefined) problems.push(`${what}: no Retry-After in the answer`);
    else if (!next) problems.push(`${what}: never retried`);
    else if (!sameCall(next, call))
      problems.push(`${what}: followed by a different call ${describeCall(next, userIds)}`);
    else if (next.at - call.at < seconds * 1000) {
      problems.push(`${what}: retried after ${next.at - call.at} ms, Retry-After was ${seconds} s`);
    }
  });
  return problems;
}

/** The largest number of calls that arrived within any `windowMs` (half-open windows starting at a call). */
export function busiestWindow(calls: readonly { at: number }[], windowMs: number): number {
  const times = calls.map((c) => c.at).sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (j < times.length && times[j] < times[i] + windowMs) j++;
    best = Math.max(best, j - i);
  }
  return best;
}
