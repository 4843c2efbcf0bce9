/**
 * Retries, timeouts, the deadline, credentials errors and the client-side limiter, against the
 * emulator's injected faults and rate limit. Delays are shrunk through the client options.
 */
import { performance } from "node:perf_hooks";
import {
  DescopeApiError,
  DescopeBadResponseError,
  DescopeRateLimitedError,
  DescopeTimeoutError,
} from "../../provider/errors";
import { rejectionOf, useEmulator } from "./harness";

const h = useEmulator();
const SET = "/v1/mgmt/user/update/role/set";

/** Gaps in ms between consecutive sends to `path`. */
function gaps(path: string): number[] {
  const at = h.sent.filter((s) => s.path === path).map((s) => s.at);
  return at.slice(1).map((t, i) => t - at[i]);
}

describe("429 handling", () => {
  it("waits Retry-After and then retries when the service answers 429", async () => {
    h.emu.setFaults({ failNext: { count: 1, kind: "429", paths: [SET] }, retryAfterSeconds: 1 });
    const user = await h.client().setRoles("alice@example.com", ["editor"]);
    expect(user.roleNames).toEqual(["editor"]);
    expect(h.apiCalls().map((r) => [r.path, r.status])).toEqual([[SET, 429], [SET, 200]]);
    expect(gaps(SET)[0]).toBeGreaterThanOrEqual(1000);
  });

  it("throws DescopeRateLimitedError with Retry-After when 429 outlasts the attempts", async () => {
    h.emu.setFaults({ failNext: { count: 5, kind: "429", paths: [SET] }, retryAfterSeconds: 1 });
    const err = await rejectionOf(() => h.client({ retry: { maxAttempts: 2, baseDelayMs: 20 } }).setRoles("alice@example.com", ["editor"], "t-1"));
    expect(err).toBeInstanceOf(DescopeRateLimitedError);
    expect(err).toMatchObject({ code: "ERR_DESCOPE_RATE_LIMITED", retryAfterSeconds: 1, errorCode: "E130429", tenantId: "t-1" });
    expect(err.message).toContain("after 2 attempts");
    expect(h.apiCalls()).toHaveLength(2);
  });

  it("gives up early when waiting Retry-After would pass the deadline", async () => {
    h.emu.setFaults({ failNext: { count: 1, kind: "429", paths: [SET] }, retryAfterSeconds: 5 });
    const started = performance.now();
    const err = await rejectionOf(() => h.client({ operationDeadlineMs: 2_000 }).setRoles("alice@example.com", ["editor"]));
    expect(err).toBeInstanceOf(DescopeRateLimitedError);
    expect(err.message).toContain("operation deadline");
    expect(performance.now() - started).toBeLessThan(1_500);
  });
});

describe("5xx and connection resets", () => {
  it("retries with growing backoff when the service answers 503 twice", async () => {
    h.emu.setFaults({ failNext: { count: 2, kind: "503", paths: [SET] } });
    await h.client({ retry: { baseDelayMs: 40, maxDelayMs: 1000 } }).setRoles("alice@example.com", ["editor"]);
    expect(h.apiCalls().map((r) => r.status)).toEqual([503, 503, 200]);
    const [first, second] = gaps(SET);
    expect(first).toBeGreaterThanOrEqual(20); // equal jitter: at least half of 40 * 2^0
    expect(second).toBeGreaterThanOrEqual(40); // at least half of 40 * 2^1
  });

  it("retries when the connection is reset before an answer", async () => {
    h.emu.setFaults({ failNext: { count: 1, kind: "reset", paths: ["/v1/mgmt/user"] } });
    await expect(h.client().loadUser("alice@example.com")).resolves.toMatchObject({ loginIds: ["alice@example.com"] });
    expect(h.apiCalls().map((r) => r.status)).toEqual([0, 200]);
  });

  it("converges when the change was applied but the answer was lost", async () => {
    h.emu.setFaults({ failNext: [{ count: 1, kind: "reset-after-apply", paths: [SET] }, { count: 1, kind: "503-after-apply", paths: [SET] }] });
    const user = await h.client().setRoles("bob@example.com", ["t-auditor"], "t-1");
    expect(user.userTenants[0].roleNames).toEqual(["t-auditor"]);
    expect(h.apiCalls().map((r) => [r.status, r.appliedStatus])).toEqual([[0, 200], [503, 200], [200, undefined]]);
  });

  it("reports the gateway page with its status when 503 outlasts the attempts", async () => {
    h.emu.setFaults({ failNext: { count: 9, kind: "503", paths: [SET] } });
    const err = await rejectionOf(() => h.client({ retry: { maxAttempts: 3, baseDelayMs: 5 } }).setRoles("alice@example.com", ["editor"]));
    expect(err).toBeInstanceOf(DescopeBadResponseError);
    expect(err).toMatchObject({ status: 503, operation: "setRoles" });
    expect(err.message).toContain("503 Service Temporarily Unavailable");
    expect(err.message).toContain("after 3 attempts");
    expect(h.apiCalls()).toHaveLength(3);
  });
});

describe("4xx handling", () => {
  it("sends exactly one request when the service answers 400", async () => {
    const err = await rejectionOf(() => h.client().setRoles("alice@example.com", ["no-such-role"]));
    expect(err).toBeInstanceOf(DescopeApiError);
    expect(err).toMatchObject({ code: "ERR_DESCOPE_API", status: 400, errorCode: "E011004", operation: "setRoles", loginId: "alice@example.com" });
    expect(err.message).toMatch(/^Descope setRoles for user "alice@example.com" failed: HTTP 400, errorCode E011004, errorDescription "[^"]+"/);
    expect(h.apiCalls()).toHaveLength(1);
  });

  it("names the settings to check and never shows the key when the management key is wrong", async () => {
    const wrongKey = "K2wrong-key-that-must-stay-secret";
    const err = await rejectionOf(() => h.client({ managementKey: wrongKey }).loadUser("alice@example.com"));
    expect(err).toBeInstanceOf(DescopeApiError);
    expect(err).toMatchObject({ status: 401, errorCode: "E011003" });
    expect(err.message).toContain("check descope:projectId / DESCOPE_PROJECT_ID and descope:managementKey / DESCOPE_MANAGEMENT_KEY");
    const everything = [err.message, String(err.stack), JSON.stringify(err), ...Object.getOwnPropertyNames(err).map((n) => String(err[n]))].join("\n");
    expect(everything).not.toContain(wrongKey);
    expect(everything).not.toContain(h.emu.managementKey);
    expect(h.apiCalls()).toHaveLength(1);
  });

  it("keeps the key out of the client object's enumerable fields when it is logged", () => {
    const client = h.client();
    expect(JSON.stringify(client)).not.toContain(h.emu.managementKey);
    expect(Object.values(client).map(String).join(" ")).not.toContain(h.emu.managementKey);
  });
});

describe("timeouts", () => {
  it("throws DescopeTimeoutError of kind deadline when the operation deadline passes mid-request", async () => {
    h.emu.setFaults({ latencyMs: 1_500, paths: [SET] });
    const started = performance.now();
    const err = await rejectionOf(() => h.client({ operationDeadlineMs: 300, requestTimeoutMs: 5_000 }).setRoles("alice@example.com", ["editor"]));
    expect(err).toBeInstanceOf(DescopeTimeoutError);
    expect(err).toMatchObject({ code: "ERR_DESCOPE_TIMEOUT", kind: "deadline", timeoutMs: 300 });
    expect(err.message).toContain("exceeded the 300 ms operation deadline");
    expect(performance.now() - started).toBeLessThan(1_400); // well before the 1.5 s answer, even on a loaded machine
    await h.settled(SET, 1); // the emulator still finishes the abandoned request; keep it out of the next test
  });

  it("retries, then throws a request timeout when every attempt is too slow", async () => {
    h.emu.setFaults({ latencyMs: 600, paths: ["/v1/mgmt/user"] });
    const err = await rejectionOf(() => h.client({ requestTimeoutMs: 150, retry: { maxAttempts: 2, baseDelayMs: 10 } }).loadUser("alice@example.com"));
    expect(err).toBeInstanceOf(DescopeTimeoutError);
    expect(err).toMatchObject({ kind: "request", timeoutMs: 150 });
    expect(err.message).toContain("after 2 attempts");
    expect(h.sent.filter((s) => s.path === "/v1/mgmt/user")).toHaveLength(2);
    await h.settled("/v1/mgmt/user", 2);
  });
});
