/**
 * What the provider keeps in, and reads back from, a resource's state: its id, the stored
 * inputs, the inputs a refresh records, its declaration name, and the secret values its
 * messages must not print.
 */
import { createHash } from "node:crypto";
import { NAME_KEY, URN_KEY, markersFor, toAssignmentInputs } from "./inputs";
import { intersect, resourceId, type AssignmentInputs, type AssignmentOutputs, type SecretInput } from "./plan";
import { hideSecretsIn } from "./secret-text";

/**
 * The inputs stored after a refresh: the roles as the scope holds them (mode set) or the
 * declared roles it still holds (mode add), so that `pulumi preview --diff` after drift shows
 * `roleNames` going from what is held to what is declared.
 */
export function refreshedInputs(outs: AssignmentOutputs, secrets: readonly SecretInput[]): Record<string, unknown> {
  const held = outs.mode === "set" ? outs.liveRoleNames : intersect(outs.roleNames, outs.liveRoleNames);
  const inputs: Record<string, unknown> = { loginId: outs.loginId, roleNames: held, mode: outs.mode };
  if (outs.tenantId !== null) inputs.tenantId = outs.tenantId;
  for (const s of secrets) for (const marker of markersFor(s)) inputs[marker] = true;
  return inputs;
}

/** The inputs recorded in state; the id fills in what an old or partial state lacks. */
export function storedInputs(id: string, olds: Partial<AssignmentOutputs>): AssignmentInputs & { userId: string } {
  const segments = id.split("/").map(decodeURIComponent);
  const userId = olds.userId || segments[segments.length - 1];
  const tenantId = olds.tenantId ?? (segments.length > 1 ? segments[0] : null);
  const base = toAssignmentInputs({ ...olds, loginId: olds.loginId ?? userId, tenantId });
  return { ...base, userId };
}

/**
 * The resource's URN and name (hidden inputs the class sets). A program built against an older
 * class gives no URN: its name (or a key of its inputs) stands in.
 */
export function declarationKey(news: Record<string, unknown>, inputs: AssignmentInputs): { urn: string; name: string } {
  const name =
    typeof news[NAME_KEY] === "string"
      ? (news[NAME_KEY] as string)
      : JSON.stringify([inputs.loginId, inputs.tenantId, inputs.mode, inputs.roleNames]);
  const urn = news[URN_KEY];
  return { urn: typeof urn === "string" ? urn : `name:${name}`, name };
}

/** The resource id; an opaque digest when it would spell a secret login ID or tenant. */
export function idFor(tenantId: string | null, userId: string, secrets: readonly SecretInput[]): string {
  const id = resourceId(tenantId, userId);
  if (!secrets.includes("loginId") && !secrets.includes("tenantId")) return id;
  return `secret-${createHash("sha256").update(id).digest("hex").slice(0, 40)}`;
}

/** The values messages must not print: secret inputs and what derives from them. */
export function secretValues(
  inputs: AssignmentInputs,
  secrets: readonly SecretInput[],
  derived?: Partial<Pick<AssignmentOutputs, "userId" | "tenantName">> & { loginIds?: string[] },
): string[] {
  const values: string[] = [];
  if (secrets.includes("loginId"))
    values.push(inputs.loginId, ...(derived?.userId ? [derived.userId] : []), ...(derived?.loginIds ?? []));
  if (secrets.includes("tenantId") && inputs.tenantId !== null)
    values.push(inputs.tenantId, ...(derived?.tenantName ? [derived.tenantName] : []));
  if (secrets.includes("roleNames")) values.push(...inputs.roleNames);
  return values;
}

/** Runs `fn`; an error it throws leaves with the secret values hidden from its message. */
export async function guarded<T>(hidden: readonly string[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw hideSecretsIn(err, hidden);
  }
}
