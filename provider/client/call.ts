/**
 * The call loop of one Management API operation: the license handshake, then limiter →
 * attempt → `decideRetry` → sleep, under the per-operation deadline; and the parse of a 2xx body.
 *
 * Retries are bounded by the deadline, not by a count (README "Resilience"). The deadline is
 * paused while the operation only waits on pacing: queueing for the client-side budget, and
 * sleeping the `Retry-After` of a 429. Until the service has answered this client once, a
 * refused connection, an unresolvable host or a request timeout fails the call at once
 * (`decideRetry`'s first-contact rule), so a wrong base URL costs seconds, not the deadline.
 *
 * Why not undici's `RetryAgent`/`RetryHandler`: it retries below the response, so (1) a retry
 * would skip our per-project limiter, which must count every attempt; (2) it has no jitter
 * and no per-operation deadline (its `maxTimeout` caps one wait, not the whole call);
 * (3) when it gives up it throws `RequestRetryError` without the final body, losing Descope's
 * `errorCode`/`errorDescription` that our messages must carry; (4) its default skips POST.
 * So `call` is a small loop around the PURE `decideRetry` (retry.ts) and one undici request
 * per attempt (transport.ts).
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Dispatcher } from "undici";
import type { z } from "zod";
import { DescopeBadResponseError, DescopeTimeoutError, isDescopeError, type DescopeCallContext } from "../errors";
import { OperationDeadline } from "./deadline";
import { errorForAttempt, excerptOf } from "./failures";
import { WaitProgress, type ProgressOptions } from "./progress";
import { fetchLicenseTier, type LicenseFetch } from "./license";
import type { Limiter } from "./limiter";
import type { DescopeOperation } from "./paths";
import { describeIssues } from "./responses";
import { decideRetry, isUnreachable, type RetryPolicy, type StopReason } from "./retry";
import { shapeRequest, type CallRequest } from "./shape";
import { sendAttempt, type AttemptRequest, type AttemptResult } from "./transport";

/** Everything one client's calls run with; all resolved by the client. */
export interface CallerOptions {
  /** Descope project ID. */
  projectId: string;
  /** Base URL without a trailing slash. */
  baseUrl: string;
  /** The whole `authorization` header value; kept in a non-enumerable field. */
  authorization: string;
  /** Strings to redact from anything quoted from the wire; kept in a non-enumerable field. */
  secrets: readonly string[];
  /** Timeout of one HTTP attempt, in ms. */
  requestTimeoutMs: number;
  /** Deadline of one operation, in ms (pacing waits do not count). */
  operationDeadlineMs: number;
  /** The most body bytes read per response. */
  maxResponseBytes: number;
  /** Retry tunables. */
  policy: RetryPolicy;
  /** The client-side budget. */
  limiter: Limiter;
  /** undici dispatcher; the global one when absent. */
  dispatcher?: Dispatcher;
  /** Randomness for jitter, in [0, 1). */
  random: () => number;
  /** Progress lines while calls wait. */
  progress: ProgressOptions;
}

/** Runs the operations of one client. Methods throw only `DescopeError` subclasses. */
export class Caller {
  private readonly settings: Omit<CallerOptions, "authorization" | "secrets" | "progress">;
  declare private readonly authorization: string;
  declare private readonly secrets: readonly string[];
  private readonly progress: WaitProgress;
  /** Set by the first answer (any HTTP status) from the service: from then on, failures are outages. */
  private answered = false;
  /** How many of this client's handshakes have ended, and how the last one did. */
  private handshakes = { ended: 0, last: undefined as AttemptResult | undefined };

  constructor(options: CallerOptions) {
    const { authorization, secrets, progress, ...settings } = options;
    this.settings = settings;
    this.progress = new WaitProgress(settings.baseUrl, progress);
    // Non-enumerable, so neither the key nor the header shows up when this is logged or serialized.
    Object.defineProperty(this, "authorization", { value: authorization, enumerable: false });
    Object.defineProperty(this, "secrets", { value: secrets, enumerable: false });
  }

  /** The rate-limit tier from the license handshake (kept once it succeeded), or `undefined`. */
  licenseTier(): Promise<string | undefined> {
    const s = this.settings;
    const fetch: LicenseFetch = async () => {
      const release = await s.limiter.acquire();
      const shaped = shapeRequest(s.baseUrl, "license", {}, this.authorization);
      const never = new AbortController().signal; // the handshake has its request timeout only
      const send = {
        ...shaped,
        timeoutMs: s.requestTimeoutMs,
        deadline: never,
        dispatcher: s.dispatcher,
        maxResponseBytes: s.maxResponseBytes,
      };
      const result = await this.attempt(send).finally(release);
      this.handshakes = { ended: this.handshakes.ended + 1, last: result };
      return result;
    };
    return fetchLicenseTier(`${s.projectId}\u0000${s.baseUrl}`, fetch);
  }

  /** Runs one operation: handshake, then limiter → attempt → decideRetry → sleep, under the deadline. */
  async call<T>(
    operation: DescopeOperation,
    req: CallRequest,
    context: Omit<DescopeCallContext, "operation">,
    schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  ): Promise<T> {
    const s = this.settings;
    const ctx: DescopeCallContext = { operation, ...context };
    const deadline = new OperationDeadline(s.operationDeadlineMs);
    let attempts = 0;
    const untrack = this.progress.track(deadline);
    try {
      const handshakesBefore = this.handshakes.ended;
      const tier = await untilAborted(this.licenseTier(), deadline.signal);
      this.failIfUnreachable(handshakesBefore, ctx);
      const shaped = shapeRequest(s.baseUrl, operation, req, this.authorization, tier);
      const send = {
        ...shaped,
        timeoutMs: s.requestTimeoutMs,
        deadline: deadline.signal,
        dispatcher: s.dispatcher,
        maxResponseBytes: s.maxResponseBytes,
      };
      for (;;) {
        deadline.pause(); // queueing for the client-side budget is pacing, not slowness: it does not count
        const release = await s.limiter.acquire();
        deadline.resume();
        const result = await this.attempt(send).finally(release); // the token's window starts when the call ends
        attempts++;
        if (result.kind === "response" && result.status >= 200 && result.status < 300) {
          return this.parse(result.text, result.status, schema, { ...ctx, attempts });
        }
        const decision =
          result.kind === "failure" && result.timedOutBy === "deadline"
            ? ({ retry: false, reason: "deadline" } as const)
            : decideRetry({
                ...retryFacts(result),
                answeredBefore: this.answered,
                attempt: attempts - 1,
                elapsedMs: deadline.elapsedMs(),
                deadlineMs: s.operationDeadlineMs,
                nowMs: Date.now(),
                policy: s.policy,
                random: s.random,
              });
        if (!decision.retry) throw this.failure(result, decision.reason, { ...ctx, attempts });
        if (decision.pausesDeadline) {
          // The service's Retry-After is pacing too: it does not count against the deadline.
          deadline.pause();
          await sleep(decision.delayMs);
          deadline.resume();
        } else {
          await sleep(decision.delayMs, undefined, { signal: deadline.signal });
        }
      }
    } catch (err) {
      // Only the deadline aborts the handshake wait, an attempt or the sleep.
      if (!isDescopeError(err) && deadline.signal.aborted) {
        throw new DescopeTimeoutError({ ...ctx, attempts }, "deadline", s.operationDeadlineMs);
      }
      throw err;
    } finally {
      untrack();
      deadline.clear();
    }
  }

  /** One attempt; an answer of any status marks the service as reached. */
  private async attempt(send: AttemptRequest): Promise<AttemptResult> {
    const result = await sendAttempt(send);
    if (result.kind !== "failure") this.answered = true;
    return result;
  }

  /**
   * Throws when a handshake that ended while this call waited for it found nothing at the base
   * URL and nothing has answered since: the operation would only meet the same failure.
   */
  private failIfUnreachable(handshakesBefore: number, ctx: DescopeCallContext): void {
    const last = this.handshakes.last;
    if (this.handshakes.ended === handshakesBefore || last?.kind !== "failure") return;
    if (isUnreachable(last.failure, this.answered)) throw this.failure(last, "unreachable", ctx);
  }

  private failure(result: AttemptResult, reason: StopReason, ctx: DescopeCallContext) {
    const s = this.settings;
    const limits = {
      baseUrl: s.baseUrl,
      requestTimeoutMs: s.requestTimeoutMs,
      operationDeadlineMs: s.operationDeadlineMs,
      maxRetryAfterMs: s.policy.maxRetryAfterMs,
    };
    return errorForAttempt(result, reason, ctx, limits, this.secrets, Date.now());
  }

  private parse<T>(
    text: string,
    status: number,
    schema: z.ZodType<T, z.ZodTypeDef, unknown>,
    ctx: DescopeCallContext,
  ): T {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new DescopeBadResponseError(ctx, status, "body is not JSON", excerptOf(text, this.secrets));
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new DescopeBadResponseError(
        ctx,
        status,
        `unexpected body shape (${describeIssues(parsed.error)})`,
        excerptOf(text, this.secrets),
      );
    }
    return parsed.data;
  }
}

/** What `decideRetry` needs of an attempt: its status and `Retry-After`, or its transport failure (a body over the cap: neither, so never retried). */
function retryFacts(result: AttemptResult) {
  if (result.kind === "response") return { status: result.status, retryAfterHeader: result.retryAfter };
  return result.kind === "failure" ? { failure: result.failure } : {};
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
