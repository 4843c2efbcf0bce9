/**
 * The planning core: pure functions from declared inputs and the user the API returned to
 * outputs, diffs and the Descope operations to run. No Pulumi, no I/O, no clock, no env.
 */

/** `set`: the scope holds exactly the declared roles. `add`: the declared roles are present. */
export type Mode = "set" | "add";

/** The resource's validated inputs (see inputs.ts). `tenantId` null means project scope. */
export interface AssignmentInputs {
  loginId: string;
  tenantId: string | null;
  roleNames: string[];
  mode: Mode;
}

/** The resource's outputs, as stored in Pulumi state. No field is ever undefined. */
export interface AssignmentOutputs extends AssignmentInputs {
  userId: string;
  liveRoleNames: string[];
  grantedRoleNames: string[];
  tenantName: string | null;
}

/** The part of a Descope user object that planning needs. */
export interface UserView {
  userId: string;
  roleNames?: string[];
  userTenants?: Array<{ tenantId: string; tenantName?: string | null; roleNames?: string[] }>;
}

/** One Descope call; `roles` is what the call sends. */
export type Operation =
  | { op: "addTenant" }
  | { op: "removeTenant" }
  | { op: "setRoles"; roles: string[] }
  | { op: "addRoles"; roles: string[] }
  | { op: "removeRoles"; roles: string[] };

/** Sorted, de-duplicated role names: order and repeats never matter. Always a new array. */
export function normaliseRoles(roles: readonly string[]): string[] {
  // Most lists are normalised already (state, earlier results): check before sorting.
  for (let i = 1; i < roles.length; i++) {
    if (!(roles[i - 1] < roles[i])) return [...new Set(roles)].sort();
  }
  return roles.slice();
}

/** `a` minus `b`, sorted. */
export function without(a: readonly string[], b: Iterable<string>): string[] {
  const drop = new Set(b);
  return normaliseRoles(a.filter((r) => !drop.has(r)));
}

/** `a` ∩ `b`, sorted. */
export function intersect(a: readonly string[], b: readonly string[]): string[] {
  const keep = new Set(b);
  return normaliseRoles(a.filter((r) => keep.has(r)));
}

/** What the user holds in one scope: membership (always true for the project) and roles. */
export interface ScopeView {
  member: boolean;
  roles: string[];
  tenantName: string | null;
}

/** Reads one scope of a user: the project's roles, or one tenant's. */
export function viewScope(user: UserView, tenantId: string | null): ScopeView {
  if (tenantId === null) return { member: true, roles: normaliseRoles(user.roleNames ?? []), tenantName: null };
  const t = (user.userTenants ?? []).find((ut) => ut.tenantId === tenantId);
  if (!t) return { member: false, roles: [], tenantName: null };
  return { member: true, roles: normaliseRoles(t.roleNames ?? []), tenantName: t.tenantName ?? null };
}

/** The Pulumi resource id: the userId, or `<tenantId>/<userId>`, segments URI-encoded. */
export function resourceId(tenantId: string | null, userId: string): string {
  const u = encodeURIComponent(userId);
  return tenantId === null ? u : `${encodeURIComponent(tenantId)}/${u}`;
}

/** The outputs for inputs and the user the API returned after the last call. */
export function toOutputs(inputs: AssignmentInputs, user: UserView, grantedRoleNames: string[]): AssignmentOutputs {
  const scope = viewScope(user, inputs.tenantId);
  return {
    loginId: inputs.loginId,
    tenantId: inputs.tenantId,
    roleNames: normaliseRoles(inputs.roleNames),
    mode: inputs.mode,
    userId: user.userId,
    liveRoleNames: scope.roles,
    grantedRoleNames: inputs.mode === "add" ? normaliseRoles(grantedRoleNames) : [],
    tenantName: scope.tenantName,
  };
}

/** What create or update must do, and what the resource will then have granted. */
export interface ApplyPlan {
  operations: Operation[];
  /** Mode `add`: the roles this resource holds as its own grants after the operations. */
  grantedRoleNames: string[];
  /** True when the first operation makes the user a tenant member: undo it if a later one fails. */
  createsMembership: boolean;
}

/** What the resource recorded before an update (absent for create). */
export interface PreviousState {
  mode: Mode;
  roleNames: string[];
  grantedRoleNames: string[];
}

/**
 * Plans create (no `previous`) or update for the scope as the API returned it. Calls that would
 * change nothing are left out, so declaring what already holds converges with no call.
 * `protectedRoles`: roles another resource asserted for this user and scope in this deployment;
 * an update never removes them.
 */
export function planApply(
  inputs: AssignmentInputs,
  scope: ScopeView,
  previous?: PreviousState,
  protectedRoles: ReadonlySet<string> = new Set(),
): ApplyPlan {
  const declared = normaliseRoles(inputs.roleNames);
  if (inputs.mode === "set") {
    const needsMembership = inputs.tenantId !== null && !scope.member;
    const operations: Operation[] = needsMembership ? [{ op: "addTenant" }] : [];
    if (needsMembership || !sameRoles(declared, scope.roles)) operations.push({ op: "setRoles", roles: declared });
    return { operations, grantedRoleNames: [], createsMembership: needsMembership };
  }
  const missing = without(declared, scope.roles);
  const operations: Operation[] = missing.length > 0 ? [{ op: "addRoles", roles: missing }] : [];
  let kept: string[] = [];
  if (previous?.mode === "set") {
    // Switching from set to add: the roles it asserted so far become its own grants.
    kept = intersect(declared, scope.roles);
  } else if (previous) {
    kept = intersect(previous.grantedRoleNames, declared);
    const dropped = without(intersect(previous.grantedRoleNames, scope.roles), [...declared, ...protectedRoles]);
    if (dropped.length > 0 && scope.member) operations.push({ op: "removeRoles", roles: dropped });
  }
  return { operations, grantedRoleNames: normaliseRoles([...kept, ...missing]), createsMembership: false };
}

/** What delete needs to know. */
export interface DeleteInput {
  mode: Mode;
  tenantId: string | null;
  roleNames: string[];
  grantedRoleNames: string[];
  /** null when no other resource asserted this user and scope in this deployment. */
  protectedRoles: ReadonlySet<string> | null;
}

/**
 * Plans delete for the scope as the API returned it: set + tenant leaves the tenant, set +
 * project removes the declared roles, add removes its own grants. Roles another resource
 * asserted in this deployment stay, and so does the membership they need.
 */
export function planDelete(input: DeleteInput, scope: ScopeView): Operation[] {
  if (!scope.member) return [];
  if (input.mode === "set" && input.tenantId !== null && input.protectedRoles === null) return [{ op: "removeTenant" }];
  const own = input.mode === "set" ? input.roleNames : input.grantedRoleNames;
  const roles = intersect(without(own, input.protectedRoles ?? []), scope.roles);
  return roles.length > 0 ? [{ op: "removeRoles", roles }] : [];
}

/** The diff the engine gets: `changes`, and the properties whose change replaces. */
export interface DiffPlan {
  changes: boolean;
  replaces: string[];
}

/**
 * Compares new inputs with the stored outputs. Only this resource's own fields count. Roles
 * compare as sets; mode set also against the live roles (drift), mode add only for declared
 * roles missing or a granted role no longer declared. `sameUser`: whether a changed loginId
 * names the same user (the caller resolves it; the stored userId counts as the same).
 */
export function planDiff(olds: AssignmentOutputs, news: AssignmentInputs, sameUser: boolean): DiffPlan {
  const replaces: string[] = [];
  if ((olds.tenantId ?? null) !== news.tenantId) replaces.push("tenantId");
  if (olds.loginId !== news.loginId && !sameUser) replaces.push("loginId");
  const declared = normaliseRoles(news.roleNames);
  const live = normaliseRoles(olds.liveRoleNames ?? []);
  const drift =
    news.mode === "set"
      ? !sameRoles(declared, live)
      : without(declared, live).length > 0 || without(olds.grantedRoleNames ?? [], declared).length > 0;
  const changes =
    replaces.length > 0 ||
    olds.loginId !== news.loginId ||
    olds.mode !== news.mode ||
    !sameRoles(declared, normaliseRoles(olds.roleNames ?? [])) ||
    drift;
  return { changes, replaces };
}

function sameRoles(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i]);
}
