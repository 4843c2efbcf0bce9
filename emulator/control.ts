/**
 * Admin paths under `/emulator/`, for driving the emulator from another process (the CLI
 * case). They need no Descope credentials, are never faulted, rate limited or recorded, and
 * answer JSON. Errors use the same `{ errorCode, errorDescription }` body as the API. POST and
 * DELETE need `Content-Type: application/json` (else 415 E000415, nothing changes), and like
 * every request a loopback `Host` (checked by the server): see request-guard.ts for why.
 *
 * | method + path                 | body                         | answer                    |
 * |-------------------------------|------------------------------|---------------------------|
 * | GET    /emulator/state        |                              | `EmulatorState`           |
 * | POST   /emulator/seed         | `EmulatorSeed`               | `EmulatorState` after it  |
 * | POST   /emulator/reset        | none, or `{ seed? }`         | `{ ok: true }`            |
 * | GET    /emulator/requests     |                              | `{ requests }`            |
 * | DELETE /emulator/requests     |                              | `{ ok: true }`            |
 * | GET    /emulator/faults       |                              | `FaultOptions` now        |
 * | POST   /emulator/faults       | `FaultOptions` (`{}` = none) | `FaultOptions` now        |
 * | GET    /emulator/rate-limit   |                              | `{ rateLimit }` or null   |
 * | POST   /emulator/rate-limit   | `RateLimitOptions` or `{}`   | `{ rateLimit }` or null   |
 */
import type { EmulatorCore } from "./core";
import { ApiError, malformedRequest, unknownPath } from "./errors";
import { errorAnswer, type Answer, type RawBody } from "./http-io";
import { requireJsonForAdminWrite } from "./request-guard";
import type { EmulatorSeed, FaultOptions, RateLimitOptions } from "./types";

/** The admin paths, for the index at `GET /emulator`. */
export const CONTROL_PATHS = [
  "GET /emulator/state",
  "POST /emulator/seed",
  "POST /emulator/reset",
  "GET /emulator/requests",
  "DELETE /emulator/requests",
  "GET /emulator/faults",
  "POST /emulator/faults",
  "GET /emulator/rate-limit",
  "POST /emulator/rate-limit",
];

/** Any JSON value, or `undefined` for an empty body; 400 E011001 when not JSON. */
function parseJson(raw: RawBody): unknown {
  if (raw.tooLarge) throw malformedRequest("Request body is too large");
  if (raw.text.trim() === "") return undefined;
  try {
    return JSON.parse(raw.text);
  } catch (err) {
    throw malformedRequest(`Request body is not valid JSON: ${(err as Error).message}`);
  }
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "object" && Object.keys(value).length === 0);
}

type ControlAction = (core: EmulatorCore, body: unknown) => unknown;

const actions: Record<string, ControlAction> = {
  "GET /emulator": () => ({ paths: CONTROL_PATHS }),
  "GET /emulator/state": (core) => core.store.snapshot(),
  "POST /emulator/seed": (core, body) => {
    core.store.seed(body as EmulatorSeed);
    return core.store.snapshot();
  },
  "POST /emulator/reset": (core, body) => {
    const seed = (body as { seed?: EmulatorSeed } | undefined)?.seed;
    core.reset(seed);
    return { ok: true };
  },
  "GET /emulator/requests": (core) => ({ requests: core.log.all() }),
  "DELETE /emulator/requests": (core) => {
    core.log.clear();
    return { ok: true };
  },
  "GET /emulator/faults": (core) => core.faults.current(),
  "POST /emulator/faults": (core, body) => {
    core.faults.set(body as FaultOptions | undefined);
    return core.faults.current();
  },
  "GET /emulator/rate-limit": (core) => ({ rateLimit: core.limiter.current() ?? null }),
  "POST /emulator/rate-limit": (core, body) => {
    core.limiter.set(isEmpty(body) ? undefined : (body as RateLimitOptions));
    return { rateLimit: core.limiter.current() ?? null };
  },
};

/**
 * Answers one admin request. Nothing here throws: a POST or DELETE that is not JSON is a 415,
 * bad input a 400, an unknown path a 404.
 */
export function handleControl(
  core: EmulatorCore,
  method: string,
  path: string,
  raw: RawBody,
  contentType: string | undefined,
): Answer {
  const key = `${method} ${path.replace(/\/+$/, "")}`;
  const action = Object.hasOwn(actions, key) ? actions[key] : undefined;
  try {
    requireJsonForAdminWrite(method, path, contentType);
    if (!action) throw unknownPath(method, path);
    return { status: 200, body: action(core, parseJson(raw)) };
  } catch (err) {
    if (err instanceof ApiError) return errorAnswer(err);
    return errorAnswer(malformedRequest((err as Error)?.message ?? String(err)));
  }
}
