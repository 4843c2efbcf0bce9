/**
 * User handlers: load (by login ID or user ID), load many, search, create, create test user,
 * delete. Each takes the parsed request and answers the body of a 200, or throws an ApiError.
 */
import { invalidArgument, missingArgument, userNotFound } from "./errors";
import {
  findUser,
  generateId,
  renderUser,
  requireRoles,
  requireTenant,
  type Membership,
  type StateData,
  type UserRecord,
} from "./model";
import type { HandlerContext } from "./core";
import {
  dedupe,
  optionalBoolean,
  optionalCount,
  optionalObjectArray,
  optionalStringArray,
  requireString,
  requireStringArray,
  readProfile,
  type Body,
} from "./validate";

/** The user named by `loginId` (login ID or user ID) or `userId` (user ID only), or 404. */
function lookUp(state: StateData, source: Record<string, unknown>): UserRecord {
  const byUserId = source.loginId === undefined || source.loginId === null;
  const field = byUserId ? "userId" : "loginId";
  const id = requireString(source, field);
  const user = byUserId ? state.users.get(id) : findUser(state, id);
  if (!user) throw userNotFound(id);
  return user;
}

/** GET /v1/mgmt/user?loginId=… (or ?userId=…) → `{ user }`. */
export function loadUser({ query, store }: HandlerContext): unknown {
  if (query.loginId === undefined && query.userId === undefined) throw missingArgument("loginId");
  return store.read((state) => ({ user: renderUser(state, lookUp(state, query)) }));
}

/** POST /v1/mgmt/users/load `{ userIds }` → `{ users }`; unknown IDs are left out. */
export function loadUsers({ body, store }: HandlerContext): unknown {
  const userIds = dedupe(requireStringArray(body, "userIds"));
  optionalBoolean(body, "includeInvalidUsers");
  return store.read((state) => ({
    users: userIds.flatMap((id) => {
      const user = state.users.get(id);
      return user ? [renderUser(state, user)] : [];
    }),
  }));
}

interface SearchFilter {
  loginIds: string[];
  userIds: string[];
  tenantIds: string[];
  roleNames: string[];
  withTestUser: boolean;
  testUsersOnly: boolean;
}

function matches(user: UserRecord, f: SearchFilter): boolean {
  if (f.testUsersOnly && !user.test) return false;
  if (!f.testUsersOnly && !f.withTestUser && user.test) return false;
  if (f.loginIds.length && !user.loginIds.some((l) => f.loginIds.includes(l))) return false;
  if (f.userIds.length && !f.userIds.includes(user.userId)) return false;
  const tenants = f.tenantIds.length ? user.tenants.filter((m) => f.tenantIds.includes(m.tenantId)) : user.tenants;
  if (f.tenantIds.length && tenants.length === 0) return false;
  if (!f.roleNames.length) return true;
  const held = [...user.roleNames, ...tenants.flatMap((m) => m.roleNames)];
  return held.some((r) => f.roleNames.includes(r));
}

/**
 * POST /v2/mgmt/user/search → `{ users, total }`. Filters combine with AND; within one list
 * any value matches. Test users are left out unless `withTestUser` or `testUsersOnly`, as on
 * the real service.
 */
export function searchUsers({ body, store }: HandlerContext): unknown {
  const filter: SearchFilter = {
    loginIds: optionalStringArray(body, "loginIds"),
    userIds: optionalStringArray(body, "userIds"),
    tenantIds: optionalStringArray(body, "tenantIds"),
    roleNames: optionalStringArray(body, "roleNames"),
    withTestUser: optionalBoolean(body, "withTestUser"),
    testUsersOnly: optionalBoolean(body, "testUsersOnly"),
  };
  const limit = optionalCount(body, "limit", 100) || 100;
  const page = optionalCount(body, "page", 0);
  return store.read((state) => {
    const found = [...state.users.values()].filter((u) => matches(u, filter));
    const users = found.slice(page * limit, (page + 1) * limit).map((u) => renderUser(state, u));
    return { users, total: found.length };
  });
}

function parseMemberships(state: StateData, body: Body): Membership[] {
  const memberships: Membership[] = [];
  for (const entry of optionalObjectArray(body, "userTenants")) {
    const tenantId = requireString(entry, "tenantId");
    requireTenant(state, tenantId);
    const roleNames = dedupe(optionalStringArray(entry, "roleNames"));
    requireRoles(state, roleNames, tenantId);
    const existing = memberships.find((m) => m.tenantId === tenantId);
    if (existing) existing.roleNames = dedupe([...existing.roleNames, ...roleNames]);
    else memberships.push({ tenantId, roleNames });
  }
  return memberships;
}

function parseNewUser(state: StateData, body: Body, test: boolean, nowSeconds: number): UserRecord {
  const loginIds = dedupe([requireString(body, "loginId"), ...optionalStringArray(body, "additionalLoginIds")]);
  for (const loginId of loginIds) {
    if (loginId === "") throw invalidArgument("Login IDs must not be empty");
    if (findUser(state, loginId)) throw invalidArgument(`A user with login ID '${loginId}' already exists`);
  }
  const roleNames = dedupe(optionalStringArray(body, "roleNames"));
  requireRoles(state, roleNames, "");
  optionalBoolean(body, "test");
  return {
    userId: generateId("U"),
    loginIds,
    ...readProfile(body),
    roleNames,
    tenants: parseMemberships(state, body),
    status: "enabled",
    test,
    createdTime: nowSeconds,
  };
}

function create(ctx: HandlerContext, test: boolean): unknown {
  return ctx.store.transact((draft) => {
    const user = parseNewUser(draft, ctx.body, test, ctx.store.nowSeconds());
    draft.users.set(user.userId, user);
    return { user: renderUser(draft, user) };
  });
}

/** POST /v1/mgmt/user/create → `{ user }`. Tenant default roles are not applied here. */
export function createUser(ctx: HandlerContext): unknown {
  return create(ctx, false);
}

/** POST /v1/mgmt/user/create/test → `{ user }` with `test: true`. */
export function createTestUser(ctx: HandlerContext): unknown {
  return create(ctx, true);
}

/** POST /v1/mgmt/user/delete `{ loginId }` or `{ userId }` → `{}`; 404 when missing. */
export function deleteUser({ body, store }: HandlerContext): unknown {
  if ((body.loginId ?? body.userId ?? undefined) === undefined) throw missingArgument("loginId");
  return store.transact((draft) => {
    draft.users.delete(lookUp(draft, body).userId);
    return {};
  });
}
