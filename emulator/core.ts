/**
 * The emulator's internal shapes, shared by the wiring on both sides of each import: what a
 * route row and its handler are (routes.ts ↔ handlers-*.ts), and the running emulator's parts
 * that the server, the admin paths and the handle share (server.ts ↔ control.ts ↔ index.ts).
 * Types only, importing only leaf modules, so no import circle can go through here
 * (test/emulator/import-cycles.test.ts). Public data shapes live in types.ts instead.
 */
import type { FaultInjector } from "./faults";
import type { RateLimiter } from "./limiter";
import type { RequestLog } from "./request-log";
import type { Store } from "./store";
import type { EmulatorSeed } from "./types";
import type { Body } from "./validate";

/** What a handler gets: the parsed body (`{}` for GET), the query string and the store. */
export interface HandlerContext {
  body: Body;
  query: Record<string, string>;
  store: Store;
}

/** Answers the JSON body of a 200, or throws an ApiError. */
export type Handler = (ctx: HandlerContext) => unknown;

/** One row of the route table: a Descope operation (its own name), its method and path, its handler. */
export interface Route {
  operation: string;
  method: "GET" | "POST";
  path: string;
  handler: Handler;
}

/** Everything one running emulator is made of; shared by the server, the admin paths and the handle. */
export interface EmulatorCore {
  projectId: string;
  managementKey: string;
  store: Store;
  faults: FaultInjector;
  limiter: RateLimiter;
  log: RequestLog;
  /** Back to the start-up state, faults and limit (or `seed` instead of the start-up seed). */
  reset(seed?: EmulatorSeed): void;
  /** Where loud warnings go (unknown paths, refused hosts, handler bugs). */
  warn(line: string): void;
}
