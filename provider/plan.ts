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

/** The inputs whose values are secret; outputs derived from them are secret too. */
export type SecretInput = "loginId" | "tenantId" | "roleNames";

/** The resource's outputs, as stored in Pulumi state. No field is ever undefined. */
export interface AssignmentOutputs extends AssignmentInputs {
  userId: string;
  liveRoleNames: string[];
  grantedRoleNames: string[];
  tenantName: string | null;
  /** Mode `add`, tenant scope: the user was not a member before this resource's create. */
  createdMembership: boolean;
  /** The secret inputs (stored so that refresh and delete keep them out of messages). */
  __secretInputs: SecretInput[];
  /** The resource's URN (absent in states written before 0.3): names the stack whose record delete reads. */
  __urn?: string;
  /** Set by refresh when `loginId` no longer names this user (the next diff refuses, with the fix). */
  __loginIdGone?: boolean;
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

/** What the outputs record besides the inputs and the user: own grants, membership, secrets. */
export interface OutputExtras {
  grantedRoleNames: string[];
  createdMembership: boolean;
  secretInputs: SecretInput[];
  /** The resource's URN, when known. */
  urn?: string;
}

/** The outputs for inputs and the user the API returned after the last call. */
export function toOutputs(inputs: AssignmentInputs, user: UserView, extras: OutputExtras): AssignmentOutputs {
  const scope = viewScope(user, inputs.tenantId);
  const { grantedRoleNames } = extras;
  return {
    loginId: inputs.loginId,
    tenantId: inputs.tenantId,
    roleNames: normaliseRoles(inputs.roleNames),
    mode: inputs.mode,
    userId: user.userId,
    liveRoleNames: scope.roles,
    grantedRoleNames: inputs.mode === "add" ? normaliseRoles(grantedRoleNames) : [],
    tenantName: scope.tenantName,
    createdMembership: inputs.mode === "add" && inputs.tenantId !== null && extras.createdMembership,
    __secretInputs: [...extras.secretInputs],
    ...(extras.urn !== undefined && !extras.urn.startsWith("name:") ? { __urn: extras.urn } : {}),
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
 * `others`: what the other declarations of this user and scope in the program assert (their
 * roles) and own (a set declaration's roles, an add declaration's own grants). An update never
 * removes a role another declaration asserts; in mode add, a held role another declaration owns
 * becomes a shared grant, so it goes only when the last declaration asserting it goes.
 * `tenantDefaultRoles`: the tenant's default roles when known, so that joining a tenant in mode
 * set can be one write.
 */
export function planApply(
  inputs: AssignmentInputs,
  scope: ScopeView,
  previous?: PreviousState,
  others: OtherDeclarations = NO_OTHERS,
  tenantDefaultRoles: readonly string[] | null = null,
): ApplyPlan {
  const declared = normaliseRoles(inputs.roleNames);
  if (inputs.mode === "set") {
    const needsMembership = inputs.tenantId !== null && !scope.member;
    if (
      needsMembership &&
      declared.length > 0 &&
      tenantDefaultRoles !== null &&
      without(tenantDefaultRoles, declared).length === 0
    ) {
      // Joining with v2 role/add gives the tenant's defaults plus the declared roles: exactly
      // the declared roles when the defaults are among them, in one atomic write.
      return { operations: [{ op: "addRoles", roles: declared }], grantedRoleNames: [], createsMembership: false };
    }
    const operations: Operation[] = needsMembership ? [{ op: "addTenant" }] : [];
    if (needsMembership || !sameRoles(declared, scope.roles)) operations.push({ op: "setRoles", roles: declared });
    return { operations, grantedRoleNames: [], createsMembership: needsMembership };
  }
  const missing = without(declared, scope.roles);
  const operations: Operation[] = missing.length > 0 ? [{ op: "addRoles", roles: missing }] : [];
  let kept = intersect(intersect(declared, scope.roles), [...others.owned]);
  if (previous?.mode === "set") {
    // Switching from set to add: the roles it asserted so far become its own grants.
    kept = intersect(declared, scope.roles);
  } else if (previous) {
    kept = [...kept, ...intersect(previous.grantedRoleNames, declared)];
    const dropped = without(intersect(previous.grantedRoleNames, scope.roles), [...declared, ...others.asserted]);
    if (dropped.length > 0 && scope.member && !others.inDoubt) operations.push({ op: "removeRoles", roles: dropped });
  }
  return { operations, grantedRoleNames: normaliseRoles([...kept, ...missing]), createsMembership: false };
}

/** What the other declarations of one user and scope assert and own (see {@link planApply}). */
export interface OtherDeclarations {
  /** How many other declarations there are; 0 when none is known. */
  count: number;
  /** The roles they declare. */
  asserted: ReadonlySet<string>;
  /** The roles they own: a set declaration's roles, an add declaration's own grants. */
  owned: ReadonlySet<string>;
  /** True when one of them is an add declaration whose create made the tenant membership. */
  membershipOwned: boolean;
  /**
   * True when what others assert cannot be known (the stack's record could not be read, or a
   * peer's roles are a secret this process cannot read): keep every role and the membership.
   */
  inDoubt: boolean;
  /** The URNs of peers known only from the stack's record (not seen in this run). */
  recorded: string[];
}

/** No other declaration. */
export const NO_OTHERS: OtherDeclarations = {
  count: 0,
  asserted: new Set(),
  owned: new Set(),
  membershipOwned: false,
  inDoubt: false,
  recorded: [],
};

/** What delete needs to know. */
export interface DeleteInput {
  mode: Mode;
  tenantId: string | null;
  roleNames: string[];
  grantedRoleNames: string[];
  /** Mode add: the resource's create made the tenant membership. */
  createdMembership: boolean;
  /** The declarations of this user and scope still in the program or the stack's record. */
  others: OtherDeclarations;
  /** The tenant's default roles, when known (needed to undo a membership an add made). */
  tenantDefaultRoles: readonly string[] | null;
}

/**
 * Plans delete for the scope as the API returned it: set + tenant leaves the tenant, set +
 * project removes the declared roles, add removes its own grants (and leaves a tenant its
 * create joined, when nothing but the tenant's default roles would be left). Roles another
 * declaration still asserts stay, and so does the membership they need. In doubt (what others
 * assert cannot be known) nothing is removed.
 */
export function planDelete(input: DeleteInput, scope: ScopeView): Operation[] {
  if (!scope.member || input.others.inDoubt) return [];
  const alone = input.tenantId !== null && input.others.count === 0;
  if (input.mode === "set" && alone) return [{ op: "removeTenant" }];
  const own = input.mode === "set" ? input.roleNames : input.grantedRoleNames;
  const roles = intersect(without(own, input.others.asserted), scope.roles);
  if (input.mode === "add" && alone && input.createdMembership && input.tenantDefaultRoles !== null) {
    const left = without(scope.roles, roles);
    if (without(left, input.tenantDefaultRoles).length === 0) return [{ op: "removeTenant" }];
  }
  return roles.length > 0 ? [{ op: "removeRoles", roles }] : [];
}

/** True when a delete of an add declaration may leave the tenant (so the tenant's defaults are needed). */
export function mayUndoMembership(input: Omit<DeleteInput, "tenantDefaultRoles">): boolean {
  return (
    input.mode === "add" &&
    input.createdMembership &&
    input.tenantId !== null &&
    input.others.count === 0 &&
    !input.others.inDoubt
  );
}

/** The diff the engine gets: `changes`, the properties whose change replaces, and which changed. */
export interface DiffPlan {
  changes: boolean;
  replaces: string[];
  /** The input properties that differ (declared, or live when `drift`). */
  changedKeys: string[];
  /** True when the roles differ only from what the scope held at the last refresh. */
  drift: boolean;
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
  const rolesChanged = !sameRoles(declared, normaliseRoles(olds.roleNames ?? []));
  const liveDiffers =
    news.mode === "set"
      ? !sameRoles(declared, live)
      : without(declared, live).length > 0 || without(olds.grantedRoleNames ?? [], declared).length > 0;
  const changedKeys = [
    ...((olds.tenantId ?? null) !== news.tenantId ? ["tenantId"] : []),
    ...(olds.loginId !== news.loginId ? ["loginId"] : []),
    ...(olds.mode !== news.mode ? ["mode"] : []),
    ...(rolesChanged || liveDiffers ? ["roleNames"] : []),
  ];
  return { changes: changedKeys.length > 0, replaces, changedKeys, drift: liveDiffers && !rolesChanged };
}

function sameRoles(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i]);
}
