/**
 * Who asserts what in one user and scope: the declarations the program registered in this
 * provider process (the engine calls check, and diff for existing resources), merged with what
 * the stack recorded for every other assignment at its last deployment (stack-record.ts).
 * Keyed by URN (type chain and name), so two components' children of one name stay apart.
 *
 * A declaration seen in this run wins over its record; a record stands for a resource this run
 * has not seen (a targeted run, a late registration, `destroy`), so a delete or an update never
 * takes away what such a resource asserted. Resources deleted in this process no longer count.
 */
import type { Mode, OtherDeclarations } from "./plan";
import { NO_OTHERS } from "./plan";
import { hideSecretValues } from "./secret-text";
import type { RecordedAssignment, StackRecord } from "./stack-record";

/** One resource's declaration, keyed by its URN. */
export interface Declaration {
  /** The resource URN (or, for a program that gives none, a key of its name or inputs). */
  urn: string;
  /** The resource name, for messages. */
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

/** A peer as the rules need it: from this run, or from the stack's record. */
interface Peer {
  urn: string;
  name: string;
  loginId: string;
  tenantId: string | null;
  /** undefined: a secret this process cannot read (it may assert anything). */
  roleNames: string[] | undefined;
  mode: Mode;
  grantedRoleNames: string[];
  ownsMembership: boolean;
  hidden: string[];
  recorded: boolean;
}

/** Which peers count (see {@link DeclarationRegistry.others}). */
export interface PeerQuery {
  /** The asking resource's URN: neither its declaration nor its record is a peer. */
  self?: string;
  /** Delete: a declaration of the same URN in this run is the replacement, a peer. */
  replacementCounts?: boolean;
  /** The stack's record, when loaded. */
  record?: StackRecord;
}

/** The last segment of a URN (the resource name). */
export function nameOfUrn(urn: string): string {
  return urn.includes("::") ? urn.slice(urn.lastIndexOf("::") + 2) : urn;
}

/** Every declaration of this deployment, by URN, and the resources this process deleted. */
export class DeclarationRegistry {
  private readonly byUrn = new Map<string, Declaration>();
  /** The resolved declarations by user and scope: every resource consults its peers. */
  private readonly byUserScope = new Map<string, Set<Declaration>>();
  /** URNs whose delete this process has started (their records no longer assert anything). */
  private readonly deleting = new Set<string>();
  /** What deletes kept for a recorded peer, by the peer's URN: its own delete in this process removes it. */
  private readonly handed = new Map<string, { roles: Set<string>; membership: boolean }>();

  /** Records (or replaces) a declaration; the userId is kept when the user and scope stay. */
  declare(d: Omit<Declaration, "userId" | "grantedRoleNames" | "ownsMembership">): void {
    const before = this.byUrn.get(d.urn);
    const same = before && before.loginId === d.loginId && before.tenantId === d.tenantId;
    if (before) this.unindex(before);
    const declared: Declaration = {
      ...d,
      userId: same ? before.userId : undefined,
      grantedRoleNames: same ? before.grantedRoleNames : [],
      ownsMembership: same ? before.ownsMembership : false,
    };
    this.byUrn.set(d.urn, declared);
    this.index(declared);
  }

  /** Sets the user a declaration names and, when known, what its resource owns. */
  resolve(urn: string, userId: string, owns?: { grantedRoleNames: readonly string[]; membership: boolean }): void {
    const d = this.byUrn.get(urn);
    if (!d) return;
    this.unindex(d);
    d.userId = userId;
    this.index(d);
    if (owns) {
      d.grantedRoleNames = [...owns.grantedRoleNames];
      d.ownsMembership = owns.membership;
    }
  }

  /** Notes that the resource `urn` is being deleted by this process (its record stops counting), or no longer. */
  markDeleting(urn: string, deleting = true): void {
    if (deleting) this.deleting.add(urn);
    else this.deleting.delete(urn);
  }

  /**
   * Hands what a delete kept (roles, the membership) to the recorded peers it kept them for, so
   * that the last of those deleted in this process removes them as its own.
   */
  handOver(urns: readonly string[], kept: { roles: readonly string[]; membership: boolean }): void {
    for (const urn of urns) {
      const h = this.handed.get(urn) ?? { roles: new Set<string>(), membership: false };
      for (const r of kept.roles) h.roles.add(r);
      h.membership ||= kept.membership;
      this.handed.set(urn, h);
    }
  }

  /** What deletes in this process handed to `urn` (see {@link handOver}). */
  handedTo(urn: string): { roles: string[]; membership: boolean } {
    const h = this.handed.get(urn);
    return { roles: h ? [...h.roles].sort() : [], membership: h?.membership === true };
  }

  /** Whether this run has seen (checked or diffed) the resource `urn`. */
  seen(urn: string): boolean {
    return this.byUrn.has(urn);
  }

  /** The declarations whose user is not resolved yet, in `tenantId`'s scope. */
  unresolved(tenantId: string | null): Declaration[] {
    return [...this.byUrn.values()].filter((d) => d.userId === undefined && d.tenantId === tenantId);
  }

  /**
   * What the other declarations of `userId` in the scope assert and own: this run's, and the
   * records of resources this run has not seen. `inDoubt` when the record could not be read.
   */
  others(userId: string, tenantId: string | null, query: PeerQuery = {}): OtherDeclarations {
    const peers = this.peers(userId, tenantId, query);
    const inDoubt = query.record !== undefined && !query.record.readable;
    if (peers.length === 0) return inDoubt ? { ...NO_OTHERS, inDoubt } : NO_OTHERS;
    const asserted = new Set<string>();
    const owned = new Set<string>();
    let assertsUnknown = false;
    for (const p of peers) {
      if (p.roleNames === undefined) assertsUnknown = true;
      for (const r of p.roleNames ?? []) asserted.add(r);
      for (const r of p.mode === "set" ? (p.roleNames ?? []) : p.grantedRoleNames) owned.add(r);
    }
    return {
      count: peers.length,
      asserted,
      owned,
      membershipOwned: peers.some((p) => p.mode === "add" && p.ownsMembership),
      inDoubt: inDoubt || assertsUnknown,
      recorded: peers.filter((p) => p.recorded).map((p) => p.urn),
    };
  }

  /**
   * The reason `urn` contradicts another declaration of the same user and scope (this run's,
   * or a record this run has not seen), or undefined: two `set` declarations (for a record:
   * with other roles), or a `set` and an `add` whose roles are not all in the set's list.
   */
  contradiction(urn: string, record?: StackRecord): string | undefined {
    const d = this.byUrn.get(urn);
    if (!d || d.userId === undefined) return undefined;
    const self = toPeer(d);
    for (const other of this.peers(d.userId, d.tenantId, { self: urn, record })) {
      const reason = contradictionOf(self, other);
      if (reason) return hideSecretValues(reason, [...d.hidden, ...other.hidden]);
    }
    return undefined;
  }

  /** How many declarations this deployment registered. */
  get size(): number {
    return this.byUrn.size;
  }

  private peers(userId: string, tenantId: string | null, query: PeerQuery): Peer[] {
    const live = [...(this.byUserScope.get(scopeKey(userId, tenantId)) ?? [])]
      .filter((p) => query.replacementCounts || p.urn !== query.self)
      .map(toPeer);
    const record = query.record?.readable ? query.record.assignments : [];
    const recorded = record
      .filter((r) => r.userId === userId && r.tenantId === tenantId && r.urn !== query.self)
      .filter((r) => !this.byUrn.has(r.urn) && !this.deleting.has(r.urn))
      .map(recordedPeer);
    return [...live, ...recorded];
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

function toPeer(d: Declaration): Peer {
  const { urn, name, loginId, tenantId, roleNames, mode, grantedRoleNames, ownsMembership, hidden } = d;
  return { urn, name, loginId, tenantId, roleNames, mode, grantedRoleNames, ownsMembership, hidden, recorded: false };
}

function recordedPeer(r: RecordedAssignment): Peer {
  return {
    urn: r.urn,
    name: nameOfUrn(r.urn),
    loginId: r.userId,
    tenantId: r.tenantId,
    roleNames: r.roleNames,
    mode: r.mode,
    grantedRoleNames: r.grantedRoleNames,
    ownsMembership: r.createdMembership,
    hidden: [],
    recorded: true,
  };
}

/** Why `d` and `other` (one user, one scope) contradict each other, or undefined. */
function contradictionOf(d: Peer, other: Peer): string | undefined {
  const q = JSON.stringify;
  if (d.name === other.name) {
    // Two resources of one name (children of different components): only their URNs tell them apart.
    [d, other] = [
      { ...d, name: d.urn },
      { ...other, name: other.urn },
    ];
  }
  const where = d.tenantId === null ? "at project level" : `in tenant ${q(d.tenantId)}`;
  const who = `user ${q(d.loginId)}${other.loginId !== d.loginId ? ` (also named ${q(other.loginId)})` : ""}`;
  const head = `UserRoleAssignment ${q(d.name)} contradicts ${q(other.name)}`;
  const recordedNote = other.recorded
    ? ` (${q(other.name)} as the stack recorded it at its last deployment, not yet seen in this run: if it changes or goes in this run too, make that change first in a run of its own, or keep the two consistent in between)`
    : "";
  if (d.mode === "set" && other.mode === "set") {
    // A record with the same roles is a rename or a move in progress, never a conflict of intent.
    if (other.recorded && other.roleNames && d.roleNames && sameList(other.roleNames, d.roleNames)) return undefined;
    return `${head}: both set the roles of ${who} ${where} (mode "set" is authoritative: declare the roles once, or make one of them mode "add")${recordedNote}`;
  }
  const [set, add] = d.mode === "set" ? [d, other] : other.mode === "set" ? [other, d] : [undefined, undefined];
  if (!set || !add) return undefined; // add declarations may share roles
  if (set.roleNames === undefined || add.roleNames === undefined) return undefined;
  const outside = add.roleNames.filter((r) => !set.roleNames!.includes(r));
  if (outside.length === 0) return undefined;
  return `${head}: ${q(add.name)} adds ${outside.map((r) => q(r)).join(", ")} to ${who} ${where}, which ${q(set.name)} (mode "set") does not declare, so each update would take it away again; add the roles to ${q(set.name)}, or drop them from ${q(add.name)}${recordedNote}`;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i]);
}
