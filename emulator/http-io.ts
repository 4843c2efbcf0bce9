/**
 * Small HTTP helpers shared by the API and the admin paths: reading a bounded body, parsing
 * JSON object bodies with the error docs/descope-api.md gives, and writing JSON or text answers safely (never
 * throwing when the client has already gone).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError, malformedRequest } from "./errors";
import type { Body } from "./validate";

/** Bodies above this are refused (400 E011001) without being kept in memory. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** A request body as read off the wire. */
export interface RawBody {
  text: string;
  tooLarge: boolean;
}

/** Reads the whole body, keeping at most `MAX_BODY_BYTES` (the rest is drained and dropped). */
export function readBody(req: IncomingMessage): Promise<RawBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve({ text: Buffer.concat(chunks).toString("utf8"), tooLarge: size > MAX_BODY_BYTES }));
    req.on("error", reject);
  });
}

/** The body as it goes into the request log: parsed JSON, else the text, else undefined. */
export function bodyForLog(raw: RawBody): unknown {
  if (raw.tooLarge) return `<${MAX_BODY_BYTES}+ bytes, not recorded>`;
  if (raw.text === "") return undefined;
  try {
    return JSON.parse(raw.text);
  } catch {
    return raw.text;
  }
}

/** Parses a JSON object body or throws 400 E011001. */
export function parseObjectBody(raw: RawBody): Body {
  if (raw.tooLarge) throw malformedRequest(`Request body is larger than ${MAX_BODY_BYTES} bytes`);
  if (raw.text.trim() === "") throw malformedRequest("Request body is empty; a JSON object is expected");
  let value: unknown;
  try {
    value = JSON.parse(raw.text);
  } catch (err) {
    throw malformedRequest(`Request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw malformedRequest("Request body must be a JSON object");
  }
  return value as Body;
}

/** The query string as a plain map (first value wins), with no prototype to pollute. */
export function parseQuery(params: URLSearchParams): Record<string, string> {
  const query: Record<string, string> = Object.create(null);
  for (const [key, value] of params) if (!(key in query)) query[key] = value;
  return query;
}

/** An answer ready to be written. */
export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Send `body` as this text with this content type instead of JSON. */
  text?: { contentType: string; content: string };
}

/** The answer for an ApiError. */
export function errorAnswer(err: ApiError): Answer {
  return { status: err.status, body: err.toBody(), headers: err.headers };
}

/** Writes `answer` unless the connection is gone. */
export function send(res: ServerResponse, answer: Answer): void {
  if (res.destroyed || res.headersSent) return;
  const payload = answer.text ? answer.text.content : JSON.stringify(answer.body ?? {});
  res.writeHead(answer.status, {
    "Content-Type": answer.text ? answer.text.contentType : "application/json",
    "Content-Length": Buffer.byteLength(payload),
    ...answer.headers,
  });
  res.end(payload);
}
