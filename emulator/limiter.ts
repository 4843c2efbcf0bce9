/**
 * The per-project rate limit of the real service: a token bucket of `requests` tokens that
 * refills at `requests / perSeconds` per second. The call that finds it empty trips a lockout
 * of `lockoutSeconds` during which every call is refused; afterwards the bucket is full again.
 */
import { invalidArgument } from "./errors";
import type { RateLimitOptions } from "./types";

interface Bucket {
  tokens: number;
  updatedMs: number;
  lockedUntilMs: number;
}

/** Validates limiter options; `undefined`/`null` mean no limit. */
export function checkRateLimit(input: unknown): RateLimitOptions | undefined {
  if (input === undefined || input === null) return undefined;
  const o = input as Partial<RateLimitOptions>;
  const positive = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v > 0;
  if (typeof input !== "object" || !positive(o.requests) || !positive(o.perSeconds)) {
    throw invalidArgument("rateLimit needs positive numbers 'requests' and 'perSeconds'");
  }
  if (o.lockoutSeconds !== undefined && !(positive(o.lockoutSeconds) || o.lockoutSeconds === 0)) {
    throw invalidArgument("rateLimit.lockoutSeconds must be a non-negative number");
  }
  return { requests: o.requests as number, perSeconds: o.perSeconds as number, lockoutSeconds: o.lockoutSeconds };
}

/** One bucket per project ID. */
export class RateLimiter {
  private options: RateLimitOptions | undefined;
  private buckets = new Map<string, Bucket>();

  /** @param clock milliseconds since the epoch. */
  constructor(
    options: RateLimitOptions | undefined,
    private readonly clock: () => number = Date.now,
  ) {
    this.set(options);
  }

  /** Replaces the limit (undefined = none) and refills every bucket. */
  set(options: RateLimitOptions | null | undefined): void {
    this.options = checkRateLimit(options);
    this.buckets.clear();
  }

  /** The current limit, if any. */
  current(): RateLimitOptions | undefined {
    return this.options ? { ...this.options } : undefined;
  }

  /** Takes a token for `projectId`: 0 when allowed, else the whole seconds to wait (≥ 1). */
  take(projectId: string): number {
    const o = this.options;
    if (!o) return 0;
    const now = this.clock();
    const bucket = this.buckets.get(projectId) ?? { tokens: o.requests, updatedMs: now, lockedUntilMs: 0 };
    this.buckets.set(projectId, bucket);
    if (now < bucket.lockedUntilMs) return Math.max(1, Math.ceil((bucket.lockedUntilMs - now) / 1000));
    if (bucket.lockedUntilMs > 0) {
      // The lockout is over: start again with a full bucket.
      Object.assign(bucket, { tokens: o.requests, updatedMs: now, lockedUntilMs: 0 });
    }
    const refill = ((now - bucket.updatedMs) / 1000) * (o.requests / o.perSeconds);
    bucket.tokens = Math.min(o.requests, bucket.tokens + refill);
    bucket.updatedMs = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    const lockoutSeconds = o.lockoutSeconds ?? o.perSeconds;
    bucket.lockedUntilMs = now + lockoutSeconds * 1000;
    return Math.max(1, Math.ceil(lockoutSeconds));
  }
}
