/**
 * Ownership across runs: what a new resource inherits from the one it replaces (or from an
 * interrupted create of its own URN), and how a delete or an update that keeps access says so.
 */
import type { OtherDeclarations, Operation, ScopeView } from "./plan";
import { NO_OTHERS, intersect, normaliseRoles, planDelete, type DeleteInput } from "./plan";
import { nameOfUrn } from "./declarations";
import { hideSecretValues } from "./secret-text";
import type { StackRecord } from "./stack-record";

/** What a create takes over: the grants and membership its predecessor of the same URN owned. */
export interface Inherited {
  grantedRoleNames: string[];
  membership: boolean;
}

/**
 * What the resource `urn` recorded in this user and scope before this create: the resource it
 * replaces (`up --replace`, a changed input that replaces) or a create of it that was
 * interrupted after its write (a killed `pulumi up`, see README "Recovering from an interrupted
 * run"). Only roles still held and declared are taken over.
 */
export function inheritedBy(
  record: StackRecord,
  urn: string,
  userId: string,
  tenantId: string | null,
  declared: readonly string[],
  held: readonly string[],
): Inherited {
  if (!record.readable) return { grantedRoleNames: [], membership: false };
  const same = (r: { urn: string; userId: string; tenantId: string | null }) =>
    r.urn === urn && r.userId === userId && r.tenantId === tenantId;
  const grants: string[] = [];
  let membership = false;
  for (const r of record.assignments.filter(same)) {
    grants.push(...(r.mode === "set" ? [] : r.grantedRoleNames));
    membership ||= r.mode === "add" && r.createdMembership;
  }
  for (const c of record.interrupted.filter(same)) {
    grants.push(...c.plannedGrants);
    membership ||= c.plannedMembership;
  }
  return { grantedRoleNames: intersect(intersect(normaliseRoles(grants), declared), held), membership };
}

/** `others` with what a create inherited counted as co-owned (so it becomes the create's own grant). */
export function withInherited(others: OtherDeclarations, inherited: Inherited): OtherDeclarations {
  if (inherited.grantedRoleNames.length === 0 && !inherited.membership) return others;
  return {
    ...others,
    owned: new Set([...others.owned, ...inherited.grantedRoleNames]),
    membershipOwned: others.membershipOwned || inherited.membership,
  };
}

/** What a delete keeps that it would have removed alone: roles, and the tenant membership. */
export interface Kept {
  roles: string[];
  membership: boolean;
}

/** What `planned` keeps of what the same delete would remove with no other declaration. */
export function keptBy(input: DeleteInput, scope: ScopeView, planned: readonly Operation[]): Kept {
  const alone = planDelete({ ...input, others: NO_OTHERS }, scope);
  const removed = new Set(planned.flatMap((o) => ("roles" in o ? o.roles : [])));
  const leaves = planned.some((o) => o.op === "removeTenant");
  const wouldLeave = alone.some((o) => o.op === "removeTenant");
  const aloneRoles = wouldLeave ? scope.roles : alone.flatMap((o) => ("roles" in o ? o.roles : []));
  return {
    roles: leaves ? [] : normaliseRoles(aloneRoles.filter((r) => !removed.has(r))),
    membership: wouldLeave && !leaves,
  };
}

/**
 * The warning for a delete that keeps something because of peers known only from the stack's
 * record, or in doubt. Undefined when nothing was kept for those reasons (keeping what a
 * declaration seen in this run asserts is the ordinary rule).
 */
export function keptWarning(
  who: string,
  kept: Kept,
  others: OtherDeclarations,
  reason: string | undefined,
  hidden: readonly string[],
): string | undefined {
  if (!others.inDoubt && others.recorded.length === 0) return undefined;
  if (kept.roles.length === 0 && !kept.membership) return undefined;
  const q = JSON.stringify;
  const what = [
    ...(kept.roles.length > 0
      ? [`role${kept.roles.length > 1 ? "s" : ""} ${kept.roles.map((r) => q(r)).join(", ")}`]
      : []),
    ...(kept.membership ? ["the tenant membership"] : []),
  ].join(" and ");
  const names = others.recorded.map((urn) => q(nameOfUrn(urn))).join(", ");
  const many = others.recorded.length > 1;
  const text = others.inDoubt
    ? `${who}: kept ${what}, because what other resources of the stack assert could not be known (${reason ?? "a peer's roles are a secret this process cannot read"}); remove it by hand if nothing needs it, and descope-access report --state lists it meanwhile`
    : `${who}: kept ${what}, because ${names} asserted it at ${many ? "their" : "its"} last deployment and ${many ? "were" : "was"} not deleted before this delete ran; ${many ? "their" : "its"} own delete removes it, and descope-access report --state lists it meanwhile`;
  return hideSecretValues(text, hidden);
}

/** Prints a warning into the run's output (the engine shows a provider's stderr as diagnostics). */
export function warn(message: string): void {
  process.stderr.write(`warning: ${message.replace(/[\r\n]+/g, " ")}\n`);
}
