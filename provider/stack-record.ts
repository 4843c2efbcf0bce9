/**
 * The stack's recorded state: what each `UserRoleAssignment` of the stack asserted at its last
 * deployment, as the engine keeps it, read with `pulumi stack export` (once per provider
 * process, again when a decision depends on it). Deletes and updates consult it so that a
 * role or membership another resource of the stack asserts is never removed by a run in which
 * that resource was not seen (targeted runs, late registrations, `--skip-preview`), whatever
 * the flags or the name of the `pulumi` binary.
 *
 * The engine tells a dynamic provider neither the stack nor the other resources, so the stack
 * comes from the resource's own URN (recorded in its outputs) and the CLI from `PATH` (or
 * `DESCOPE_PULUMI_CLI`). When the state cannot be read, callers keep the access and say so.
 */
import { execFile } from "node:child_process";
import { PLANNED_KEY } from "./inputs";
import type { Mode } from "./plan";
import { normaliseRoles } from "./plan";

/** The type token of `UserRoleAssignment` in state. */
export const ASSIGNMENT_TYPE = "pulumi-nodejs:dynamic/descope:UserRoleAssignment";

/** One assignment as the stack recorded it. */
export interface RecordedAssignment {
  urn: string;
  userId: string;
  tenantId: string | null;
  /** The declared roles; undefined when they are a secret this process cannot read. */
  roleNames: string[] | undefined;
  mode: Mode;
  grantedRoleNames: string[];
  createdMembership: boolean;
}

/** What an interrupted create (a pending `creating` operation) had planned to grant. */
export interface InterruptedCreate {
  urn: string;
  userId: string;
  tenantId: string | null;
  plannedGrants: string[];
  plannedMembership: boolean;
}

/** The stack's assignments, or why they could not be read. */
export type StackRecord =
  | { readable: true; assignments: RecordedAssignment[]; interrupted: InterruptedCreate[] }
  | { readable: false; reason: string };

/** The stack and project a resource URN names (`urn:pulumi:<stack>::<project>::…`). */
export function stackOfUrn(urn: string): { stack: string; project: string } | undefined {
  const m = /^urn:pulumi:([^:]+(?::[^:]+)*?)::([^:]+)::/.exec(urn);
  return m ? { stack: m[1], project: m[2] } : undefined;
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** A state value with secrets revealed (`--show-secrets`); `undefined` for an unreadable secret. */
function reveal(value: unknown): unknown {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    if (o[SECRET_SIG] !== undefined) return typeof o.plaintext === "string" ? JSON.parse(o.plaintext) : undefined;
  }
  return value;
}

function stringList(value: unknown): string[] | undefined {
  const v = reveal(value);
  return Array.isArray(v) && v.every((r) => typeof r === "string") ? normaliseRoles(v) : undefined;
}

/** The assignments of an exported deployment (`pulumi stack export`'s `deployment`). */
export function parseDeployment(deployment: unknown): StackRecord {
  const d = (deployment ?? {}) as { resources?: unknown[]; pending_operations?: unknown[] };
  const assignments: RecordedAssignment[] = [];
  for (const raw of d.resources ?? []) {
    const r = raw as { urn?: string; type?: string; outputs?: Record<string, unknown>; delete?: boolean };
    if (r.type !== ASSIGNMENT_TYPE || r.delete === true || !r.urn || !r.outputs) continue;
    const a = toRecorded(r.urn, r.outputs);
    if (!a) return { readable: false, reason: `the user or tenant of ${r.urn} is a secret this process cannot read` };
    assignments.push(a);
  }
  const interrupted: InterruptedCreate[] = [];
  for (const raw of d.pending_operations ?? []) {
    const op = raw as { type?: string; resource?: { urn?: string; type?: string; inputs?: Record<string, unknown> } };
    const inputs = op.resource?.inputs;
    if (op.type !== "creating" || op.resource?.type !== ASSIGNMENT_TYPE || !inputs || !op.resource.urn) continue;
    const planned = reveal(inputs[PLANNED_KEY]) as Partial<InterruptedCreate> | undefined;
    if (!planned || typeof planned.userId !== "string") continue;
    interrupted.push({
      urn: op.resource.urn,
      userId: planned.userId,
      tenantId: typeof planned.tenantId === "string" ? planned.tenantId : null,
      plannedGrants: stringList(planned.plannedGrants) ?? [],
      plannedMembership: planned.plannedMembership === true,
    });
  }
  return { readable: true, assignments, interrupted };
}

function toRecorded(urn: string, o: Record<string, unknown>): RecordedAssignment | undefined {
  const userId = reveal(o.userId);
  const tenantId = reveal(o.tenantId);
  if (typeof userId !== "string" || (tenantId !== null && tenantId !== undefined && typeof tenantId !== "string"))
    return undefined;
  return {
    urn,
    userId,
    tenantId: typeof tenantId === "string" ? tenantId : null,
    roleNames: stringList(o.roleNames),
    mode: reveal(o.mode) === "add" ? "add" : "set",
    grantedRoleNames: stringList(o.grantedRoleNames) ?? [],
    createdMembership: reveal(o.createdMembership) === true,
  };
}

/** Reads the recorded state of the stack `urn` belongs to, with the `pulumi` CLI. Never throws. */
export function readStackRecord(urn: string, env: NodeJS.ProcessEnv = process.env): Promise<StackRecord> {
  const where = stackOfUrn(urn);
  if (!where) return Promise.resolve({ readable: false, reason: `cannot tell the stack from the URN ${urn}` });
  const cli = env.DESCOPE_PULUMI_CLI || "pulumi";
  const args = ["stack", "export", "--show-secrets", "--stack", where.stack, "--non-interactive"];
  return new Promise((resolve) => {
    execFile(cli, args, { env, maxBuffer: 512 << 20, timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) {
        const why =
          String(stderr || err.message)
            .trim()
            .split("\n")
            .pop() ?? "";
        return resolve({ readable: false, reason: `\`${cli} stack export\` of stack "${where.stack}" failed: ${why}` });
      }
      try {
        resolve(parseDeployment((JSON.parse(stdout) as { deployment?: unknown }).deployment));
      } catch (e) {
        resolve({ readable: false, reason: `\`${cli} stack export\` printed no deployment: ${(e as Error).message}` });
      }
    });
  });
}

/** The stack's record for one provider process: read once, when a decision first needs it. */
export class StackRecords {
  private urn?: string;
  private loaded?: Promise<StackRecord>;

  constructor(private readonly read: (urn: string) => Promise<StackRecord> = readStackRecord) {}

  /** Notes a URN of this process's stack (every resource of one process belongs to one stack). */
  know(urn: string | undefined): void {
    if (urn !== undefined && this.urn === undefined && stackOfUrn(urn)) this.urn = urn;
  }

  /** The record (read on first use); unreadable when no resource has told the stack yet. */
  get(urn?: string): Promise<StackRecord> {
    this.know(urn);
    if (this.urn === undefined) return Promise.resolve(UNKNOWN_STACK);
    return (this.loaded ??= this.read(this.urn));
  }

  /** The record when it was already read, else undefined (for callers that must make no call). */
  async peek(): Promise<StackRecord | undefined> {
    return this.loaded;
  }
}

const UNKNOWN_STACK: StackRecord = {
  readable: false,
  reason:
    "the resource was last deployed by pulumi-descope-access 0.2 or older, whose state does not name its stack; one `pulumi up` with this version records it",
};
