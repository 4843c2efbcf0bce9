/**
 * One HTTP attempt against the Management API over undici: send, read the body up to a cap, and
 * turn every outcome into data (a response, a body over the cap, or a classified transport
 * failure). Never throws, never retries; the retry loop lives in `call.ts`, the retry policy
 * in `retry.ts`.
 */
import { request, type Dispatcher } from "undici";
import type { TransportFailure } from "./retry";

/** What to send. `headers` carries the credentials; nothing here logs or echoes them. */
export interface AttemptRequest {
  /** HTTP method. */
  method: "GET" | "POST";
  /** Absolute URL including the query. */
  url: string;
  /** Request headers. */
  headers: Record<string, string>;
  /** JSON text for POST. */
  body?: string;
  /** Per-attempt timeout covering connect, headers and body. */
  timeoutMs: number;
  /** Aborts the attempt when the operation deadline passes. */
  deadline: AbortSignal;
  /** undici dispatcher; the global one when absent. */
  dispatcher?: Dispatcher;
  /** The most body bytes read; a longer body is abandoned unread. @default {@link DEFAULT_MAX_RESPONSE_BYTES} */
  maxResponseBytes?: number;
}

/** The default cap on a response body: 4 MiB (a page of 100 users is far below it). */
export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** The outcome of one attempt. */
export type AttemptResult =
  | { kind: "response"; status: number; retryAfter?: string; text: string }
  /** The body was longer than `limitBytes`; the rest was not read (the connection is dropped). */
  | { kind: "oversize"; status: number; limitBytes: number }
  | {
      kind: "failure";
      /** How the retry policy sees it. */
      failure: TransportFailure;
      /** Set when our own timer ended it: the request timeout or the operation deadline. */
      timedOutBy?: "request" | "deadline";
      /** Low-level code, e.g. `ECONNRESET`. */
      code: string;
      /** Low-level message (may need redaction before display). */
      detail: string;
    };

/** Nothing listens at the address. */
const REFUSED_CODES = new Set(["ECONNREFUSED"]);
/** The host name does not resolve (`EAI_AGAIN`: the resolver gave no answer in time). */
const UNRESOLVED_CODES = new Set(["ENOTFOUND", "EAI_AGAIN"]);
/** Codes of connection failures worth retrying (the server or the path may come back). */
const RESET_CODES = new Set([
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ENETDOWN",
  "EHOSTDOWN",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
]);
const TIMEOUT_CODES = new Set(["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

/** Sends one request and reads its body; every error becomes an {@link AttemptResult}. */
export async function sendAttempt(req: AttemptRequest): Promise<AttemptResult> {
  const controller = new AbortController();
  let timedOutBy: "request" | "deadline" | undefined;
  const onDeadline = () => {
    timedOutBy ??= "deadline";
    controller.abort(new Error("operation deadline passed"));
  };
  const timer = setTimeout(() => {
    timedOutBy ??= "request";
    controller.abort(new Error("request timeout"));
  }, req.timeoutMs);
  if (req.deadline.aborted) onDeadline();
  else req.deadline.addEventListener("abort", onDeadline, { once: true });
  try {
    const res = await request(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: controller.signal,
      dispatcher: req.dispatcher,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
    });
    const limitBytes = req.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const text = await readCapped(res.body, Number(firstHeader(res.headers["content-length"])), limitBytes);
    if (text === undefined) return { kind: "oversize", status: res.statusCode, limitBytes };
    const retryAfter = firstHeader(res.headers["retry-after"]);
    return { kind: "response", status: res.statusCode, text, ...(retryAfter !== undefined ? { retryAfter } : {}) };
  } catch (err) {
    if (timedOutBy)
      return { kind: "failure", failure: "timeout", timedOutBy, code: "ETIMEDOUT", detail: `${timedOutBy} timeout` };
    const code = errorCode(err);
    return {
      kind: "failure",
      failure: classifyCode(code),
      code,
      detail: err instanceof Error ? err.message : String(err),
    };
  } finally {
    clearTimeout(timer);
    req.deadline.removeEventListener("abort", onDeadline);
  }
}

/** How the retry policy sees a low-level error code. */
export function classifyCode(code: string): TransportFailure {
  if (TIMEOUT_CODES.has(code)) return "timeout";
  if (REFUSED_CODES.has(code)) return "refused";
  if (UNRESOLVED_CODES.has(code)) return "unresolved";
  return RESET_CODES.has(code) ? "reset" : "other";
}

/**
 * The body as UTF-8 text, or `undefined` as soon as it is known to exceed `limitBytes` (from
 * `Content-Length`, or while streaming); the stream is destroyed then, so the rest is never read.
 */
async function readCapped(
  body: Dispatcher.ResponseData["body"],
  declaredLength: number,
  limitBytes: number,
): Promise<string | undefined> {
  if (declaredLength > limitBytes) {
    body.destroy();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > limitBytes) {
      body.destroy();
      return undefined;
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, size).toString("utf8");
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The most specific error code on an error, its causes, or an AggregateError's errors (system codes such as `ECONNRESET` first). */
function errorCode(err: unknown): string {
  const seen: unknown[] = [err];
  const codes: string[] = [];
  for (let i = 0; i < seen.length && i < 16; i++) {
    const e = seen[i] as { code?: unknown; cause?: unknown; errors?: unknown } | null;
    if (e && typeof e === "object") {
      if (typeof e.code === "string" && e.code !== "UND_ERR") codes.push(e.code);
      if (e.cause) seen.push(e.cause);
      if (Array.isArray(e.errors)) seen.push(...e.errors);
    }
  }
  return codes.find((c) => /^E[A-Z]/.test(c)) ?? codes[0] ?? "UNKNOWN";
}
