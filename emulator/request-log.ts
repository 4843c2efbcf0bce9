/**
 * The record of Descope API calls the emulator answered, for tests to assert on. Credentials
 * never enter it: the `authorization` and `cookie` headers are dropped before recording.
 */
import type { RecordedRequest } from "./types";

/** Read access to the log, as exposed on the emulator handle. */
export interface RequestLogView {
  /** Deep copies of every recorded call, oldest first. */
  all(): RecordedRequest[];
  /** The most recent call, if any. */
  last(): RecordedRequest | undefined;
  /** Forgets every recorded call (sequence numbers keep counting). */
  clear(): void;
}

const REDACTED_HEADERS = new Set(["authorization", "cookie", "proxy-authorization"]);

/** Copies headers with lower-cased names, without credentials. */
export function safeHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (value === undefined || REDACTED_HEADERS.has(key)) continue;
    out[key] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** Keeps the last `limit` calls. */
export class RequestLog implements RequestLogView {
  private entries: RecordedRequest[] = [];
  private seq = 0;

  constructor(private readonly limit = 10_000) {}

  /** Appends a call and gives it the next sequence number. */
  record(entry: Omit<RecordedRequest, "seq">): void {
    this.seq += 1;
    let copy: RecordedRequest;
    try {
      copy = structuredClone({ seq: this.seq, ...entry });
    } catch {
      // A pathological body (e.g. nested 100k deep) cannot be copied: record the call without it.
      const { body: _body, responseBody: _response, ...rest } = entry;
      copy = { seq: this.seq, ...structuredClone(rest), body: "<not recordable>", responseBody: "<not recordable>" };
    }
    this.entries.push(copy);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
  }

  all(): RecordedRequest[] {
    return structuredClone(this.entries);
  }

  last(): RecordedRequest | undefined {
    const entry = this.entries[this.entries.length - 1];
    return entry ? structuredClone(entry) : undefined;
  }

  clear(): void {
    this.entries = [];
  }
}
