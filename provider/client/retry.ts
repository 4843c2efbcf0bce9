/**
 * PURE retry decisions for Management API calls: no I/O, no clock, no env. The caller passes
 * the time (`elapsedMs`, `nowMs`) and the randomness (`random`) in, so every row is a table test.
 *
 * Policy (README "Resilience"; docs/descope-api.md "Rate limits"): retries are bounded by time, not by count: the per-operation
 * deadline (5 minutes by default) is the bound, and no backoff sleep ends past it. 429 waits
 * `Retry-After` (up to 120 s; asked for longer, the call fails) and retries, and that wait does
 * not count against the deadline: it is the service's pacing, not slowness. 5xx, 408,
 * connection resets and request timeouts back off exponentially with jitter; every other 4xx
 * and every non-transport error never retries. All calls this client makes are idempotent
 * (role/set, v2 role/add, role/remove, tenant/add, tenant/remove, and loads), so POSTs retry
 * like GETs.
 *
 * First contact: until the client has had an answer (any HTTP status) from the base URL, a
 * refused connection, an unresolvable host or a request timeout is not retried: it is almost
 * always a wrong `descope:baseUrl`, and retrying it for the whole deadline only hides that.
 * Once the service has answered, the same failures are outages and retry like resets.
 */

/** Tunables of the retry policy; tests shrink the delays. */
export interface RetryPolicy {
  /** Attempts in total, including the first; tests bound it, the deadline does otherwise. @default Infinity */
  maxAttempts: number;
  /** Backoff base: the delay cap before attempt `n + 1` is `baseDelayMs * 2^n`. @default 250 */
  baseDelayMs: number;
  /** Upper bound of one backoff delay. @default 8000 */
  maxDelayMs: number;
  /** The longest `Retry-After` the client waits; a 429 asking for longer fails at once. @default 120000 */
  maxRetryAfterMs: number;
  /** `full`: uniform in [0, cap]; `equal`: uniform in [cap/2, cap] (never retries at once). @default "equal" */
  jitter: "full" | "equal";
}

/** The default {@link RetryPolicy}. */
export function defaultRetryPolicy(): RetryPolicy {
  return { maxAttempts: Infinity, baseDelayMs: 250, maxDelayMs: 8000, maxRetryAfterMs: 120_000, jitter: "equal" };
}

/**
 * A failure that happened before any HTTP status: `refused` (nothing listens: `ECONNREFUSED`),
 * `unresolved` (the host name does not resolve: `ENOTFOUND`, `EAI_AGAIN`), `reset` (the
 * connection dropped or the network is down), `timeout` (the request timeout fired), `other`
 * (anything else, e.g. a TLS error: never retried).
 */
export type TransportFailure = "refused" | "unresolved" | "reset" | "timeout" | "other";

/** What one failed attempt looked like, and where the operation stands. */
export interface RetryInput {
  /** 0-based index of the attempt that just failed. */
  attempt: number;
  /** HTTP status of the failed attempt, when there was a response. */
  status?: number;
  /** The transport failure, when there was no response. */
  failure?: TransportFailure;
  /** Whether the client has had any answer (an HTTP status, on any call) from the service before this failure. */
  answeredBefore: boolean;
  /** The raw `Retry-After` header of the response, if any (seconds or an HTTP date). */
  retryAfterHeader?: string;
  /** Milliseconds since the operation started. */
  elapsedMs: number;
  /** The operation deadline, in milliseconds since it started. */
  deadlineMs: number;
  /** Wall-clock time in epoch ms, used only to resolve an HTTP-date `Retry-After`. */
  nowMs: number;
  /** The policy. */
  policy: RetryPolicy;
  /** A number in [0, 1), e.g. `Math.random`. */
  random: () => number;
}

/** Why a retry is taken. */
export type RetryReason = "rate-limited" | "server-error" | "transport";
/**
 * Why retrying stops. `retry-after-too-long`: a 429 asked for a wait longer than
 * `maxRetryAfterMs`. `unreachable`: the service never answered this client, and the failure
 * says it is not there (refused, unresolvable, no answer in time): see {@link isUnreachable}.
 */
export type StopReason = "not-retryable" | "retry-after-too-long" | "attempts-exhausted" | "deadline" | "unreachable";

/**
 * The decision: sleep `delayMs` then retry, or give up. `pausesDeadline`: the sleep is the
 * service's `Retry-After` and must not count against the operation deadline.
 */
export type RetryDecision =
  { retry: true; delayMs: number; reason: RetryReason; pausesDeadline: boolean } | { retry: false; reason: StopReason };

/** Decides whether to retry a failed attempt, and after how long. */
export function decideRetry(input: RetryInput): RetryDecision {
  if (isUnreachable(input.failure, input.answeredBefore)) return { retry: false, reason: "unreachable" };
  const reason = classify(input.status, input.failure);
  if (reason === undefined) return { retry: false, reason: "not-retryable" };
  const asked = reason === "rate-limited" ? parseRetryAfter(input.retryAfterHeader, input.nowMs) : undefined;
  if (asked !== undefined && asked > input.policy.maxRetryAfterMs)
    return { retry: false, reason: "retry-after-too-long" };
  if (input.attempt + 1 >= input.policy.maxAttempts) return { retry: false, reason: "attempts-exhausted" };
  if (asked !== undefined) {
    // Plus up to one backoff base of jitter, so that callers told the same second do not all return at once.
    const spread = Math.round(input.policy.baseDelayMs * clampUnit(input.random()));
    return { retry: true, delayMs: asked + spread, reason, pausesDeadline: true };
  }
  const delayMs = backoffDelay(input);
  if (input.elapsedMs + delayMs >= input.deadlineMs) return { retry: false, reason: "deadline" };
  return { retry: true, delayMs, reason, pausesDeadline: false };
}

/** Which retry reason a failure has, or `undefined` when it must not be retried. */
export function classify(status: number | undefined, failure: TransportFailure | undefined): RetryReason | undefined {
  if (status !== undefined) {
    if (status === 429) return "rate-limited";
    if (status === 408 || (status >= 500 && status <= 599 && status !== 501)) return "server-error";
    return undefined;
  }
  return failure === undefined || failure === "other" ? undefined : "transport";
}

/**
 * True when a transport failure on first contact (no answer from the service yet) says the
 * base URL points at nothing: refused, unresolvable, or accepted but never answered.
 */
export function isUnreachable(failure: TransportFailure | undefined, answeredBefore: boolean): boolean {
  return !answeredBefore && (failure === "refused" || failure === "unresolved" || failure === "timeout");
}

/**
 * The delay a `Retry-After` value asks for, in ms, or `undefined` when absent or unreadable:
 * whole (or decimal) seconds, or an HTTP date relative to `nowMs` (a past date means 0).
 */
export function parseRetryAfter(header: string | undefined, nowMs: number): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  if (!/[a-z]/i.test(value)) return undefined; // an HTTP date names its month; "-1" is not a date
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Exponential backoff `baseDelayMs * 2^attempt`, capped at `maxDelayMs`, with jitter. */
export function backoffDelay(input: Pick<RetryInput, "attempt" | "policy" | "random">): number {
  const { baseDelayMs, maxDelayMs, jitter } = input.policy;
  const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(input.attempt, 30));
  const r = clampUnit(input.random());
  return Math.round(jitter === "full" ? cap * r : cap / 2 + (cap / 2) * r);
}

function clampUnit(r: number): number {
  return Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0;
}
