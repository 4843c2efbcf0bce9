/**
 * Issue 15 item 1: a wrong base URL fails the first call in seconds, naming the URL and the
 * setting, instead of retrying for the whole operation deadline; a service that has answered
 * once keeps the time-bounded retries. Every client here runs with the default deadline
 * (300 s) and no attempt limit, so only the first-contact rule can make a call end early.
 * Servers listen on 127.0.0.1, port 0.
 */
import * as http from "node:http";
import * as net from "node:net";
import { performance } from "node:perf_hooks";
import { Agent } from "undici";
import { startEmulator } from "../../emulator";
import { DescopeClient, resetClientState, type DescopeClientOptions } from "../../provider/client/client";
import { DescopeNetworkError, DescopeTimeoutError } from "../../provider/errors";
import { rejectionOf } from "./harness";

/** A bound on a hang, not a speed target: the "under 15 s", with the defaults. */
const HANG_BOUND_MS = 15_000;

function clientFor(baseUrl: string, over: Partial<DescopeClientOptions> = {}): DescopeClient {
  return new DescopeClient({
    projectId: "P2firstcontact",
    managementKey: "K2firstcontact",
    baseUrl,
    progress: { write: () => undefined },
    ...over,
  });
}

/** A loopback port nothing listens on: bound on port 0, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A server that accepts every request and never answers; `requests` counts them. */
async function silentServer(): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server = http.createServer(() => void count++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => count,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

beforeEach(() => resetClientState());

describe("first call to the base URL", () => {
  it("rejects within 15 s naming the URL and descope:baseUrl when nothing listens there", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const started = performance.now();
    const err = await rejectionOf(() => clientFor(url).loadUser("alice@example.com"));
    expect(performance.now() - started).toBeLessThan(HANG_BOUND_MS);
    expect(err).toBeInstanceOf(DescopeNetworkError);
    expect(err).toMatchObject({ code: "ERR_DESCOPE_NETWORK", causeCode: "ECONNREFUSED", operation: "loadUser" });
    expect(err.message).toContain(`nothing accepts connections at ${url}`);
    expect(err.message).toContain("check descope:baseUrl / DESCOPE_BASE_URL");
  });

  it("rejects within 15 s naming the URL and descope:baseUrl when the host name does not resolve", async () => {
    // The resolver's answer is simulated, so no name is ever looked up on the network.
    const lookup = (_host: string, _opts: unknown, cb: (err: Error) => void) =>
      cb(Object.assign(new Error("getaddrinfo ENOTFOUND api.descpoe.invalid"), { code: "ENOTFOUND" }));
    const dispatcher = new Agent({ connect: { lookup } as never });
    const url = "https://api.descpoe.invalid";
    const started = performance.now();
    const err = await rejectionOf(() => clientFor(url, { dispatcher }).loadAllRoles());
    await dispatcher.close();
    expect(performance.now() - started).toBeLessThan(HANG_BOUND_MS);
    expect(err).toMatchObject({ code: "ERR_DESCOPE_NETWORK", causeCode: "ENOTFOUND" });
    expect(err.message).toContain(`the host of ${url} does not resolve`);
    expect(err.message).toContain("descope:baseUrl / DESCOPE_BASE_URL");
  });

  it("rejects after one request timeout naming the URL when the server accepts but never answers", async () => {
    const server = await silentServer();
    try {
      const started = performance.now();
      const err = await rejectionOf(() => clientFor(server.url, { requestTimeoutMs: 1_000 }).loadUser("a@example.com"));
      expect(performance.now() - started).toBeLessThan(HANG_BOUND_MS);
      expect(err).toBeInstanceOf(DescopeTimeoutError);
      expect(err).toMatchObject({ code: "ERR_DESCOPE_TIMEOUT", kind: "request", timeoutMs: 1_000 });
      expect(err.message).toContain(`${server.url} did not answer`);
      expect(err.message).toContain("descope:baseUrl / DESCOPE_BASE_URL");
      // Only the license handshake was sent: the call paid one request timeout (10 s by default), no retries.
      expect(server.requests()).toBe(1);
    } finally {
      await server.close();
    }
  });

  it("fails every concurrent first call after the one shared handshake when the server never answers", async () => {
    const server = await silentServer();
    try {
      const client = clientFor(server.url, { requestTimeoutMs: 1_000 });
      const started = performance.now();
      const outcomes = await Promise.allSettled([
        client.loadUser("a@example.com"),
        client.loadAllRoles(),
        client.loadAllTenants(),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected", "rejected"]);
      expect(performance.now() - started).toBeLessThan(HANG_BOUND_MS);
      expect(server.requests()).toBe(1);
    } finally {
      await server.close();
    }
  });

  it("prints one progress line naming the URL when the first call waits longer than afterMs", async () => {
    const server = await silentServer();
    const lines: string[] = [];
    try {
      const progress = { afterMs: 200, everyMs: 60_000, write: (line: string) => void lines.push(line) };
      const client = clientFor(server.url, { requestTimeoutMs: 1_000, progress });
      await rejectionOf(() => client.loadUser("a@example.com"));
    } finally {
      await server.close();
    }
    expect(lines).toEqual([`descope: still waiting for ${server.url} (0 s) …`]);
  });
});

describe("later calls to a service that answered before", () => {
  it("keep retrying until the operation deadline when the service stops listening", async () => {
    const emu = await startEmulator({ seed: { users: [{ loginId: "alice@example.com" }] }, warn: () => undefined });
    const client = clientFor(emu.url, {
      projectId: emu.projectId,
      managementKey: emu.managementKey,
      operationDeadlineMs: 1_500,
      retry: { baseDelayMs: 50, maxDelayMs: 200 },
    });
    await expect(client.loadUser("alice@example.com")).resolves.toMatchObject({ loginIds: ["alice@example.com"] });
    await emu.close();
    const started = performance.now();
    const err = await rejectionOf(() => client.loadUser("alice@example.com"));
    expect(performance.now() - started).toBeGreaterThan(1_000); // it retried, it did not fail fast
    expect(err).toBeInstanceOf(DescopeTimeoutError);
    expect(err).toMatchObject({ kind: "deadline", timeoutMs: 1_500 });
    expect(err.message).toMatch(/exceeded the 1500 ms operation deadline after \d+ attempts/);
  });
});
