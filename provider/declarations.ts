/**
 * The declarations registry: every `UserRoleAssignment` the program registered in this
 * deployment (the engine calls check, and diff for existing resources, for each of them before
 * it deletes anything removed from the program). Deletes consult it so that they never take
 * away a role or a membership a declaration still in the program asserts; check and diff
 * consult it to refuse contradicting declarations.
 */
import type { Mode, OtherDeclarations } from "./plan";
import { NO_OTHERS } from "./plan";
import { hideSecretValues } from "./secret-text";

/** One resource's declaration, keyed by its name. */
export interface Declaration {
  /** The resource name (or, for a program that gives none, a key of its inputs). */
  name: string;
  loginId: string;
  tenantId: string | null;
  roleNames: string[];
  mode: Mode;
  /** The user, once resolved (from the stored state, or by a load). */
  userId?: string;
  /** Mode add: the roles this declaration's resource granted itself (when known). */
  grantedRoleNames: string[];
  /** Secret values (of secret inputs) that messages must not print. */
  hidden: string[];
  /** Mode add: its create made the tenant membership (or shares that with another add). */
  ownsMembership: boolean;
}

/** Every declaration of this deployment, by resource name. */
export class DeclarationRegistry {
  private readonly byName = new Map<string, Declaration>();
  /** The resolved declarations by user and scope: every resource consults its peers. */
  private readonly byUserScope = new Map<string, Set<Declaration>>();

  /** Records (or replaces) a declaration; the userId is kept when the user and scope stay. */
  declare(d: Omit<Declaration, "userId" | "grantedRoleNames" | "ownsMembership">): void {
    const before = this.byName.get(d.name);
    const same = before && before.loginId === d.loginId && before.tenantId === d.tenantId;
    if (before) this.unindex(before);
    const declared: Declaration = {
      ...d,
      userId: same ? before.userId : undefined,
      grantedRoleNames: same ? before.grantedRoleNames : [],
      ownsMembership: same ? before.ownsMembership : false,
    };
    this.byName.set(d.name, declared);
    this.index(declared);
  }

  /** Sets the user a declaration names and, when known, what its resource owns. */
  resolve(name: string, userId: string, owns?: { grantedRoleNames: readonly string[]; membership: boolean }): void {
    const d = this.byName.get(name);
    if (!d) return;
    this.unindex(d);
    d.userId = userId;
    this.index(d);
    if (owns) {
      d.grantedRoleNames = [...owns.grantedRoleNames];
      d.ownsMembership = owns.membership;
    }
  }

  /** The declarations whose user is not resolved yet, in `tenantId`'s scope. */
  unresolved(tenantId: string | null): Declaration[] {
    return [...this.byName.values()].filter((d) => d.userId === undefined && d.tenantId === tenantId);
  }

  /** What the declarations of `userId` in the scope, other than `exceptName`, assert and own. */
  others(userId: string, tenantId: string | null, exceptName?: string): OtherDeclarations {
    const peers = this.peers(userId, tenantId, exceptName);
    if (peers.length === 0) return NO_OTHERS;
    const asserted = new Set<string>();
    const owned = new Set<string>();
    for (const p of peers) {
      for (const r of p.roleNames) asserted.add(r);
      for (const r of p.mode === "set" ? p.roleNames : p.grantedRoleNames) owned.add(r);
    }
    return {
      count: peers.length,
      asserted,
      owned,
      membershipOwned: peers.some((p) => p.mode === "add" && p.ownsMembership),
    };
  }

  /**
   * The reason `name` contradicts another declaration of the same user and scope, or
   * undefined: two `set` declarations, or a `set` and an `add` whose roles are not all in the
   * set's list.
   */
  contradiction(name: string): string | undefined {
    const d = this.byName.get(name);
    if (!d || d.userId === undefined) return undefined;
    for (const other of this.peers(d.userId, d.tenantId, name)) {
      const reason = contradictionOf(d, other);
      if (reason) return hideSecretValues(reason, [...d.hidden, ...other.hidden]);
    }
    return undefined;
  }

  /** How many declarations this deployment registered. */
  get size(): number {
    return this.byName.size;
  }

  private peers(userId: string, tenantId: string | null, exceptName?: string): Declaration[] {
    const same = this.byUserScope.get(scopeKey(userId, tenantId));
    return same ? [...same].filter((p) => p.name !== exceptName) : [];
  }

  private index(d: Declaration): void {
    if (d.userId === undefined) return;
    const key = scopeKey(d.userId, d.tenantId);
    const same = this.byUserScope.get(key) ?? new Set<Declaration>();
    this.byUserScope.set(key, same.add(d));
  }

  private unindex(d: Declaration): void {
    if (d.userId === undefined) return;
    const key = scopeKey(d.userId, d.tenantId);
    const same = this.byUserScope.get(key);
    if (same?.delete(d) && same.size === 0) this.byUserScope.delete(key);
  }
}

/** The index key of a user in a scope (project scope: null, never a tenant ID). */
function scopeKey(userId: string, tenantId: string | null): string {
  return JSON.stringify([userId, tenantId]);
}

/** Why `d` and `other` (one user, one scope) contradict each other, or undefined. */
function contradictionOf(d: Declaration, other: Declaration): string | undefined {
  const q = JSON.stringify;
  const where = d.tenantId === null ? "at project level" : `in tenant ${q(d.tenantId)}`;
  const who = `user ${q(d.loginId)}${other.loginId !== d.loginId ? ` (also named ${q(other.loginId)})` : ""}`;
  const head = `UserRoleAssignment ${q(d.name)} contradicts ${q(other.name)}`;
  if (d.mode === "set" && other.mode === "set") {
    return `${head}: both set the roles of ${who} ${where} (mode "set" is authoritative: declare the roles once, or make one of them mode "add")`;
  }
  const [set, add] = d.mode === "set" ? [d, other] : other.mode === "set" ? [other, d] : [undefined, undefined];
  if (!set || !add) return undefined; // add declarations may share roles
  const outside = add.roleNames.filter((r) => !set.roleNames.includes(r));
  if (outside.length === 0) return undefined;
  return `${head}: ${q(add.name)} adds ${outside.map((r) => q(r)).join(", ")} to ${who} ${where}, which ${q(set.name)} (mode "set") does not declare, so each update would take it away again; add the roles to ${q(set.name)}, or drop them from ${q(add.name)}`;
}
