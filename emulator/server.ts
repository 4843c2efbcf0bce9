/**
 * HTTP wiring of the emulator. Every request first needs a loopback `Host` (else 421 E000421,
 * unrecorded; request-guard.ts). One Descope API request then goes through, in order:
 * latency → injected fault decided (before-apply faults answer here) → route (unknown: 404,
 * loudly) → auth (401) → rate limit (429) → JSON body (400) → handler in a transaction →
 * after-apply fault (the change stays, the answer is lost) → answer, recorded in the log.
 * Paths under `/emulator/` go to the admin control instead and need no credentials (control.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { handleControl } from "./control";
import type { EmulatorCore } from "./core";
import { ApiError, hostNotAllowed, internalError, rateLimited, unauthorized, unknownPath } from "./errors";
import { isAfterApply } from "./faults";
import {
  bodyForLog,
  errorAnswer,
  parseObjectBody,
  parseQuery,
  readBody,
  send,
  type Answer,
  type RawBody,
} from "./http-io";
import { isLoopbackHost } from "./request-guard";
import { safeHeaders } from "./request-log";
import { matchRoute } from "./routes";
import type { FaultKind, RecordedRequest } from "./types";

const GATEWAY_PAGE =
  "<html><head><title>503 Service Temporarily Unavailable</title></head>" +
  "<body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>\n";

/** The answer of a 503 or 429 fault (a reset has none). */
function faultAnswer(core: EmulatorCore, kind: FaultKind): Answer {
  if (kind === "429") return errorAnswer(rateLimited(core.faults.retryAfterSeconds()));
  return { status: 503, body: GATEWAY_PAGE, text: { contentType: "text/html", content: GATEWAY_PAGE } };
}

function isAuthorized(core: EmulatorCore, header: string | undefined): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? "");
  return match !== null && match[1] === `${core.projectId}:${core.managementKey}`;
}

/** Route, auth, limit, body and handler: the answer the real service would give. */
function answerApi(core: EmulatorCore, req: IncomingMessage, url: URL, raw: RawBody): Answer {
  const method = req.method ?? "GET";
  try {
    const route = matchRoute(method, url.pathname);
    if (!route) {
      core.warn(`descope-emulator: 404 for unknown route ${method} ${url.pathname}`);
      throw unknownPath(method, url.pathname);
    }
    if (!isAuthorized(core, req.headers.authorization)) throw unauthorized();
    const wait = core.limiter.take(core.projectId);
    if (wait > 0) throw rateLimited(wait);
    const body = route.method === "POST" ? parseObjectBody(raw) : {};
    const result = route.handler({ body, query: parseQuery(url.searchParams), store: core.store });
    return { status: 200, body: result };
  } catch (err) {
    if (err instanceof ApiError) return errorAnswer(err);
    core.warn(`descope-emulator: handler error on ${method} ${url.pathname}: ${(err as Error)?.stack ?? err}`);
    return errorAnswer(internalError(err));
  }
}

/** Writes the answer (or destroys the connection) and records the call. */
function finish(
  res: ServerResponse,
  core: EmulatorCore,
  entry: Omit<RecordedRequest, "seq" | "status" | "responseBody">,
  answer: Answer | undefined,
): void {
  if (answer) send(res, answer);
  else res.socket?.destroy();
  core.log.record({ ...entry, status: answer?.status ?? 0, responseBody: answer?.body });
}

async function handleApi(
  core: EmulatorCore,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  raw: RawBody,
  sleep: Sleeper,
): Promise<void> {
  const path = url.pathname;
  const latency = core.faults.latencyFor(path);
  if (latency > 0) await sleep(latency);
  const fault = core.faults.decide(path);
  const entry = {
    method: req.method ?? "GET",
    path,
    query: { ...parseQuery(url.searchParams) },
    headers: safeHeaders(req.headers),
    body: bodyForLog(raw),
    ...(fault ? { fault } : {}),
  };
  if (fault && !isAfterApply(fault)) {
    finish(res, core, entry, fault === "reset" ? undefined : faultAnswer(core, fault));
    return;
  }
  const answer = answerApi(core, req, url, raw);
  if (!fault) return finish(res, core, entry, answer);
  const lost = fault === "reset-after-apply" ? undefined : faultAnswer(core, fault);
  finish(res, core, { ...entry, appliedStatus: answer.status }, lost);
}

/** A cancellable `setTimeout` promise; `cancelAll` rejects the pending ones (used on close). */
type Sleeper = ((ms: number) => Promise<void>) & { cancelAll(): void };

function createSleeper(): Sleeper {
  const pending = new Map<NodeJS.Timeout, (err: Error) => void>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(timer);
        resolve();
      }, ms);
      pending.set(timer, reject);
    });
  return Object.assign(sleep, {
    cancelAll() {
      for (const [timer, reject] of pending) {
        clearTimeout(timer);
        reject(new Error("emulator closed"));
      }
      pending.clear();
    },
  });
}

/** An HTTP server for `core`; `stop()` closes it, every connection and any pending latency. */
export function createEmulatorServer(core: EmulatorCore): { server: Server; stop(): Promise<void> } {
  const sleep = createSleeper();
  const server = createServer((req, res) => {
    void (async () => {
      let url: URL;
      try {
        url = new URL(req.url ?? "/", "http://emulator.invalid");
      } catch {
        return send(res, { status: 400, body: { errorCode: "E011001", errorDescription: "Malformed URL" } });
      }
      const raw = await readBody(req);
      if (!isLoopbackHost(req.headers.host)) {
        const refusal = hostNotAllowed(req.headers.host);
        core.warn(`descope-emulator: 421 for ${req.method} ${url.pathname}: ${refusal.errorMessage}`);
        return send(res, errorAnswer(refusal));
      }
      if (url.pathname === "/emulator" || url.pathname.startsWith("/emulator/")) {
        return send(res, handleControl(core, req.method ?? "GET", url.pathname, raw, req.headers["content-type"]));
      }
      await handleApi(core, req, res, url, raw, sleep);
    })().catch(() => {
      // The client went away or the emulator is closing: nothing to answer.
      if (!res.headersSent) res.socket?.destroy();
    });
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      sleep.cancelAll();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { server, stop };
}
