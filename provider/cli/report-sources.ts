/**
 * Where `descope-access report` takes declarations from: a grants document (already checked
 * by `parseGrants`) or a Pulumi state (`pulumi stack export` JSON, or its bare deployment).
 * Pure: the caller reads and parses the files.
 */
import type { Grant } from "../grants-file";
import { quote } from "./display-text";
import type { DeclaredAssignment } from "./report-classify";

/** The `type` suffix of `UserRoleAssignment` resources in a state. */
export const ASSIGNMENT_TYPE_SUFFIX = "descope:UserRoleAssignment";

/** Pulumi's marker key of a secret value in a state export. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** The declarations of a grants document: one per grant, named as `grantName` names it. */
export function declarationsFromGrants(grants: readonly Grant[]): DeclaredAssignment[] {
  return grants.map((g) => ({
    name: g.name ?? `${g.loginId}/${g.tenantId ?? "project"}`,
    loginId: g.loginId,
    tenantId: g.tenantId ?? null,
    roleNames: [...g.roleNames],
    mode: g.mode ?? "set",
  }));
}

/**
 * The declarations of a state: every resource whose type ends in `descope:UserRoleAssignment`
 * and is not pending deletion, from its outputs `userId`, `loginId`, `tenantId`, `roleNames`,
 * `mode`. Accepts `{ deployment: { resources } }` (what `pulumi stack export` prints) and the
 * bare `{ resources }`. Secret outputs are read when exported with their plaintext. Resources
 * are told apart by URN: each is named by its resource name, or by its whole URN when another
 * assignment of the state has the same name (children of two components), and carries `urn`.
 *
 * @throws Error naming the resource when an output is missing, malformed or still encrypted.
 */
export function declarationsFromState(doc: unknown, source = "state file"): DeclaredAssignment[] {
  const deployment = isRecord(doc) && isRecord(doc.deployment) ? doc.deployment : doc;
  if (!isRecord(deployment) || !Array.isArray(deployment.resources)) {
    throw new Error(
      `${source} is not a Pulumi state: it has no resources list (expected the JSON of pulumi stack export)`,
    );
  }
  const assignments = (deployment.resources as unknown[]).filter(
    (r): r is Record<string, unknown> =>
      isRecord(r) && typeof r.type === "string" && r.type.endsWith(ASSIGNMENT_TYPE_SUFFIX) && r.delete !== true,
  );
  const names = assignments.map((r) => (typeof r.urn === "string" ? bareName(r.urn) : String(r.id ?? "?")));
  return assignments.map((r, i) => {
    // Children of two components may share a name: then only the URN tells them apart.
    const ambiguous = typeof r.urn === "string" && names.indexOf(names[i]) !== names.lastIndexOf(names[i]);
    const name = ambiguous ? (r.urn as string) : names[i];
    const d = declarationOf(isRecord(r.outputs) ? r.outputs : {}, `${source}: resource ${quote(name)}`);
    return { name, ...(typeof r.urn === "string" ? { urn: r.urn } : {}), ...d };
  });
}

/** The name part of a URN: what follows its last `::`. */
export function bareName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** The declaration in a resource's outputs; `what` names the resource in messages. */
function declarationOf(outputs: Record<string, unknown>, what: string): Omit<DeclaredAssignment, "name" | "urn"> {
  const field = (key: string) => reveal(outputs[key], `${what} output ${key}`);
  const loginId = field("loginId");
  const userId = field("userId");
  const tenantId = field("tenantId") ?? null;
  const roleNames = field("roleNames");
  const mode = field("mode") ?? "set";
  const problem = `${what} has`;
  if (typeof loginId !== "string") throw new Error(`${problem} no loginId output`);
  if (userId !== undefined && userId !== null && typeof userId !== "string")
    throw new Error(`${problem} a malformed userId output`);
  if (tenantId !== null && typeof tenantId !== "string") throw new Error(`${problem} a malformed tenantId output`);
  if (!Array.isArray(roleNames) || !roleNames.every((x) => typeof x === "string"))
    throw new Error(`${problem} no roleNames list output`);
  if (mode !== "set" && mode !== "add") throw new Error(`${problem} an unknown mode ${quote(String(mode))}`);
  return {
    loginId,
    ...(typeof userId === "string" && userId !== "" ? { userId } : {}),
    tenantId,
    roleNames: [...roleNames],
    mode,
  };
}

/** The value, or a secret's plaintext; throws when the secret is still encrypted. */
function reveal(value: unknown, what: string): unknown {
  if (!isRecord(value) || !(SECRET_SIG in value)) return value;
  if (typeof value.plaintext === "string") return JSON.parse(value.plaintext);
  throw new Error(
    `${what} is an encrypted secret: export the state with pulumi stack export --show-secrets, or report from the grants file`,
  );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
