/**
 * A local emulator of the part of the Descope Management API this project uses
 * (docs/descope-api.md), for tests and demos. Exported as `pulumi-descope-access/emulator`.
 *
 * ```ts
 * const emu = await startEmulator({ seed: { roles: [{ name: "viewer" }] } });
 * const sdk = DescopeClient({ projectId: emu.projectId, managementKey: emu.managementKey, baseUrl: emu.url });
 * // … emu.state.snapshot(), emu.requests.all(), emu.setFaults({ failNext: { count: 1, kind: "503" } })
 * await emu.close();
 * ```
 */
import type { AddressInfo } from "node:net";
import type { EmulatorCore } from "./core";
import { FaultInjector, checkFaultOptions } from "./faults";
import { RateLimiter, checkRateLimit } from "./limiter";
import { RequestLog, type RequestLogView } from "./request-log";
import { createEmulatorServer } from "./server";
import { Store, type StateAccess } from "./store";
import type { EmulatorSeed, FaultOptions, RateLimitOptions } from "./types";

export type * from "./types";
export type { StateAccess } from "./store";
export type { RequestLogView } from "./request-log";
export { ErrorCodes } from "./errors";

/** The project ID the emulator accepts unless told otherwise: 28 characters, so no region is derived. */
export const DEFAULT_PROJECT_ID = "P2emulator000000000000000000";

/** The management key the emulator accepts unless told otherwise. */
export const DEFAULT_MANAGEMENT_KEY = "K2emulator-local-management-key";

/** Options of `startEmulator`; all optional. */
export interface EmulatorOptions {
  /** TCP port on 127.0.0.1. @default 0 (the OS picks one; read it from `url`) */
  port?: number;
  /** The only project ID accepted in `Authorization`. @default DEFAULT_PROJECT_ID */
  projectId?: string;
  /** The only management key accepted in `Authorization`. @default DEFAULT_MANAGEMENT_KEY */
  managementKey?: string;
  /** Roles, tenants and users present at start and after every `reset()`. @default nothing */
  seed?: EmulatorSeed;
  /** Fault injection at start and after every `reset()`. @default no faults */
  faults?: FaultOptions;
  /** Per-project token bucket at start and after every `reset()`. @default no limit */
  rateLimit?: RateLimitOptions;
  /** Milliseconds since the epoch, for `createdTime` and the rate limiter. @default Date.now */
  clock?: () => number;
  /** Where loud warnings go (unknown routes, handler bugs). @default console.warn */
  warn?: (line: string) => void;
  /** How many calls the request log keeps (oldest dropped first). @default 10000 */
  requestLogLimit?: number;
}

/** A running emulator. */
export interface EmulatorHandle {
  /** Base URL to give a client, e.g. `http://127.0.0.1:43123` (no trailing slash). */
  url: string;
  port: number;
  projectId: string;
  managementKey: string;
  /** Read (deep copies) and seed the state directly. */
  state: StateAccess;
  /** Every Descope API call answered (method, path, query, headers without credentials, body, status). */
  requests: RequestLogView;
  /** Replaces the fault settings; `undefined`, `null` or `{}` turns faults off. Throws on bad options. */
  setFaults(faults?: FaultOptions | null): void;
  /** Replaces the rate limit (and refills the bucket); `undefined`/`null` removes it. */
  setRateLimit(rateLimit?: RateLimitOptions | null): void;
  /** Back to the start-up seed (or `seed` instead), start-up faults and limit, empty request log. */
  reset(seed?: EmulatorSeed): void;
  /** Stops listening and drops every connection. Safe to call twice. */
  close(): Promise<void>;
}

function checkCredential(value: string, name: string): string {
  if (typeof value !== "string" || value === "" || /\s/.test(value)) {
    throw new TypeError(`startEmulator: ${name} must be a non-empty string without spaces`);
  }
  return value;
}

function buildCore(options: EmulatorOptions): EmulatorCore {
  const clock = options.clock ?? Date.now;
  const startFaults = checkFaultOptions(options.faults);
  const startRateLimit = checkRateLimit(options.rateLimit);
  const store = new Store(clock);
  store.reset(options.seed);
  const core: EmulatorCore = {
    projectId: checkCredential(options.projectId ?? DEFAULT_PROJECT_ID, "projectId"),
    managementKey: checkCredential(options.managementKey ?? DEFAULT_MANAGEMENT_KEY, "managementKey"),
    store,
    faults: new FaultInjector(startFaults),
    limiter: new RateLimiter(startRateLimit, clock),
    log: new RequestLog(options.requestLogLimit),
    reset(seed) {
      store.reset(seed ?? options.seed); // first: a bad seed throws before anything else changes
      core.log.clear();
      core.faults.set(startFaults);
      core.limiter.set(startRateLimit);
    },
    warn: options.warn ?? ((line) => console.warn(line)),
  };
  return core;
}

/** Starts an emulator on 127.0.0.1; resolves once it is listening. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const core = buildCore(options);
  const { server, stop } = createEmulatorServer(core);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    projectId: core.projectId,
    managementKey: core.managementKey,
    state: {
      snapshot: () => core.store.snapshot(),
      user: (id) => core.store.user(id),
      tenant: (id) => core.store.tenant(id),
      seed: (seed) => core.store.seed(seed),
    },
    requests: { all: () => core.log.all(), last: () => core.log.last(), clear: () => core.log.clear() },
    setFaults: (faults) => core.faults.set(faults),
    setRateLimit: (rateLimit) => core.limiter.set(rateLimit),
    reset: (seed) => core.reset(seed),
    close: () => (closing ??= stop()),
  };
}
