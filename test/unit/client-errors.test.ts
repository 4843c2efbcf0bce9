import {
  DescopeApiError,
  DescopeBadResponseError,
  DescopeConfigError,
  DescopeNetworkError,
  DescopeRateLimitedError,
  DescopeServiceUnavailableError,
  DescopeTimeoutError,
  isDescopeError,
  redactSecrets,
} from "../../provider/errors";
import { errorForAttempt, formatBytes, isDescopeErrorBody, parseErrorBody } from "../../provider/client/failures";

const KEY = "K2abcdefSECRETmanagementKEY0123456789";
const AUTH = `Bearer P2project:${KEY}`;
const SECRETS = [AUTH, KEY];
const LIMITS = {
  baseUrl: "https://api.descope.com",
  requestTimeoutMs: 10_000,
  operationDeadlineMs: 60_000,
  maxRetryAfterMs: 120_000,
};
const ctx = { operation: "setRoles", loginId: "alice@example.com", tenantId: "t-1", attempts: 1 };

/** Every string reachable from the error: message, stack and every own field, enumerable or not. */
function everything(err: Error): string {
  const names = Object.getOwnPropertyNames(err);
  return [err.message, String(err.stack), JSON.stringify(err), ...names.map((n) => String((err as never)[n]))].join(
    "\n",
  );
}

describe("DescopeApiError", () => {
  it("puts operation, user, tenant, status, errorCode, description and message on one line when built", () => {
    const err = new DescopeApiError(ctx, 400, {
      errorCode: "E011004",
      errorDescription: "Invalid argument",
      errorMessage: 'role\n"x" not found',
    });
    expect(err.code).toBe("ERR_DESCOPE_API");
    expect(err.message).toBe(
      'Descope setRoles for user "alice@example.com" in tenant "t-1" failed: HTTP 400, errorCode E011004, errorDescription "Invalid argument", errorMessage "role \\"x\\" not found"',
    );
    expect(err).toMatchObject({
      operation: "setRoles",
      status: 400,
      errorCode: "E011004",
      loginId: "alice@example.com",
      tenantId: "t-1",
    });
    expect(err.name).toBe("DescopeApiError");
    expect(err).toBeInstanceOf(Error);
  });

  it.each([[401], [403]])("names the settings to check when the status is %i", (status) => {
    const err = new DescopeApiError({ operation: "loadUser", loginId: "bob" }, status, {
      errorCode: "E011003",
      errorDescription: "Unauthorized",
      errorMessage: "",
    });
    expect(err.message).toContain(
      "check descope:projectId / DESCOPE_PROJECT_ID and descope:managementKey / DESCOPE_MANAGEMENT_KEY",
    );
    expect(err.message).not.toContain("\n");
  });

  it("leaves out the tenant when the call was project-level", () => {
    const err = new DescopeApiError({ operation: "setRoles", loginId: "bob" }, 400, {
      errorCode: "E011004",
      errorDescription: "",
      errorMessage: "",
    });
    expect(err.message).toBe('Descope setRoles for user "bob" failed: HTTP 400, errorCode E011004');
    expect(err.tenantId).toBeUndefined();
  });

  it("counts the attempts when there were retries", () => {
    const err = new DescopeApiError({ ...ctx, attempts: 5 }, 503, {
      errorCode: "",
      errorDescription: "busy",
      errorMessage: "",
    });
    expect(err.message).toMatch(/HTTP 503, errorDescription "busy" after 5 attempts$/);
  });
});

describe("errorForAttempt", () => {
  it("redacts the key from every field when the service echoes it", () => {
    const text = JSON.stringify({
      errorCode: "E011003",
      errorDescription: `bad header ${AUTH}`,
      errorMessage: `key ${KEY} unknown`,
    });
    const err = errorForAttempt({ kind: "response", status: 401, text }, "not-retryable", ctx, LIMITS, SECRETS, 0);
    expect(err).toBeInstanceOf(DescopeApiError);
    expect(everything(err)).not.toContain(KEY);
    expect(err.message).toContain("[REDACTED]");
  });

  it("gives a service-unavailable error with status and excerpt when a 5xx page is not JSON", () => {
    const text = `<html>\n<body>502 Bad Gateway ${KEY}</body></html>`;
    const err = errorForAttempt(
      { kind: "response", status: 502, text },
      "attempts-exhausted",
      { ...ctx, attempts: 3 },
      LIMITS,
      SECRETS,
      0,
    );
    expect(err).toBeInstanceOf(DescopeServiceUnavailableError);
    expect(err).toMatchObject({ code: "ERR_DESCOPE_UNAVAILABLE", status: 502, operation: "setRoles" });
    expect(err.message).toBe(
      'Descope setRoles for user "alice@example.com" in tenant "t-1" failed: service unavailable (HTTP 502, not a Descope error body: "<html> <body>502 Bad Gateway [REDACTED]</body></html>") after 3 attempts',
    );
    expect(everything(err)).not.toContain(KEY);
  });

  it("gives a service-unavailable error naming the deadline when a gateway 503 outlasts it", () => {
    const err = errorForAttempt(
      { kind: "response", status: 503, text: "Service Unavailable" },
      "deadline",
      { ...ctx, attempts: 40 },
      LIMITS,
      SECRETS,
      0,
    );
    expect(err).toBeInstanceOf(DescopeServiceUnavailableError);
    expect(err.message).toContain(
      '(HTTP 503, not a Descope error body: "Service Unavailable"); retrying again would pass the 60000 ms operation deadline after 40 attempts',
    );
  });

  it("gives a service-unavailable error when a 5xx body is JSON without Descope's fields", () => {
    const err = errorForAttempt(
      { kind: "response", status: 503, text: '{"message":"Service Unavailable"}' },
      "attempts-exhausted",
      ctx,
      LIMITS,
      SECRETS,
      0,
    );
    expect(err).toMatchObject({ code: "ERR_DESCOPE_UNAVAILABLE", status: 503 });
  });

  it("says empty body when a 5xx has none", () => {
    const err = errorForAttempt(
      { kind: "response", status: 504, text: "" },
      "attempts-exhausted",
      ctx,
      LIMITS,
      SECRETS,
      0,
    );
    expect(err.message).toContain("service unavailable (HTTP 504, empty body)");
  });

  it("keeps the bad-response error when a 4xx page is not JSON", () => {
    const err = errorForAttempt(
      { kind: "response", status: 400, text: "<html>Bad Request</html>" },
      "not-retryable",
      ctx,
      LIMITS,
      SECRETS,
      0,
    );
    expect(err).toBeInstanceOf(DescopeBadResponseError);
    expect(err.message).toContain("HTTP 400, error body is not JSON");
  });

  it("gives a bad-response error naming the cap when the body was too large", () => {
    const err = errorForAttempt(
      { kind: "oversize", status: 200, limitBytes: 4 * 1024 * 1024 },
      "not-retryable",
      ctx,
      LIMITS,
      SECRETS,
      0,
    );
    expect(err).toBeInstanceOf(DescopeBadResponseError);
    expect(err).toMatchObject({ code: "ERR_DESCOPE_BAD_RESPONSE", status: 200, reason: "response body exceeds 4 MiB" });
    expect(err.message).toBe(
      'Descope setRoles for user "alice@example.com" in tenant "t-1" got a bad response: HTTP 200, response body exceeds 4 MiB',
    );
  });

  it("gives a rate-limited error saying so when Retry-After is longer than the client waits", () => {
    const text = JSON.stringify({ errorCode: "E130429", errorDescription: "Too many requests" });
    const err = errorForAttempt(
      { kind: "response", status: 429, retryAfter: "300", text },
      "retry-after-too-long",
      ctx,
      LIMITS,
      SECRETS,
      0,
    );
    expect(err).toBeInstanceOf(DescopeRateLimitedError);
    expect(err).toMatchObject({ code: "ERR_DESCOPE_RATE_LIMITED", retryAfterSeconds: 300 });
    expect(err.message).toContain(
      "Retry-After 300s; the service asked to wait 300 s, longer than the 120 s this client waits",
    );
  });

  it("gives a rate-limited error with Retry-After when 429 outlasts the retries", () => {
    const text = JSON.stringify({ errorCode: "E130429", errorDescription: "Too many requests" });
    const err = errorForAttempt(
      { kind: "response", status: 429, retryAfter: "7", text },
      "attempts-exhausted",
      { ...ctx, attempts: 5 },
      LIMITS,
      SECRETS,
      0,
    );
    expect(err).toBeInstanceOf(DescopeRateLimitedError);
    expect(err).toMatchObject({
      code: "ERR_DESCOPE_RATE_LIMITED",
      retryAfterSeconds: 7,
      errorCode: "E130429",
      status: 429,
    });
    expect(err.message).toContain("HTTP 429, errorCode E130429");
    expect(err.message).toContain("retries exhausted after 5 attempts");
  });

  it("gives a deadline timeout naming the last failure when a 5xx outlasts the deadline", () => {
    const text = JSON.stringify({ errorCode: "E000000", errorDescription: "Unavailable" });
    const err = errorForAttempt({ kind: "response", status: 503, text }, "deadline", ctx, LIMITS, SECRETS, 0);
    expect(err).toBeInstanceOf(DescopeTimeoutError);
    expect(err).toMatchObject({ code: "ERR_DESCOPE_TIMEOUT", kind: "deadline", timeoutMs: 60_000 });
    expect(err.message).toContain(
      "exceeded the 60000 ms operation deadline; last failure: HTTP 503, errorCode E000000",
    );
  });

  it("gives a network error with the low-level code when the connection resets", () => {
    const err = errorForAttempt(
      { kind: "failure", failure: "reset", code: "ECONNRESET", detail: "socket hang up" },
      "attempts-exhausted",
      { ...ctx, attempts: 3 },
      LIMITS,
      SECRETS,
      0,
    );
    expect(err).toBeInstanceOf(DescopeNetworkError);
    expect(err.message).toBe(
      'Descope setRoles for user "alice@example.com" in tenant "t-1" failed: network error ECONNRESET (socket hang up) after 3 attempts',
    );
  });

  it("gives a request timeout when the last attempt timed out", () => {
    const err = errorForAttempt(
      { kind: "failure", failure: "timeout", timedOutBy: "request", code: "ETIMEDOUT", detail: "" },
      "attempts-exhausted",
      ctx,
      LIMITS,
      SECRETS,
      0,
    );
    expect(err).toMatchObject({ code: "ERR_DESCOPE_TIMEOUT", kind: "request", timeoutMs: 10_000 });
  });

  it("names the base URL and its settings when the first contact is refused", () => {
    const err = errorForAttempt(
      { kind: "failure", failure: "refused", code: "ECONNREFUSED", detail: "connect ECONNREFUSED 10.0.0.1:443" },
      "unreachable",
      ctx,
      LIMITS,
      SECRETS,
      0,
    );
    expect(err).toBeInstanceOf(DescopeNetworkError);
    expect(err.message).toBe(
      'Descope setRoles for user "alice@example.com" in tenant "t-1" failed: network error ECONNREFUSED ' +
        "(connect ECONNREFUSED 10.0.0.1:443); nothing accepts connections at https://api.descope.com, and it has " +
        "not answered this client before, so this was not retried: check descope:baseUrl / DESCOPE_BASE_URL",
    );
  });

  it("gives a request timeout naming the base URL when the first contact never answers", () => {
    const err = errorForAttempt(
      { kind: "failure", failure: "timeout", timedOutBy: "request", code: "ETIMEDOUT", detail: "" },
      "unreachable",
      ctx,
      LIMITS,
      SECRETS,
      0,
    );
    expect(err).toMatchObject({ code: "ERR_DESCOPE_TIMEOUT", kind: "request", timeoutMs: 10_000 });
    expect(err.message).toContain("https://api.descope.com did not answer");
    expect(err.message).toContain("check descope:baseUrl / DESCOPE_BASE_URL");
  });

  // Issue 15 item 6: a long quoted value must not push the status out of the message.
  it("keeps the status and errorCode when the login ID is a megabyte long", () => {
    const loginId = "x".repeat(1024 * 1024);
    const text = JSON.stringify({ errorCode: "E011004", errorDescription: "Invalid argument", errorMessage: loginId });
    const err = errorForAttempt(
      { kind: "response", status: 400, text },
      "not-retryable",
      { ...ctx, loginId },
      LIMITS,
      SECRETS,
      0,
    );
    expect(err.message).toContain(`for user "${"x".repeat(199)}…" in tenant "t-1" failed: HTTP 400, errorCode E011004`);
    expect(err.message).toContain('errorDescription "Invalid argument"');
    expect(err.message.length).toBeLessThan(1_000);
  });

  it("keeps the status when a gateway page and the tenant ID are long", () => {
    const tenantId = "t".repeat(50_000);
    const text = `<html>${"x".repeat(50_000)}</html>`;
    const err = errorForAttempt(
      { kind: "response", status: 502, text },
      "deadline",
      { ...ctx, tenantId },
      LIMITS,
      SECRETS,
      0,
    );
    expect(err.message).toContain('…" failed: service unavailable (HTTP 502, not a Descope error body: "<html>');
    expect(err.message.length).toBeLessThan(1_000);
  });
});

describe("isDescopeErrorBody", () => {
  it.each([
    ['{"errorCode":"E1"}', true],
    ['{"errorDescription":"busy"}', true],
    ['{"errorMessage":""}', false],
    ['{"message":"Service Unavailable"}', false],
    ["<html>", false],
    ["[]", false],
  ])("says %s is a Descope error body = %s", (text, expected) => {
    expect(isDescopeErrorBody(text)).toBe(expected);
  });
});

describe("formatBytes", () => {
  it.each([
    [4 * 1024 * 1024, "4 MiB"],
    [512 * 1024, "512 KiB"],
    [1000, "1000 bytes"],
    [1536 * 1024, "1536 KiB"],
  ])("formats %i as %s", (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });
});

describe("parseErrorBody", () => {
  it("keeps an excerpt as description when the JSON has none of Descope's fields", () => {
    expect(parseErrorBody('{"message":"nope"}', [])).toEqual({
      errorCode: "",
      errorDescription: '{"message":"nope"}',
      errorMessage: "",
    });
  });

  it.each([["<html>"], [""], ["[1,2]"], ["null"], ['"text"']])("returns undefined when the body is %j", (text) => {
    expect(parseErrorBody(text, [])).toBeUndefined();
  });
});

describe("redactSecrets", () => {
  it("removes every secret and any Bearer token when both appear", () => {
    expect(redactSecrets(`a ${KEY} b Bearer xyz:abc c`, [KEY])).toBe("a [REDACTED] b Bearer [REDACTED] c");
  });
});

describe("DescopeConfigError", () => {
  it("keeps its message and the setting when built", () => {
    const err = new DescopeConfigError(
      "descope:projectId",
      "missing Descope project ID: set the stack config descope:projectId or the environment variable DESCOPE_PROJECT_ID",
    );
    expect(err).toMatchObject({ code: "ERR_DESCOPE_CONFIG", setting: "descope:projectId" });
    expect(isDescopeError(err)).toBe(true);
    expect(isDescopeError(new Error("x"))).toBe(false);
  });
});
