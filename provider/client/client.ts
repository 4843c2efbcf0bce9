/**
 * `DescopeClient`: thin typed wrappers over the Descope Management API endpoints the provider
 * uses. Rate limiting, timeouts, retries and the per-operation deadline live in `call.ts`.
 *
 * Knows nothing of Pulumi; every setting comes in through the constructor.
 */
import type { Dispatcher } from "undici";
import type { z } from "zod";
import { DescopeConfigError, isDescopeError, type DescopeApiError, type DescopeCallContext } from "../errors";
import { DEFAULT_OPERATION_TIMEOUT_SECONDS, normalizeBaseUrl } from "../settings";
import { Caller } from "./call";
import { resetLicenseCache } from "./license";
import { limiterFor, resetLimiters, type Limiter, type RateLimit } from "./limiter";
import type { DescopeOperation } from "./paths";
import { roleBody, userScope, type CallRequest } from "./shape";
import {
  rolesResponseSchema,
  tenantResponseSchema,
  tenantsResponseSchema,
  userPageSchema,
  userResponseSchema,
  usersResponseSchema,
  type DescopeRole,
  type DescopeTenant,
  type DescopeUser,
  type DescopeUserPage,
} from "./responses";
import { defaultProgressOptions, type ProgressOptions } from "./progress";
import { defaultRetryPolicy, type RetryPolicy } from "./retry";
import { DEFAULT_MAX_RESPONSE_BYTES } from "./transport";

export type { DescopeRole, DescopeTenant, DescopeUser, DescopeUserPage, DescopeUserTenant } from "./responses";

/** The filter and page of {@link DescopeClient.searchUsers}. */
export interface UserSearch {
  /** Users with any of these login IDs. */
  loginIds?: string[];
  /** Users with any of these user IDs. */
  userIds?: string[];
  /** Users in any of these tenants. */
  tenantIds?: string[];
  /** Include test users. @default false */
  withTestUser?: boolean;
  /** Page size, at most 100. @default 100 */
  limit?: number;
  /** 0-based page. @default 0 */
  page?: number;
}

/** Options of {@link DescopeClient}. */
export interface DescopeClientOptions {
  /** Descope project ID. */
  projectId: string;
  /** Management key; kept in a non-enumerable field and never put in a message. */
  managementKey: string;
  /** Base URL (https, or http on loopback), e.g. from `resolveSettings`. */
  baseUrl: string;
  /** Timeout of one HTTP attempt, in ms. @default 10000 */
  requestTimeoutMs?: number;
  /**
   * Deadline of one operation, in ms: retries stop when the next backoff would pass it. Time
   * queued for the client-side budget or waiting a 429's `Retry-After` does not count.
   * @default 300000 (`DEFAULT_OPERATION_TIMEOUT_SECONDS`)
   */
  operationDeadlineMs?: number;
  /** Retry tunables. @default { maxAttempts: Infinity, baseDelayMs: 250, maxDelayMs: 8000, maxRetryAfterMs: 120000, jitter: "equal" } */
  retry?: Partial<RetryPolicy>;
  /** Client-side budget per project. @default { requests: 400, perSeconds: 60 } (`DEFAULT_REQUESTS_PER_MINUTE`) */
  rateLimit?: RateLimit;
  /**
   * Directory of the budget's state file, to share the budget with the other processes of this
   * machine that use it (`resolveSettings` gives the user cache directory). Absent: the budget
   * is shared within this process only.
   */
  budgetDir?: string;
  /** A limiter to use instead of the shared one (tests). */
  limiter?: Limiter;
  /** The most bytes of a response body read; a longer body fails the call. @default 4 MiB */
  maxResponseBytes?: number;
  /** undici dispatcher; the global one when absent. */
  dispatcher?: Dispatcher;
  /** Randomness for jitter, in [0, 1). @default Math.random */
  random?: () => number;
  /**
   * Progress lines while a call waits: after `afterMs` of waiting (pacing excluded), then every
   * `everyMs`, `write` gets `descope: still waiting for <baseUrl> (N s) …`.
   * @default { afterMs: 5000, everyMs: 30000, write: a line on stderr }
   */
  progress?: Partial<ProgressOptions>;
}

/** Management API client for one project. Methods throw only `DescopeError` subclasses. */
export class DescopeClient {
  /** The project this client talks to. */
  readonly projectId: string;
  /** Base URL without a trailing slash. */
  readonly baseUrl: string;
  declare private readonly caller: Caller;
  private readonly userSchema = userResponseSchema();
  private readonly tenantSchema = tenantResponseSchema();
  private readonly tenantsSchema = tenantsResponseSchema();
  private readonly rolesSchema = rolesResponseSchema();
  private readonly userPageSchema = userPageSchema();
  private readonly usersSchema = usersResponseSchema();

  /** @throws DescopeConfigError on a missing project ID or key, or a bad base URL. */
  constructor(options: DescopeClientOptions) {
    if (!options.projectId)
      throw new DescopeConfigError(
        "descope:projectId",
        "missing Descope project ID: set the stack config descope:projectId or the environment variable DESCOPE_PROJECT_ID",
      );
    if (!options.managementKey)
      throw new DescopeConfigError(
        "descope:managementKey",
        "missing Descope management key: set the stack config descope:managementKey or the environment variable DESCOPE_MANAGEMENT_KEY",
      );
    this.projectId = options.projectId;
    this.baseUrl = normalizeBaseUrl(options.baseUrl);
    const shared = options.budgetDir ? { baseUrl: this.baseUrl, dir: options.budgetDir } : undefined;
    const authorization = `Bearer ${options.projectId}:${options.managementKey}`;
    const caller = new Caller({
      projectId: options.projectId,
      baseUrl: this.baseUrl,
      authorization,
      secrets: [authorization, options.managementKey],
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      operationDeadlineMs: options.operationDeadlineMs ?? DEFAULT_OPERATION_TIMEOUT_SECONDS * 1000,
      maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      policy: { ...defaultRetryPolicy(), ...options.retry },
      limiter: options.limiter ?? limiterFor(options.projectId, options.rateLimit, shared),
      dispatcher: options.dispatcher,
      random: options.random ?? Math.random,
      progress: { ...defaultProgressOptions(), ...options.progress },
    });
    // Non-enumerable, so the caller (which holds the credentials) stays out of logs and JSON.
    Object.defineProperty(this, "caller", { value: caller, enumerable: false });
  }

  /**
   * Loads a user by login ID or user ID; `null` when Descope answers 404 `E112102` (not found
   * is a value). Any other 404 (e.g. an unknown route behind a wrong base URL) throws, so a
   * misconfiguration can never look like a deleted user.
   */
  loadUser(loginIdOrUserId: string): Promise<DescopeUser | null> {
    const ctx = { loginId: loginIdOrUserId };
    const load = this.call("loadUser", { query: { loginId: loginIdOrUserId } }, ctx, this.userSchema);
    return orNull(load, (e) => e.status === 404 && e.errorCode === "E112102");
  }

  /**
   * Loads a user by user ID only (`?userId=`), so a login ID that happens to equal the ID can
   * never name another user; `null` when Descope answers 404 `E112102`.
   */
  loadUserById(userId: string): Promise<DescopeUser | null> {
    const load = this.call("loadUser", { query: { userId } }, { loginId: userId }, this.userSchema);
    return orNull(load, (e) => e.status === 404 && e.errorCode === "E112102");
  }

  /** Replaces the user's roles in the tenant, or at project level without `tenantId`. */
  setRoles(loginId: string, roleNames: readonly string[], tenantId?: string): Promise<DescopeUser> {
    return this.call(
      "setRoles",
      { body: roleBody(loginId, roleNames, tenantId) },
      userScope(loginId, tenantId),
      this.userSchema,
    );
  }

  /** Adds roles (v2: joins the tenant first when the user is not a member). */
  addRoles(loginId: string, roleNames: readonly string[], tenantId?: string): Promise<DescopeUser> {
    return this.call(
      "addRoles",
      { body: roleBody(loginId, roleNames, tenantId) },
      userScope(loginId, tenantId),
      this.userSchema,
    );
  }

  /** Removes roles from the tenant, or at project level without `tenantId`. */
  removeRoles(loginId: string, roleNames: readonly string[], tenantId?: string): Promise<DescopeUser> {
    return this.call(
      "removeRoles",
      { body: roleBody(loginId, roleNames, tenantId) },
      userScope(loginId, tenantId),
      this.userSchema,
    );
  }

  /** Makes the user a member of the tenant (a no-op for a member). */
  addTenant(loginId: string, tenantId: string): Promise<DescopeUser> {
    return this.call("addTenant", { body: { loginId, tenantId } }, { loginId, tenantId }, this.userSchema);
  }

  /** Removes the user from the tenant, with the roles held there. */
  removeTenant(loginId: string, tenantId: string): Promise<DescopeUser> {
    return this.call("removeTenant", { body: { loginId, tenantId } }, { loginId, tenantId }, this.userSchema);
  }

  /** Loads a tenant; `null` when Descope answers `E112202` (tenant not found; its status is undocumented). */
  loadTenant(id: string): Promise<DescopeTenant | null> {
    const load = this.call("loadTenant", { query: { id } }, { tenantId: id }, this.tenantSchema);
    return orNull(load, (e) => e.errorCode === "E112202");
  }

  /** Loads up to 100 users by user ID in one call; unknown IDs are left out of the answer. */
  loadUsers(userIds: readonly string[]): Promise<DescopeUser[]> {
    return this.call("loadUsers", { body: { userIds: [...userIds] } }, {}, this.usersSchema);
  }

  /** One page of users matching `search` (search results may lag behind writes by seconds). */
  searchUsers(search: UserSearch): Promise<DescopeUserPage> {
    const body = { ...search, limit: search.limit ?? 100, page: search.page ?? 0 };
    return this.call("searchUsers", { body }, {}, this.userPageSchema);
  }

  /** Every role of the project, project-level (`tenantId` `""`) and tenant-level. */
  loadAllRoles(): Promise<DescopeRole[]> {
    return this.call("loadAllRoles", {}, {}, this.rolesSchema);
  }

  /** Every tenant of the project, with its default roles. */
  loadAllTenants(): Promise<DescopeTenant[]> {
    return this.call("loadAllTenants", {}, {}, this.tenantsSchema);
  }

  /** The rate-limit tier from the license handshake (kept per process, project and base URL once it succeeded), or `undefined`. */
  licenseTier(): Promise<string | undefined> {
    return this.caller.licenseTier();
  }

  private call<T>(
    operation: DescopeOperation,
    req: CallRequest,
    context: Omit<DescopeCallContext, "operation">,
    schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  ): Promise<T> {
    return this.caller.call(operation, req, context, schema);
  }
}

/** Forgets the process-wide license tiers and limiters (for tests). */
export function resetClientState(): void {
  resetLicenseCache();
  resetLimiters();
}

/** Resolves to `null` when the call fails with an API error matching `notFound`. */
async function orNull<T>(call: Promise<T>, notFound: (e: DescopeApiError) => boolean): Promise<T | null> {
  try {
    return await call;
  } catch (err) {
    if (isDescopeError(err) && err.code === "ERR_DESCOPE_API" && notFound(err as DescopeApiError)) return null;
    throw err;
  }
}
