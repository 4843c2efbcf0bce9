/**
 * Input validation for `check`: zod schema factories and the mapping of zod issues to Pulumi
 * check failures that name the property. Pure: no Pulumi, no I/O. Schemas are built by
 * functions, never at module scope, so nothing here is captured by the serialized provider.
 */
import { z } from "zod";
import type { AssignmentInputs, SecretInput } from "./plan";
import { normaliseRoles } from "./plan";
import { quote } from "./quote";

/** The engine's wire value for an input not known during preview (an output of another resource). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The properties `UserRoleAssignment` takes. */
export const INPUT_NAMES = ["loginId", "tenantId", "roleNames", "mode"] as const;

/** The hidden input carrying the resource's name (for messages that name another resource). */
export const NAME_KEY = "__assignmentName";
/** The hidden input carrying the resource's URN (declarations are keyed by it). */
export const URN_KEY = "__assignmentUrn";
/**
 * The hidden input in which check records what a create is about to grant (user, scope, roles
 * not held, membership), so that the engine keeps it with an interrupted create.
 */
export const PLANNED_KEY = "__plannedGrant";

/**
 * Hidden inputs that mark a secret input: the class sets the output's own key to a secret
 * `true` when the input it derives from is secret, so the engine marks that output secret
 * (it copies secretness from an input to the output of the same key).
 */
export const SECRET_MARKERS: Readonly<Record<string, SecretInput>> = {
  userId: "loginId",
  tenantName: "tenantId",
  liveRoleNames: "roleNames",
  grantedRoleNames: "roleNames",
};

/** The output keys marked secret for each secret input. */
export function markersFor(input: SecretInput): string[] {
  return Object.keys(SECRET_MARKERS).filter((k) => SECRET_MARKERS[k] === input);
}

/** The inputs that the markers in `news` say are secret (sorted, unique). */
export function secretInputsOf(news: Record<string, unknown>): SecretInput[] {
  const found = Object.keys(SECRET_MARKERS).filter((k) => news[k] === true || isUnknown(news[k]));
  return [...new Set(found.map((k) => SECRET_MARKERS[k]))].sort();
}

/** A check failure as the dynamic-provider contract wants it. */
export interface CheckFailure {
  property: string;
  reason: string;
}

/**
 * The most failures `check` reports for one property. The engine prints each failure with the
 * property's whole value, so 10,000 bad roles printed 10,000 copies of the role list.
 */
export const MAX_FAILURES_PER_PROPERTY = 10;

/**
 * Keeps the first `max` failures of each property, in order, and adds one more per property
 * that had more: `… and N more failures of <property> not shown`.
 */
export function capFailures(failures: readonly CheckFailure[], max = MAX_FAILURES_PER_PROPERTY): CheckFailure[] {
  const seen = new Map<string, number>();
  const kept: CheckFailure[] = [];
  for (const f of failures) {
    const n = (seen.get(f.property) ?? 0) + 1;
    seen.set(f.property, n);
    if (n <= max) kept.push(f);
  }
  for (const [property, n] of seen) if (n > max) kept.push(moreFailures(property, n - max));
  return kept;
}

/** The failure that stands for `count` more failures of `property` not shown. */
export function moreFailures(property: string, count: number): CheckFailure {
  return { property, reason: `… and ${count} more failures of ${property} not shown` };
}

/** check's result: normalised inputs (unknowns kept as they are), or failures. */
export interface CheckOutcome {
  inputs: Record<string, unknown>;
  failures: CheckFailure[];
}

/** True for the engine's unknown sentinel. */
export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

/** True when any input (or any role name) is not known yet. */
export function hasUnknowns(inputs: Record<string, unknown>): boolean {
  return INPUT_NAMES.some(
    (k) => isUnknown(inputs[k]) || (Array.isArray(inputs[k]) && (inputs[k] as unknown[]).some(isUnknown)),
  );
}

function identifier(name: string) {
  return (
    z
      .string({ invalid_type_error: `${name} must be a string`, required_error: `${name} is required` })
      .refine((s) => s.trim().length > 0, `${name} must not be empty or blank`)
      .refine((s) => s.trim() === s, `${name} must not have leading or trailing spaces`)
      // eslint-disable-next-line no-control-regex
      .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), `${name} must not contain control characters`)
  );
}

let cachedSchema: ReturnType<typeof buildAssignmentSchema> | undefined;

/**
 * The schema of the declared inputs, built on first use and kept for the process: `check`
 * runs once per resource, and building the schema each time was most of its garbage. (The
 * serialized shim never reaches this module's state: it requires the package at call time.)
 */
export function assignmentSchema() {
  cachedSchema ??= buildAssignmentSchema();
  return cachedSchema;
}

function buildAssignmentSchema() {
  return z
    .object({
      loginId: identifier("loginId"),
      tenantId: identifier("tenantId").nullish(),
      roleNames: z.array(identifier("each role name"), {
        invalid_type_error: "roleNames must be a list of role names",
        required_error: "roleNames is required (a list of role names; [] for none)",
      }),
      mode: z
        .enum(["set", "add"], { errorMap: () => ({ message: `mode must be "set" or "add"` }) })
        .nullish()
        .transform((m) => m ?? "set"),
    })
    .strict()
    .superRefine((v, ctx) => {
      if (v.mode === "add" && v.roleNames.length === 0) {
        const message = `roleNames is empty: mode "add" with no roles declares nothing; declare at least one role, or remove the resource`;
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["roleNames"], message });
      }
    });
}

/**
 * Validates and normalises `news` (the engine's new inputs, `__provider` included). Unknown
 * values pass: they are validated once known, on the next check.
 */
export function checkInputs(news: Record<string, unknown>): CheckOutcome {
  const { __provider, [NAME_KEY]: name, [URN_KEY]: urn, [PLANNED_KEY]: planned, ...rest } = news;
  void __provider;
  void planned; // recorded by an earlier check; never an input of the program
  const hidden: Record<string, unknown> = name === undefined ? {} : { [NAME_KEY]: name };
  if (urn !== undefined) hidden[URN_KEY] = urn;
  const given: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rest)) {
    if (k in SECRET_MARKERS && (v === true || isUnknown(v))) hidden[k] = v;
    else given[k] = v;
  }
  const probe: Record<string, unknown> = { ...given };
  if (isUnknown(probe.loginId)) probe.loginId = "unknown";
  if (isUnknown(probe.tenantId)) probe.tenantId = "unknown";
  if (isUnknown(probe.mode)) probe.mode = "set";
  // Unknown values are validated once known; until then they stand in as valid placeholders.
  if (isUnknown(probe.roleNames)) probe.roleNames = ["unknown"];
  else if (Array.isArray(probe.roleNames)) probe.roleNames = probe.roleNames.map((r) => (isUnknown(r) ? "unknown" : r));
  const parsed = assignmentSchema().safeParse(probe);
  if (!parsed.success) return { inputs: news, failures: capFailures(toCheckFailures(parsed.error)) };
  const inputs: Record<string, unknown> = {
    ...given,
    ...hidden,
    mode: isUnknown(given.mode) ? given.mode : parsed.data.mode,
  };
  if (given.tenantId === null || given.tenantId === undefined) delete inputs.tenantId;
  if (Array.isArray(given.roleNames) && !given.roleNames.some(isUnknown))
    inputs.roleNames = normaliseRoles(parsed.data.roleNames);
  return { inputs, failures: [] };
}

/** Turns zod issues into check failures whose property and reason name the input. */
export function toCheckFailures(error: z.ZodError): CheckFailure[] {
  return error.issues.flatMap((issue): CheckFailure[] => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ property: key, reason: unknownPropertyReason(key) }));
    }
    const [top, index] = issue.path;
    const property = String(top ?? "");
    const where = typeof index === "number" ? `${property}[${index}]: ` : "";
    return [{ property, reason: `${where}${issue.message}` }];
  });
}

function unknownPropertyReason(key: string): string {
  const lower = key.toLowerCase();
  const guess =
    INPUT_NAMES.find((n) => n.toLowerCase() === lower) ??
    INPUT_NAMES.find(
      (n) => n.toLowerCase().startsWith(lower.slice(0, 4)) || lower.startsWith(n.toLowerCase().slice(0, 4)),
    );
  const known = INPUT_NAMES.join(", ");
  return `unknown property ${quote(key)}${guess ? `; did you mean "${guess}"?` : ""} (UserRoleAssignment takes ${known})`;
}

/** Reads validated, known inputs back as the typed shape the planner uses. */
export function toAssignmentInputs(inputs: Record<string, unknown>): AssignmentInputs {
  return {
    loginId: String(inputs.loginId),
    tenantId: typeof inputs.tenantId === "string" ? inputs.tenantId : null,
    roleNames: normaliseRoles((inputs.roleNames as string[] | undefined) ?? []),
    mode: inputs.mode === "add" ? "add" : "set",
  };
}
