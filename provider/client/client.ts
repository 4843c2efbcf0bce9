/**
 * `DescopeClient`: thin typed wrappers over the Descope Management API endpoints the provider
 * uses, with rate limiting, per-request timeouts, retries and a per-operation deadline.
 *
 * Why not undici's `RetryAgent`/`RetryHandler`: it retries below the response, so (1) a retry
 * would skip our per-project limiter, which must count every attempt; (2) it has no jitter
 * and no per-operation deadline (its `maxTimeout` caps one wait, not the whole call);
 * (3) when it gives up it throws `RequestRetryError` without the final body, losing Descope's
 * `errorCode`/`errorDescription` that our messages must carry; (4) its default skips POST.
 * So `call` is a small loop around the PURE `decideRetry` (retry.ts) and one undici request
 * per attempt (transport.ts).
 *
 * Knows nothing of Pulumi; every setting comes in through the constructor.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Dispatcher } from "undici";
import { z } from "zod";
import {
  DescopeBadResponseError,
  DescopeConfigError,
  DescopeTimeoutError,
  isDescopeError,
  type DescopeApiError,
  type DescopeCallContext,
} from "../errors";
import { normalizeBaseUrl } from "../settings";
import { errorForAttempt, excerptOf } from "./failures";
import { OperationDeadline } from "./deadline";
import { limiterFor, resetLimiters, type RateLimit, type RateLimiter } from "./limiter";
import type { DescopeOperation } from "./paths";
import { roleBody, shapeRequest, userScope, type CallRequest } from "./shape";
import {
  describeIssues, rolesResponseSchema, tenantResponseSchema, tenantsResponseSchema, userPageSchema, userResponseSchema, usersResponseSchema,
  type DescopeRole, type DescopeTenant, type DescopeUser, type DescopeUserPage,
} from "./responses";
import { decideRetry, defaultRetryPolicy, type RetryPolicy } from "./retry";
import { fetchLicenseTier, resetLicenseCache, type LicenseFetch } from "./license";
import { sendAttempt, type AttemptResult } from "./transport";

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
  /** Deadline of one operation (all attempts, waits and limiter queueing), in ms. @default 60000 */
  operationDeadlineMs?: number;
  /** Retry tunables. @default { maxAttempts: 5, baseDelayMs: 250, maxDelayMs: 8000, maxRetryAfterMs: 60000, jitter: "equal" } */
  retry?: Partial<RetryPolicy>;
  /** Client-side budget, shared per project in the process. @default { requests: 400, perSeconds: 60 } */
  rateLimit?: RateLimit;
  /** A limiter to use instead of the shared one (tests). */
  limiter?: RateLimiter;
  /** undici dispatcher; the global one when absent. */
  dispatcher?: Dispatcher;
  /** Randomness for jitter, in [0, 1). @default Math.random */
  random?: () => number;
}

/** Management API client for one project. Methods throw only `DescopeError` subclasses. */
export class DescopeClient {
  /** The project this client talks to. */
  readonly projectId: string;
  /** Base URL without a trailing slash. */
  readonly baseUrl: string;
  private readonly requestTimeoutMs: number;
  private readonly operationDeadlineMs: number;
  private readonly policy: RetryPolicy;
  private readonly limiter: RateLimiter;
  private readonly dispatcher?: Dispatcher;
  private readonly random: () => number;
  private readonly userSchema = userResponseSchema();
  private readonly tenantSchema = tenantResponseSchema();
  private readonly tenantsSchema = tenantsResponseSchema();
  private readonly rolesSchema = rolesResponseSchema();
  private readonly userPageSchema = userPageSchema();
  private readonly usersSchema = usersResponseSchema();
  private declare readonly authorization: string;
  private declare readonly secrets: readonly string[];

  /** @throws DescopeConfigError on a missing project ID or key, or a bad base URL. */
  constructor(options: DescopeClientOptions) {
    if (!options.projectId) throw new DescopeConfigError("descope:projectId", "missing Descope project ID: set the stack config descope:projectId or the environment variable DESCOPE_PROJECT_ID");
    if (!options.managementKey) throw new DescopeConfigError("descope:managementKey", "missing Descope management key: set the stack config descope:managementKey or the environment variable DESCOPE_MANAGEMENT_KEY");
    this.projectId = options.projectId;
    this.baseUrl = normalizeBaseUrl(options.baseUrl);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.operationDeadlineMs = options.operationDeadlineMs ?? 60_000;
    this.policy = { ...defaultRetryPolicy(), ...options.retry };
    this.limiter = options.limiter ?? limiterFor(options.projectId, options.rateLimit);
    this.dispatcher = options.dispatcher;
    this.random = options.random ?? Math.random;
    // Non-enumerable, so neither the key nor the header shows up when the client is logged or serialized.
    const authorization = `Bearer ${options.projectId}:${options.managementKey}`;
    Object.defineProperty(this, "authorization", { value: authorization, enumerable: false });
    Object.defineProperty(this, "secrets", { value: [authorization, options.managementKey], enumerable: false });
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
    return this.call("setRoles", { body: roleBody(loginId, roleNames, tenantId) }, userScope(loginId, tenantId), this.userSchema);
  }

  /** Adds roles (v2: joins the tenant first when the user is not a member). */
  addRoles(loginId: string, roleNames: readonly string[], tenantId?: string): Promise<DescopeUser> {
    return this.call("addRoles", { body: roleBody(loginId, roleNames, tenantId) }, userScope(loginId, tenantId), this.userSchema);
  }

  /** Removes roles from the tenant, or at project level without `tenantId`. */
  removeRoles(loginId: string, roleNames: readonly string[], tenantId?: string): Promise<DescopeUser> {
    return this.call("removeRoles", { body: roleBody(loginId, roleNames, tenantId) }, userScope(loginId, tenantId), this.userSchema);
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

  /** The rate-limit tier from the license handshake (once per process per project and base URL), or `undefined`. */
  licenseTier(): Promise<string | undefined> {
    const fetch: LicenseFetch = async () => {
      const release = await this.limiter.acquire();
      const shaped = shapeRequest(this.baseUrl, "license", {}, this.authorization);
      const never = new AbortController().signal; // the handshake has its request timeout only
      return sendAttempt({ ...shaped, timeoutMs: this.requestTimeoutMs, deadline: never, dispatcher: this.dispatcher }).finally(release);
    };
    return fetchLicenseTier(`${this.projectId}\u0000${this.baseUrl}`, fetch);
  }

  /** Runs one operation: handshake, then limiter → attempt → decideRetry → sleep, under the deadline. */
  private async call<T>(
    operation: DescopeOperation,
    req: CallRequest,
    context: Omit<DescopeCallContext, "operation">,
    schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  ): Promise<T> {
    const ctx: DescopeCallContext = { operation, ...context };
    const deadline = new OperationDeadline(this.operationDeadlineMs);
    let attempts = 0;
    try {
      const tier = await untilAborted(this.licenseTier(), deadline.signal);
      const shaped = shapeRequest(this.baseUrl, operation, req, this.authorization, tier);
      const send = { ...shaped, timeoutMs: this.requestTimeoutMs, deadline: deadline.signal, dispatcher: this.dispatcher };
      for (;;) {
        deadline.pause(); // queueing for the client-side budget is pacing, not slowness: it does not count
        const release = await this.limiter.acquire();
        deadline.resume();
        const result = await sendAttempt(send).finally(release); // the token's window starts when the call ends
        attempts++;
        if (result.kind === "response" && result.status >= 200 && result.status < 300) {
          return this.parse(result.text, result.status, schema, { ...ctx, attempts });
        }
        const decision =
          result.kind === "failure" && result.timedOutBy === "deadline"
            ? ({ retry: false, reason: "deadline" } as const)
            : decideRetry({ ...retryFacts(result), attempt: attempts - 1, elapsedMs: deadline.elapsedMs(), deadlineMs: this.operationDeadlineMs, nowMs: Date.now(), policy: this.policy, random: this.random });
        if (!decision.retry) throw this.failure(result, decision.reason, { ...ctx, attempts });
        await sleep(decision.delayMs, undefined, { signal: deadline.signal });
      }
    } catch (err) {
      // Only the deadline aborts the handshake wait, an attempt or the sleep.
      if (!isDescopeError(err) && deadline.signal.aborted) {
        throw new DescopeTimeoutError({ ...ctx, attempts }, "deadline", this.operationDeadlineMs);
      }
      throw err;
    } finally {
      deadline.clear();
    }
  }

  private failure(result: AttemptResult, reason: "not-retryable" | "attempts-exhausted" | "deadline", ctx: DescopeCallContext) {
    const limits = { requestTimeoutMs: this.requestTimeoutMs, operationDeadlineMs: this.operationDeadlineMs };
    return errorForAttempt(result, reason, ctx, limits, this.secrets, Date.now());
  }

  private parse<T>(text: string, status: number, schema: z.ZodType<T, z.ZodTypeDef, unknown>, ctx: DescopeCallContext): T {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new DescopeBadResponseError(ctx, status, "body is not JSON", excerptOf(text, this.secrets));
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new DescopeBadResponseError(ctx, status, `unexpected body shape (${describeIssues(parsed.error)})`, excerptOf(text, this.secrets));
    }
    return parsed.data;
  }
}

/** Forgets the process-wide license tiers and limiters (for tests). */
export function resetClientState(): void {
  resetLicenseCache();
  resetLimiters();
}

function retryFacts(result: AttemptResult) {
  return result.kind === "response"
    ? { status: result.status, retryAfterHeader: result.retryAfter }
    : { failure: result.failure };
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

/** Waits for `promise`, rejecting when `signal` aborts first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
