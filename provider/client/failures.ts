/**
 * Turns the last failed attempt of a call into the error class the caller sees. Everything
 * quoted from the wire is redacted of the credentials and squeezed onto one line first.
 */
import {
  DescopeApiError,
  DescopeBadResponseError,
  DescopeNetworkError,
  DescopeRateLimitedError,
  DescopeServiceUnavailableError,
  DescopeTimeoutError,
  describeBody,
  oneLine,
  redactSecrets,
  type DescopeCallContext,
  type DescopeError,
  type DescopeErrorBody,
} from "../errors";
import { errorBodySchema } from "./responses";
import { parseRetryAfter, type StopReason } from "./retry";
import type { AttemptResult } from "./transport";

/** The limits a call ran under, and where it went, for messages. */
export interface CallLimits {
  /** The base URL the client talks to (named when nothing answers there). */
  baseUrl: string;
  /** Per-request timeout in ms. */
  requestTimeoutMs: number;
  /** Per-operation deadline in ms. */
  operationDeadlineMs: number;
  /** The longest `Retry-After` the client waits, in ms. */
  maxRetryAfterMs: number;
}

/** The first characters of a body, redacted and on one line. */
export function excerptOf(text: string, secrets: readonly string[]): string {
  // Redact first: a cut through a secret would leave most of it unredacted.
  return oneLine(redactSecrets(text, secrets), 160);
}

/** `4 MiB`, `512 KiB` or `100 bytes`: a byte count for a message. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/**
 * True when `text` is a JSON object carrying at least one of Descope's error fields
 * (`errorCode`, `errorDescription`, `errorMessage`): an answer from Descope's API rather
 * than from a gateway or proxy in front of it.
 */
export function isDescopeErrorBody(text: string): boolean {
  const o = jsonObject(text);
  if (!o) return false;
  return ["errorCode", "errorDescription", "errorMessage"].some((k) => typeof o[k] === "string" && o[k] !== "");
}

/**
 * Reads a Descope error body, redacted; `undefined` when the text is not a JSON object
 * (a gateway page, an empty body). A JSON object without Descope's fields keeps an excerpt of
 * itself as the description.
 */
export function parseErrorBody(text: string, secrets: readonly string[]): DescopeErrorBody | undefined {
  const json = jsonObject(text);
  if (!json) return undefined;
  const parsed = errorBodySchema().safeParse(json);
  const body = parsed.success ? parsed.data : { errorCode: "", errorDescription: "", errorMessage: "" };
  if (!body.errorCode && !body.errorDescription && !body.errorMessage) body.errorDescription = text;
  return {
    errorCode: redactSecrets(body.errorCode, secrets),
    errorDescription: redactSecrets(body.errorDescription, secrets),
    errorMessage: redactSecrets(body.errorMessage, secrets),
  };
}

/**
 * The error for a call whose last attempt failed and will not be retried. `stop` is why
 * retrying stopped; a stop at the deadline is a {@link DescopeTimeoutError}, except for 429,
 * which stays a {@link DescopeRateLimitedError} (it says how long the service asked us to
 * wait), and a 5xx from something other than Descope's API, which stays a
 * {@link DescopeServiceUnavailableError}. A body over the cap is a {@link DescopeBadResponseError}.
 */
export function errorForAttempt(
  result: AttemptResult,
  stop: StopReason,
  ctx: DescopeCallContext,
  limits: CallLimits,
  secrets: readonly string[],
  nowMs: number,
): DescopeError {
  const atDeadline = stop === "deadline";
  const deadlineWhy = `retrying again would pass the ${limits.operationDeadlineMs} ms operation deadline`;
  if (result.kind === "oversize") {
    return new DescopeBadResponseError(
      ctx,
      result.status,
      `response body exceeds ${formatBytes(result.limitBytes)}`,
      "",
    );
  }
  if (result.kind === "failure") {
    if (result.timedOutBy === "deadline") return new DescopeTimeoutError(ctx, "deadline", limits.operationDeadlineMs);
    if (stop === "unreachable") return unreachableError(result, ctx, limits, secrets);
    const what =
      result.failure === "timeout" ? `request timeout (${limits.requestTimeoutMs} ms)` : `network error ${result.code}`;
    if (atDeadline) return new DescopeTimeoutError(ctx, "deadline", limits.operationDeadlineMs, what);
    if (result.failure === "timeout") return new DescopeTimeoutError(ctx, "request", limits.requestTimeoutMs);
    return new DescopeNetworkError(ctx, result.code, redactSecrets(result.detail, secrets));
  }
  const body = parseErrorBody(result.text, secrets);
  if (result.status === 429) {
    const ms = parseRetryAfter(result.retryAfter, nowMs);
    const seconds = ms === undefined ? undefined : Math.ceil(ms / 1000);
    const why =
      stop === "retry-after-too-long"
        ? `the service asked to wait ${seconds} s, longer than the ${Math.round(limits.maxRetryAfterMs / 1000)} s this client waits`
        : atDeadline
          ? `waiting again would pass the ${limits.operationDeadlineMs} ms operation deadline`
          : "retries exhausted";
    return new DescopeRateLimitedError(ctx, body ?? emptyBody(), seconds, why);
  }
  if (result.status >= 500 && result.status <= 599 && !isDescopeErrorBody(result.text)) {
    return new DescopeServiceUnavailableError(
      ctx,
      result.status,
      excerptOf(result.text, secrets),
      atDeadline ? deadlineWhy : undefined,
    );
  }
  if (atDeadline) {
    const last = `HTTP ${result.status}${body ? describeBody(body) : ""}`;
    return new DescopeTimeoutError(ctx, "deadline", limits.operationDeadlineMs, last);
  }
  if (!body) {
    const reason = result.text.trim() === "" ? "empty error body" : "error body is not JSON";
    return new DescopeBadResponseError(ctx, result.status, reason, excerptOf(result.text, secrets));
  }
  return new DescopeApiError(ctx, result.status, body);
}

/** The settings that name the base URL, as first-contact messages tell the user to check them. */
export const BASE_URL_SETTINGS = "descope:baseUrl / DESCOPE_BASE_URL";

/**
 * The error for a first contact that found nothing at the base URL (refused, unresolvable, or
 * no answer in time): it names the URL and the settings, since a typo there is the usual cause.
 */
function unreachableError(
  result: Extract<AttemptResult, { kind: "failure" }>,
  ctx: DescopeCallContext,
  limits: CallLimits,
  secrets: readonly string[],
): DescopeError {
  const url = limits.baseUrl;
  const found =
    result.failure === "refused"
      ? `nothing accepts connections at ${url}`
      : result.failure === "unresolved"
        ? `the host of ${url} does not resolve`
        : `${url} did not answer`;
  const hint = `${found}, and it has not answered this client before, so this was not retried: check ${BASE_URL_SETTINGS}`;
  if (result.failure === "timeout") {
    return new DescopeTimeoutError(ctx, "request", limits.requestTimeoutMs, undefined, hint);
  }
  return new DescopeNetworkError(ctx, result.code, redactSecrets(result.detail, secrets), hint);
}

function emptyBody(): DescopeErrorBody {
  return { errorCode: "", errorDescription: "", errorMessage: "" };
}

/** `text` parsed as a JSON object; undefined when it is not JSON, or JSON of another kind. */
function jsonObject(text: string): Record<string, unknown> | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  return json !== null && typeof json === "object" && !Array.isArray(json)
    ? (json as Record<string, unknown>)
    : undefined;
}
