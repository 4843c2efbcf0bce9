/**
 * Retries, timeouts, the deadline, credentials errors and the response body cap, against the
 * emulator's injected faults and rate limit (and, for the cap, a tiny local server).
 * Delays are shrunk through the client options.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import {
  DescopeApiError,
  DescopeBadResponseError,
  DescopeRateLimitedError,
  DescopeServiceUnavailableError,
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
    expect(h.apiCalls().map((r) => [r.path, r.status])).toEqual([
      [SET, 429],
      [SET, 200],
    ]);
    expect(gaps(SET)[0]).toBeGreaterThanOrEqual(1000);
  });

  it("throws DescopeRateLimitedError with Retry-After when 429 outlasts the attempts", async () => {
    h.emu.setFaults({ failNext: { count: 5, kind: "429", paths: [SET] }, retryAfterSeconds: 1 });
    const err = await rejectionOf(() =>
      h.client({ retry: { maxAttempts: 2, baseDelayMs: 20 } }).setRoles("alice@example.com", ["editor"], "t-1"),
    );
    expect(err).toBeInstanceOf(DescopeRateLimitedError);
    expect(err).toMatchObject({
      code: "ERR_DESCOPE_RATE_LIMITED",
      retryAfterSeconds: 1,
      errorCode: "E130429",
      tenantId: "t-1",
    });
    expect(err.message).toContain("after 2 attempts");
    expect(h.apiCalls()).toHaveLength(2);
  });

  it("waits a Retry-After longer than the operation deadline when the service asks, since the wait does not count", async () => {
    h.emu.setFaults({ failNext: { count: 1, kind: "429", paths: [SET] }, retryAfterSeconds: 1 });
    const user = await h.client({ operationDeadlineMs: 600 }).setRoles("alice@example.com", ["editor"]);
    expect(user.roleNames).toEqual(["editor"]);
    expect(h.apiCalls().map((r) => r.status)).toEqual([429, 200]);
  });

  it("fails at once with ERR_DESCOPE_RATE_LIMITED when Retry-After is longer than the client waits", async () => {
    h.emu.setFaults({ failNext: { count: 1, kind: "429", paths: [SET] }, retryAfterSeconds: 5 });
    const err = await rejectionOf(() =>
      h.client({ retry: { maxRetryAfterMs: 2_000 } }).setRoles("alice@example.com", ["editor"]),
    );
    expect(err).toBeInstanceOf(DescopeRateLimitedError);
    expect(err).toMatchObject({ code: "ERR_DESCOPE_RATE_LIMITED", retryAfterSeconds: 5 });
    expect(err.message).toContain("the service asked to wait 5 s, longer than the 2 s this client waits");
    expect(h.apiCalls()).toHaveLength(1);
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
    h.emu.setFaults({
      failNext: [
        { count: 1, kind: "reset-after-apply", paths: [SET] },
        { count: 1, kind: "503-after-apply", paths: [SET] },
      ],
    });
    const user = await h.client().setRoles("bob@example.com", ["t-auditor"], "t-1");
    expect(user.userTenants[0].roleNames).toEqual(["t-auditor"]);
    expect(h.apiCalls().map((r) => [r.status, r.appliedStatus])).toEqual([
      [0, 200],
      [503, 200],
      [200, undefined],
    ]);
  });

  it("reports the gateway page as ERR_DESCOPE_UNAVAILABLE with its status when 503 outlasts the attempts", async () => {
    h.emu.setFaults({ failNext: { count: 9, kind: "503", paths: [SET] } });
    const err = await rejectionOf(() =>
      h.client({ retry: { maxAttempts: 3, baseDelayMs: 5 } }).setRoles("alice@example.com", ["editor"]),
    );
    expect(err).toBeInstanceOf(DescopeServiceUnavailableError);
    expect(err).toMatchObject({ code: "ERR_DESCOPE_UNAVAILABLE", status: 503, operation: "setRoles" });
    expect(err.message).toContain("service unavailable (HTTP 503");
    expect(err.message).toContain("503 Service Temporarily Unavailable");
    expect(err.message).toContain("after 3 attempts");
    expect(h.apiCalls()).toHaveLength(3);
  });

  it("keeps retrying a gateway 503 until the operation deadline when no attempt limit is set", async () => {
    h.emu.setFaults({ failNext: { count: 1000, kind: "503", paths: [SET] } });
    // random 0: backoffs of 50, 100, 200, 200, … ms; the deadline stops the 8th sleep, with about 130 ms to spare for the last request.
    const client = h.client({
      operationDeadlineMs: 1_100,
      random: () => 0,
      retry: { maxAttempts: Infinity, baseDelayMs: 100, maxDelayMs: 400 },
    });
    const err = await rejectionOf(() => client.setRoles("alice@example.com", ["editor"]));
    expect(err).toBeInstanceOf(DescopeServiceUnavailableError);
    expect(err.message).toMatch(/retrying again would pass the 1100 ms operation deadline after \d+ attempts$/);
    expect(h.apiCalls().length).toBeGreaterThan(4);
  });
});

describe("4xx handling", () => {
  it("sends exactly one request when the service answers 400", async () => {
    const err = await rejectionOf(() => h.client().setRoles("alice@example.com", ["no-such-role"]));
    expect(err).toBeInstanceOf(DescopeApiError);
    expect(err).toMatchObject({
      code: "ERR_DESCOPE_API",
      status: 400,
      errorCode: "E011004",
      operation: "setRoles",
      loginId: "alice@example.com",
    });
    expect(err.message).toMatch(
      /^Descope setRoles for user "alice@example.com" failed: HTTP 400, errorCode E011004, errorDescription "[^"]+"/,
    );
    expect(h.apiCalls()).toHaveLength(1);
  });

  it("names the settings to check and never shows the key when the management key is wrong", async () => {
    const wrongKey = "K2wrong-key-that-must-stay-secret";
    const err = await rejectionOf(() => h.client({ managementKey: wrongKey }).loadUser("alice@example.com"));
    expect(err).toBeInstanceOf(DescopeApiError);
    expect(err).toMatchObject({ status: 401, errorCode: "E011003" });
    expect(err.message).toContain(
      "check descope:projectId / DESCOPE_PROJECT_ID and descope:managementKey / DESCOPE_MANAGEMENT_KEY",
    );
    const everything = [
      err.message,
      String(err.stack),
      JSON.stringify(err),
      ...Object.getOwnPropertyNames(err).map((n) => String(err[n])),
    ].join("\n");
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
    const err = await rejectionOf(() =>
      h.client({ operationDeadlineMs: 300, requestTimeoutMs: 5_000 }).setRoles("alice@example.com", ["editor"]),
    );
    expect(err).toBeInstanceOf(DescopeTimeoutError);
    expect(err).toMatchObject({ code: "ERR_DESCOPE_TIMEOUT", kind: "deadline", timeoutMs: 300 });
    expect(err.message).toContain("exceeded the 300 ms operation deadline");
    expect(performance.now() - started).toBeLessThan(1_400); // well before the 1.5 s answer, even on a loaded machine
    await h.settled(SET, 1); // the emulator still finishes the abandoned request; keep it out of the next test
  });

  it("retries, then throws a request timeout when every attempt is too slow", async () => {
    h.emu.setFaults({ latencyMs: 600, paths: ["/v1/mgmt/user"] });
    const err = await rejectionOf(() =>
      h.client({ requestTimeoutMs: 150, retry: { maxAttempts: 2, baseDelayMs: 10 } }).loadUser("alice@example.com"),
    );
    expect(err).toBeInstanceOf(DescopeTimeoutError);
    expect(err).toMatchObject({ kind: "request", timeoutMs: 150 });
    expect(err.message).toContain("after 2 attempts");
    expect(h.sent.filter((s) => s.path === "/v1/mgmt/user")).toHaveLength(2);
    await h.settled("/v1/mgmt/user", 2);
  });
});

describe("response body cap", () => {
  const MiB = 1024 * 1024;
  let server: http.Server;
  let baseUrl: string;
  /** What the server saw of the last big answer: bytes written and whether the client hung up first. */
  let last: { written: number; abandoned: boolean };
  let declareLength = false;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url?.startsWith("/v1/mgmt/license")) {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ rateLimitTier: "tier1" }));
        return;
      }
      // A 64 MiB body, written as fast as the client reads it, until the client hangs up.
      const total = 64 * MiB;
      const chunk = Buffer.alloc(64 * 1024, " ");
      last = { written: 0, abandoned: false };
      const seen = last;
      res.writeHead(200, {
        "content-type": "application/json",
        ...(declareLength ? { "content-length": String(total) } : {}),
      });
      res.on("close", () => {
        if (seen.written < total) seen.abandoned = true;
      });
      const pump = () => {
        while (seen.written < total && !res.destroyed) {
          seen.written += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("fails with ERR_DESCOPE_BAD_RESPONSE and stops reading when the body exceeds the cap", async () => {
    declareLength = false;
    const err = await rejectionOf(() => h.client({ baseUrl, maxResponseBytes: MiB }).loadUser("alice@example.com"));
    expect(err).toBeInstanceOf(DescopeBadResponseError);
    expect(err).toMatchObject({ code: "ERR_DESCOPE_BAD_RESPONSE", status: 200, reason: "response body exceeds 1 MiB" });
    expect(err.message).toBe(
      'Descope loadUser for user "alice@example.com" got a bad response: HTTP 200, response body exceeds 1 MiB',
    );
    await waitFor(() => last.abandoned);
    expect(last.written).toBeLessThan(32 * MiB);
  });

  it("fails without reading the body when Content-Length already exceeds the cap", async () => {
    declareLength = true;
    const err = await rejectionOf(() => h.client({ baseUrl, maxResponseBytes: MiB }).loadUser("alice@example.com"));
    expect(err).toMatchObject({ code: "ERR_DESCOPE_BAD_RESPONSE", reason: "response body exceeds 1 MiB" });
    await waitFor(() => last.abandoned);
  });

  it("caps at 4 MiB when no cap is given", async () => {
    declareLength = false;
    const err = await rejectionOf(() => h.client({ baseUrl }).loadUser("alice@example.com"));
    expect(err).toMatchObject({ code: "ERR_DESCOPE_BAD_RESPONSE", reason: "response body exceeds 4 MiB" });
    await waitFor(() => last.abandoned);
  });
});

/** Polls `check` until it holds (up to 5 s). */
async function waitFor(check: () => boolean): Promise<void> {
  const until = performance.now() + 5_000;
  while (!check()) {
    if (performance.now() > until) throw new Error("condition never held");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
