import {
  backoffDelay,
  classify,
  decideRetry,
  defaultRetryPolicy,
  parseRetryAfter,
  type RetryInput,
  type RetryPolicy,
} from "../../provider/client/retry";
import { classifyCode } from "../../provider/client/transport";

const policy: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 100,
  maxDelayMs: 1000,
  maxRetryAfterMs: 30_000,
  jitter: "equal",
};
const NOW = Date.parse("2025-01-01T00:00:00Z");

function input(over: Partial<RetryInput>): RetryInput {
  return {
    attempt: 0,
    answeredBefore: true,
    elapsedMs: 0,
    deadlineMs: 60_000,
    nowMs: NOW,
    policy,
    random: () => 0.5,
    ...over,
  };
}

describe("decideRetry", () => {
  it.each([[400], [401], [403], [404], [409], [422], [501]])(
    "never retries HTTP %i when the status is a client error or not-implemented",
    (status) => {
      expect(decideRetry(input({ status }))).toEqual({ retry: false, reason: "not-retryable" });
    },
  );

  it.each([[408], [500], [502], [503], [504]])("backs off on HTTP %i when the status is transient", (status) => {
    expect(decideRetry(input({ status }))).toEqual({
      retry: true,
      delayMs: 75,
      reason: "server-error",
      pausesDeadline: false,
    });
  });

  it.each([
    ["reset", { retry: true, delayMs: 75, reason: "transport", pausesDeadline: false }],
    ["refused", { retry: true, delayMs: 75, reason: "transport", pausesDeadline: false }],
    ["unresolved", { retry: true, delayMs: 75, reason: "transport", pausesDeadline: false }],
    ["timeout", { retry: true, delayMs: 75, reason: "transport", pausesDeadline: false }],
    ["other", { retry: false, reason: "not-retryable" }],
  ] as const)("decides %s failures as %j when the service answered before", (failure, expected) => {
    expect(decideRetry(input({ failure }))).toEqual(expected);
  });

  // Issue 15: a wrong base URL must not retry for the whole deadline.
  it.each([
    ["refused", { retry: false, reason: "unreachable" }],
    ["unresolved", { retry: false, reason: "unreachable" }],
    ["timeout", { retry: false, reason: "unreachable" }],
    ["reset", { retry: true, delayMs: 75, reason: "transport", pausesDeadline: false }],
    ["other", { retry: false, reason: "not-retryable" }],
  ] as const)("decides %s failures as %j when the service never answered this client", (failure, expected) => {
    expect(decideRetry(input({ failure, answeredBefore: false }))).toEqual(expected);
  });

  it("retries a 503 when it is the first answer, since an answer proves the URL", () => {
    expect(decideRetry(input({ status: 503, answeredBefore: false }))).toMatchObject({ retry: true });
  });

  it.each([
    [0, 0, 50],
    [0, 0.999, 100],
    [1, 0, 100],
    [2, 0.5, 300],
    [3, 1, 800],
    [4, 0, 500],
    [9, 1, 1000],
  ])("waits the equal-jitter delay when attempt %i draws %d (expect %i ms)", (attempt, r, ms) => {
    const d = decideRetry(input({ status: 503, attempt, random: () => r, policy: { ...policy, maxAttempts: 20 } }));
    expect(d).toEqual({ retry: true, delayMs: Math.round(ms), reason: "server-error", pausesDeadline: false });
  });

  it("draws from [0, cap] when the policy asks for full jitter", () => {
    const full = { ...policy, jitter: "full" as const };
    expect(decideRetry(input({ status: 503, attempt: 2, random: () => 0, policy: full }))).toMatchObject({
      delayMs: 0,
    });
    expect(decideRetry(input({ status: 503, attempt: 2, random: () => 0.5, policy: full }))).toMatchObject({
      delayMs: 200,
    });
  });

  it("waits Retry-After seconds plus jitter below one base, pausing the deadline, when a 429 carries the header", () => {
    expect(decideRetry(input({ status: 429, retryAfterHeader: "2", random: () => 0 }))).toEqual({
      retry: true,
      delayMs: 2000,
      reason: "rate-limited",
      pausesDeadline: true,
    });
    expect(decideRetry(input({ status: 429, retryAfterHeader: "2", random: () => 0.5 }))).toEqual({
      retry: true,
      delayMs: 2050,
      reason: "rate-limited",
      pausesDeadline: true,
    });
  });

  it("waits until the HTTP date when a 429 carries Retry-After as a date", () => {
    const header = new Date(NOW + 5000).toUTCString();
    expect(decideRetry(input({ status: 429, retryAfterHeader: header, random: () => 0 }))).toMatchObject({
      retry: true,
      delayMs: 5000,
    });
  });

  it("waits exactly maxRetryAfterMs when the service asks for that much", () => {
    expect(decideRetry(input({ status: 429, retryAfterHeader: "30", random: () => 0 }))).toMatchObject({
      retry: true,
      delayMs: 30_000,
    });
  });

  it("stops when Retry-After is longer than maxRetryAfterMs", () => {
    expect(decideRetry(input({ status: 429, retryAfterHeader: "31", random: () => 0 }))).toEqual({
      retry: false,
      reason: "retry-after-too-long",
    });
    expect(decideRetry(input({ status: 429, retryAfterHeader: "3600" }))).toEqual({
      retry: false,
      reason: "retry-after-too-long",
    });
  });

  it("waits Retry-After even past the deadline when the wait does not count against it", () => {
    expect(decideRetry(input({ status: 429, retryAfterHeader: "10", elapsedMs: 55_000, random: () => 0 }))).toEqual({
      retry: true,
      delayMs: 10_000,
      reason: "rate-limited",
      pausesDeadline: true,
    });
  });

  it("backs off, counting against the deadline, when a 429 has no usable Retry-After", () => {
    expect(decideRetry(input({ status: 429, retryAfterHeader: "soon" }))).toEqual({
      retry: true,
      delayMs: 75,
      reason: "rate-limited",
      pausesDeadline: false,
    });
    expect(decideRetry(input({ status: 429 }))).toEqual({
      retry: true,
      delayMs: 75,
      reason: "rate-limited",
      pausesDeadline: false,
    });
    expect(decideRetry(input({ status: 429, elapsedMs: 59_950 }))).toEqual({ retry: false, reason: "deadline" });
  });

  it("stops when the attempt that failed was the last allowed", () => {
    expect(decideRetry(input({ status: 503, attempt: 4 }))).toEqual({ retry: false, reason: "attempts-exhausted" });
    expect(decideRetry(input({ status: 503, attempt: 3 }))).toMatchObject({ retry: true });
  });

  it("keeps retrying until the deadline when the default policy sets no attempt limit", () => {
    const unbounded = { ...defaultRetryPolicy(), baseDelayMs: 100, maxDelayMs: 1000 };
    expect(decideRetry(input({ status: 503, attempt: 10_000, policy: unbounded, elapsedMs: 10_000 }))).toMatchObject({
      retry: true,
      delayMs: 750,
    });
    expect(decideRetry(input({ status: 503, attempt: 10_000, policy: unbounded, elapsedMs: 59_300 }))).toEqual({
      retry: false,
      reason: "deadline",
    });
  });

  it("stops when sleeping would reach the deadline", () => {
    expect(decideRetry(input({ status: 503, elapsedMs: 59_950 }))).toEqual({ retry: false, reason: "deadline" });
    expect(decideRetry(input({ status: 503, elapsedMs: 59_900 }))).toMatchObject({ retry: true });
  });

  it("checks the status before the attempt count when both would stop", () => {
    expect(decideRetry(input({ status: 400, attempt: 10 }))).toEqual({ retry: false, reason: "not-retryable" });
  });
});

describe("parseRetryAfter", () => {
  it.each([
    ["0", 0],
    ["1", 1000],
    ["30", 30_000],
    ["1.5", 1500],
    [" 2 ", 2000],
  ])("reads %j as %i ms when it is seconds", (h, ms) => {
    expect(parseRetryAfter(h, NOW)).toBe(ms);
  });

  it.each([[undefined], [""], ["-1"], ["abc"]])("returns undefined when the header is %j", (h) => {
    expect(parseRetryAfter(h, NOW)).toBeUndefined();
  });

  it("returns 0 when the HTTP date is in the past", () => {
    expect(parseRetryAfter(new Date(NOW - 10_000).toUTCString(), NOW)).toBe(0);
  });
});

describe("classify", () => {
  it("ignores the transport failure when there is a status", () => {
    expect(classify(400, "reset")).toBeUndefined();
  });
});

describe("backoffDelay", () => {
  it("never exceeds maxDelayMs when the attempt number is huge", () => {
    expect(backoffDelay({ attempt: 1000, policy, random: () => 0.999 })).toBeLessThanOrEqual(1000);
  });

  it("treats a random outside [0,1) as clamped when the source misbehaves", () => {
    expect(backoffDelay({ attempt: 0, policy, random: () => NaN })).toBe(50);
    expect(backoffDelay({ attempt: 0, policy, random: () => 7 })).toBe(100);
  });
});

describe("defaultRetryPolicy", () => {
  it("returns a fresh object when called twice", () => {
    expect(defaultRetryPolicy()).not.toBe(defaultRetryPolicy());
    expect(defaultRetryPolicy()).toEqual({
      maxAttempts: Infinity,
      baseDelayMs: 250,
      maxDelayMs: 8000,
      maxRetryAfterMs: 120_000,
      jitter: "equal",
    });
  });
});

describe("classifyCode", () => {
  it.each([
    ["ECONNREFUSED", "refused"],
    ["ENOTFOUND", "unresolved"],
    ["EAI_AGAIN", "unresolved"],
    ["ECONNRESET", "reset"],
    ["UND_ERR_SOCKET", "reset"],
    ["UND_ERR_HEADERS_TIMEOUT", "timeout"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "other"],
  ])("sees %s as %s when an attempt fails with it", (code, failure) => {
    expect(classifyCode(code)).toBe(failure);
  });
});
