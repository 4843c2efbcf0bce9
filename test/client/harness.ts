/**
 * Shared set-up of the client suites: one emulator per file on loopback, reset per test, a
 * client factory with shrunk delays, and an undici dispatcher that stamps the time each
 * attempt was sent (the emulator's log has no times).
 */
import { performance } from "node:perf_hooks";
import { Agent, type Dispatcher } from "undici";
import { startEmulator, type EmulatorHandle, type EmulatorSeed, type RecordedRequest } from "../../emulator";
import { DescopeClient, resetClientState, type DescopeClientOptions } from "../../provider/client/client";

/** Roles, tenants and users every client suite starts from. */
export function baseSeed(): EmulatorSeed {
  return {
    roles: [{ name: "viewer" }, { name: "editor" }, { name: "admin" }, { name: "t-auditor", tenantId: "t-1" }],
    tenants: [
      { id: "t-1", name: "Tenant One" },
      { id: "t-2", name: "Tenant Two" },
    ],
    users: [
      { loginId: "alice@example.com", userId: "U2alice0000000000000000000000", roleNames: ["viewer"] },
      {
        loginId: "bob@example.com",
        userId: "U2bob000000000000000000000000",
        userTenants: [{ tenantId: "t-1", roleNames: ["viewer"] }],
      },
    ],
  };
}

/** A running emulator plus helpers; create with {@link useEmulator} at the top of a suite. */
export interface Harness {
  emu: EmulatorHandle;
  /** Send times (performance.now) of every HTTP request the clients made, in order. */
  sent: { path: string; at: number }[];
  /** A client for this emulator with test-sized delays; `over` wins. */
  client(over?: Partial<DescopeClientOptions>): DescopeClient;
  /** The log without the license handshake. */
  apiCalls(): RecordedRequest[];
  /**
   * Waits until the emulator has logged `count` calls to `path`: it finishes requests the
   * client abandoned (timeouts), and they must not land in the next test.
   */
  settled(path: string, count: number): Promise<void>;
}

/** Starts one emulator for the file, resets it and the client's process caches before each test. */
export function useEmulator(): Harness {
  const h = { sent: [] as { path: string; at: number }[] } as Harness;
  let agent: Agent;
  let dispatcher: Dispatcher;
  beforeAll(async () => {
    h.emu = await startEmulator({ seed: baseSeed(), warn: () => undefined });
    agent = new Agent();
    dispatcher = agent.compose((dispatch) => (opts, handler) => {
      h.sent.push({ path: String(opts.path).split("?")[0], at: performance.now() });
      return dispatch(opts, handler);
    });
  });
  beforeEach(() => {
    h.emu.reset();
    h.sent.length = 0;
    resetClientState();
  });
  afterAll(async () => {
    await agent?.close();
    await h.emu?.close();
  });
  h.client = (over = {}) =>
    new DescopeClient({
      projectId: h.emu.projectId,
      managementKey: h.emu.managementKey,
      baseUrl: h.emu.url,
      dispatcher,
      requestTimeoutMs: 2_000,
      operationDeadlineMs: 10_000,
      retry: { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 200 },
      ...over,
    });
  h.apiCalls = () => h.emu.requests.all().filter((r) => r.path !== "/v1/mgmt/license");
  h.settled = async (path, count) => {
    const until = performance.now() + 5_000;
    while (h.emu.requests.all().filter((r) => r.path === path).length < count) {
      if (performance.now() > until) throw new Error(`the emulator never logged ${count} calls to ${path}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return h;
}

/** Runs `fn` and returns the error it rejects with (fails the test if it resolves). */
export async function rejectionOf(fn: () => Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await fn();
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error("expected the call to fail");
}
