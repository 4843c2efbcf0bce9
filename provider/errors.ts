/**
 * Error classes thrown by the Descope client and the settings resolver.
 *
 * Every class carries a stable `code` (match on it, not on the class or the message) and a
 * one-line, self-contained message, because the Pulumi engine shows only the message. No
 * message, stack or field ever holds the management key: text that came from the wire is
 * passed through {@link redactSecrets} by the client before it reaches these constructors,
 * and every message is passed through it again here for any `Bearer` credential.
 */
import { quote } from "./quote";

/** The stable codes of {@link DescopeError} subclasses. */
export type DescopeErrorCode =
  | "ERR_DESCOPE_API"
  | "ERR_DESCOPE_RATE_LIMITED"
  | "ERR_DESCOPE_NETWORK"
  | "ERR_DESCOPE_TIMEOUT"
  | "ERR_DESCOPE_BAD_RESPONSE"
  | "ERR_DESCOPE_UNAVAILABLE"
  | "ERR_DESCOPE_CONFIG"
  | "ERR_DESCOPE_USER_NOT_FOUND"
  | "ERR_DESCOPE_USER_MISMATCH";

/** Who and what a failed call was about; every field is optional. */
export interface DescopeCallContext {
  /** Descope operation name, e.g. `setRoles` (the key of the client's path table). */
  operation: string;
  /** The login ID or user ID the call was about. */
  loginId?: string;
  /** The tenant the call was about; absent for project-level calls. */
  tenantId?: string;
  /** How many HTTP attempts were made before giving up. */
  attempts?: number;
}

/** The hint added to 401/403 messages. */
export const CREDENTIALS_HINT =
  "check descope:projectId / DESCOPE_PROJECT_ID and descope:managementKey / DESCOPE_MANAGEMENT_KEY";

const MAX_FIELD = 240;

/**
 * Replaces every occurrence of each secret, and any `Bearer <token>`, with `[REDACTED]`.
 * Secrets shorter than 4 characters are ignored (they would shred ordinary text).
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join("[REDACTED]");
  }
  return out.replace(/Bearer\s+[^\s"',;]+/gi, "Bearer [REDACTED]");
}

/** Squeezes text onto one line and caps its length, for quoting wire text in a message. */
export function oneLine(text: string, max = MAX_FIELD): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * `Descope setRoles for user "a" in tenant "t"`: the subject every client message starts with.
 * Each value is capped (`quote`), so a long one never pushes the status out of the message.
 */
export function describeCall(ctx: DescopeCallContext): string {
  let s = `Descope ${ctx.operation}`;
  if (ctx.loginId !== undefined) s += ` for user ${quote(ctx.loginId)}`;
  if (ctx.tenantId !== undefined) s += ` in tenant ${quote(ctx.tenantId)}`;
  return s;
}

function attemptsSuffix(attempts: number | undefined): string {
  return attempts && attempts > 1 ? ` after ${attempts} attempts` : "";
}

/** Base class of every error this package throws on purpose; `code` is stable. */
export abstract class DescopeError extends Error {
  /** The stable code of this kind of failure. */
  abstract readonly code: DescopeErrorCode;

  protected constructor(message: string) {
    super(oneLine(redactSecrets(message), 2000)); // redact before cutting, so no secret is cut in half
    this.name = new.target.name;
  }
}

/** An error about one Descope call: the operation and, when known, the user and tenant. */
export abstract class DescopeCallError extends DescopeError {
  /** Descope operation name, e.g. `setRoles`. */
  readonly operation: string;
  /** The user the call was about, if any. */
  readonly loginId?: string;
  /** The tenant the call was about, if any. */
  readonly tenantId?: string;

  protected constructor(ctx: DescopeCallContext, message: string) {
    super(message);
    this.operation = ctx.operation;
    if (ctx.loginId !== undefined) this.loginId = ctx.loginId;
    if (ctx.tenantId !== undefined) this.tenantId = ctx.tenantId;
  }
}

/** Fields of a Descope error body (`{ errorCode, errorDescription, errorMessage }`), redacted. */
export interface DescopeErrorBody {
  /** Descope's error code, e.g. `E011004`; empty when the body had none. */
  errorCode: string;
  /** Descope's short description of the error code; may be empty. */
  errorDescription: string;
  /** Descope's detail message; may be empty. */
  errorMessage: string;
}

/** The API answered with a non-2xx status and a Descope error body (code `ERR_DESCOPE_API`). */
export class DescopeApiError extends DescopeCallError {
  /** Always `ERR_DESCOPE_API`. */
  readonly code = "ERR_DESCOPE_API" as const;
  /** HTTP status of the last response. */
  readonly status: number;
  /** Descope `errorCode` (e.g. `E112102`), or `""`. */
  readonly errorCode: string;
  /** Descope `errorDescription`, or `""`. */
  readonly errorDescription: string;
  /** Descope `errorMessage`, or `""`. */
  readonly errorMessage: string;

  /** Builds the message from the call context, the status and the (already redacted) body. */
  constructor(ctx: DescopeCallContext, status: number, body: DescopeErrorBody) {
    const hint = status === 401 || status === 403 ? ` (${CREDENTIALS_HINT})` : "";
    super(
      ctx,
      `${describeCall(ctx)} failed: HTTP ${status}${describeBody(body)}${attemptsSuffix(ctx.attempts)}${hint}`,
    );
    this.status = status;
    this.errorCode = body.errorCode;
    this.errorDescription = body.errorDescription;
    this.errorMessage = body.errorMessage;
  }
}

/** `, errorCode E1, errorDescription "d", errorMessage "m"`, leaving out empty fields. */
export function describeBody(body: Partial<DescopeErrorBody>): string {
  let s = "";
  if (body.errorCode) s += `, errorCode ${oneLine(body.errorCode, 40)}`;
  if (body.errorDescription) s += `, errorDescription ${JSON.stringify(oneLine(body.errorDescription))}`;
  if (body.errorMessage) s += `, errorMessage ${JSON.stringify(oneLine(body.errorMessage))}`;
  return s;
}

/** Still answered 429 when the retries ran out (code `ERR_DESCOPE_RATE_LIMITED`). */
export class DescopeRateLimitedError extends DescopeCallError {
  /** Always `ERR_DESCOPE_RATE_LIMITED`. */
  readonly code = "ERR_DESCOPE_RATE_LIMITED" as const;
  /** Always 429. */
  readonly status = 429;
  /** The last `Retry-After` in seconds, when the service sent one. */
  readonly retryAfterSeconds?: number;
  /** Descope `errorCode` of the last 429 (usually `E130429`), or `""`. */
  readonly errorCode: string;

  /** `why` says why retrying stopped, e.g. "retries exhausted". */
  constructor(ctx: DescopeCallContext, body: DescopeErrorBody, retryAfterSeconds: number | undefined, why: string) {
    const after = retryAfterSeconds !== undefined ? `, Retry-After ${retryAfterSeconds}s` : "";
    super(
      ctx,
      `${describeCall(ctx)} was rate limited: HTTP 429${describeBody(body)}${after}; ${why}${attemptsSuffix(ctx.attempts)}`,
    );
    this.errorCode = body.errorCode;
    if (retryAfterSeconds !== undefined) this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The connection failed (refused, reset, DNS...) and retries ran out (code `ERR_DESCOPE_NETWORK`). */
export class DescopeNetworkError extends DescopeCallError {
  /** Always `ERR_DESCOPE_NETWORK`. */
  readonly code = "ERR_DESCOPE_NETWORK" as const;
  /** The low-level error code, e.g. `ECONNRESET` or `UND_ERR_SOCKET`. */
  readonly causeCode: string;

  /** `detail` is the low-level message (redacted by the caller); `hint` (optional) says what to check. */
  constructor(ctx: DescopeCallContext, causeCode: string, detail: string, hint?: string) {
    super(
      ctx,
      `${describeCall(ctx)} failed: network error ${causeCode} (${oneLine(detail)})${attemptsSuffix(ctx.attempts)}${hint ? `; ${hint}` : ""}`,
    );
    this.causeCode = causeCode;
  }
}

/** A request outlived its timeout, or an operation its deadline (code `ERR_DESCOPE_TIMEOUT`). */
export class DescopeTimeoutError extends DescopeCallError {
  /** Always `ERR_DESCOPE_TIMEOUT`. */
  readonly code = "ERR_DESCOPE_TIMEOUT" as const;
  /** `request`: one HTTP request timed out (after retries); `deadline`: the whole operation did. */
  readonly kind: "request" | "deadline";
  /** The limit that was hit, in milliseconds. */
  readonly timeoutMs: number;

  /**
   * `lastFailure` (optional) describes the failure before the deadline hit, e.g. "HTTP 503";
   * `hint` (optional) says what to check.
   */
  constructor(
    ctx: DescopeCallContext,
    kind: "request" | "deadline",
    timeoutMs: number,
    lastFailure?: string,
    hint?: string,
  ) {
    const what =
      kind === "request"
        ? `no response within the ${timeoutMs} ms request timeout`
        : `exceeded the ${timeoutMs} ms operation deadline`;
    const last = lastFailure ? `; last failure: ${lastFailure}` : "";
    super(
      ctx,
      `${describeCall(ctx)} timed out: ${what}${attemptsSuffix(ctx.attempts)}${last}${hint ? `; ${hint}` : ""}`,
    );
    this.kind = kind;
    this.timeoutMs = timeoutMs;
  }
}

/** A body that is not JSON, or JSON of the wrong shape (code `ERR_DESCOPE_BAD_RESPONSE`). */
export class DescopeBadResponseError extends DescopeCallError {
  /** Always `ERR_DESCOPE_BAD_RESPONSE`. */
  readonly code = "ERR_DESCOPE_BAD_RESPONSE" as const;
  /** HTTP status of the response. */
  readonly status: number;
  /** What was wrong, e.g. `body is not JSON` or `user.userId: Required`. */
  readonly reason: string;
  /** The start of the body (redacted, one line). */
  readonly excerpt: string;

  /** `excerpt` must already be redacted; it is cut to one short line here. */
  constructor(ctx: DescopeCallContext, status: number, reason: string, excerpt: string) {
    const short = oneLine(excerpt, 160);
    const hint = status === 401 || status === 403 ? ` (${CREDENTIALS_HINT})` : "";
    super(
      ctx,
      `${describeCall(ctx)} got a bad response: HTTP ${status}, ${reason}` +
        `${short ? `: ${JSON.stringify(short)}` : ""}${attemptsSuffix(ctx.attempts)}${hint}`,
    );
    this.status = status;
    this.reason = reason;
    this.excerpt = short;
  }
}

/**
 * A 5xx answered by something other than Descope's API, e.g. a gateway's HTML "503 Service
 * Temporarily Unavailable" page (code `ERR_DESCOPE_UNAVAILABLE`). Retried like any 5xx; this is
 * what is left when retrying stopped.
 */
export class DescopeServiceUnavailableError extends DescopeCallError {
  /** Always `ERR_DESCOPE_UNAVAILABLE`. */
  readonly code = "ERR_DESCOPE_UNAVAILABLE" as const;
  /** HTTP status of the last response. */
  readonly status: number;
  /** The start of the last body (redacted, one line); `""` when it was empty. */
  readonly excerpt: string;

  /** `excerpt` must already be redacted; `why` (optional) says why retrying stopped. */
  constructor(ctx: DescopeCallContext, status: number, excerpt: string, why?: string) {
    const short = oneLine(excerpt, 160);
    const body = short ? `not a Descope error body: ${JSON.stringify(short)}` : "empty body";
    super(
      ctx,
      `${describeCall(ctx)} failed: service unavailable (HTTP ${status}, ${body})${why ? `; ${why}` : ""}${attemptsSuffix(ctx.attempts)}`,
    );
    this.status = status;
    this.excerpt = short;
  }
}

/** A setting is missing or invalid (code `ERR_DESCOPE_CONFIG`). */
export class DescopeConfigError extends DescopeError {
  /** Always `ERR_DESCOPE_CONFIG`. */
  readonly code = "ERR_DESCOPE_CONFIG" as const;
  /** The stack config key concerned, e.g. `descope:baseUrl`. */
  readonly setting: string;

  /** `message` must name the config key and the environment variable. */
  constructor(setting: string, message: string) {
    super(message);
    this.setting = setting;
  }
}

/** True when `err` is a {@link DescopeError} (by its code, so it works across package copies). */
export function isDescopeError(err: unknown): err is DescopeError {
  const code = err instanceof Error ? (err as Error & { code?: unknown }).code : undefined;
  return typeof code === "string" && code.startsWith("ERR_DESCOPE_");
}

/**
 * Create or update names a user that does not exist (code `ERR_DESCOPE_USER_NOT_FOUND`).
 * Reading a missing user is a value, not this error.
 */
export class UserNotFoundError extends DescopeError {
  /** Always `ERR_DESCOPE_USER_NOT_FOUND`. */
  readonly code = "ERR_DESCOPE_USER_NOT_FOUND" as const;
  /** The loginId as declared. */
  readonly loginId: string;
  /** The tenant of the assignment, if any. */
  readonly tenantId?: string;

  /** `step` is the provider method, e.g. `create`. */
  constructor(step: string, loginId: string, tenantId: string | null) {
    const where = tenantId === null ? "project roles" : `roles in tenant ${quote(tenantId)}`;
    super(
      `UserRoleAssignment ${step}: Descope user ${quote(loginId)} not found (loginId is a login ID or user ID of an existing user); ${where} were not changed`,
    );
    this.loginId = loginId;
    if (tenantId !== null) this.tenantId = tenantId;
  }
}

/**
 * A write was answered with another user's object (code `ERR_DESCOPE_USER_MISMATCH`): the
 * change may have reached the wrong user, so nothing is recorded in state.
 */
export class UserMismatchError extends DescopeError {
  /** Always `ERR_DESCOPE_USER_MISMATCH`. */
  readonly code = "ERR_DESCOPE_USER_MISMATCH" as const;
  /** The userId the write was for. */
  readonly expectedUserId: string;
  /** The userId the answer carried. */
  readonly answeredUserId: string;

  /** `operation` is the Descope operation whose answer was wrong. */
  constructor(operation: string, expectedUserId: string, answeredUserId: string, tenantId: string | null) {
    const where = tenantId === null ? "at project level" : `in tenant ${quote(tenantId)}`;
    super(
      `Descope ${operation} for user ${quote(expectedUserId)} ${where} was answered with user ${quote(answeredUserId)}: the change may have reached the wrong user; nothing was recorded, check user ${quote(answeredUserId)} in the Descope console`,
    );
    this.expectedUserId = expectedUserId;
    this.answeredUserId = answeredUserId;
  }
}
