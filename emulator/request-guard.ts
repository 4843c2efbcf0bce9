/**
 * What keeps a web page from driving the emulator. A page cannot read answers from another
 * origin, but it can still send: a "simple" cross-origin POST (a form, or `fetch` with
 * `Content-Type: text/plain`) needs no CORS preflight, and with DNS rebinding a page's own
 * host name can come to resolve to 127.0.0.1, making every request same-origin. So:
 * - every request (API and admin) must carry a loopback `Host` (a rebound name arrives as
 *   `Host: evil.example`); the emulator only ever listens on 127.0.0.1, so no other name is right;
 * - admin POST and DELETE must say `Content-Type: application/json`, which a cross-origin page
 *   can send only after a preflight that the emulator never grants (it sends no CORS headers).
 * API paths need `Authorization`, which a page cannot send cross-origin without a preflight either.
 */
import { unsupportedMediaType } from "./errors";

/** One IPv4 octet, 0..255, without leading zeros. */
const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
/** `localhost`, `127.x.y.z` or `[::1]`, then an optional `:port`. */
const LOOPBACK_HOST = new RegExp(`^(?:localhost|127(?:\\.${OCTET}){3}|\\[::1\\])(?::(\\d{1,5}))?$`, "i");

/**
 * Whether a `Host` header names this machine's loopback interface: `localhost`, any
 * `127.x.y.z`, or `[::1]`, each with or without a port. A missing header is not. The server
 * answers 421 E000421 to every request (API and admin) for which this is false.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  const match = LOOPBACK_HOST.exec(host ?? "");
  return match !== null && (match[1] === undefined || Number(match[1]) <= 65535);
}

/** Whether a `Content-Type` is `application/json`, parameters (`; charset=utf-8`) allowed. */
export function isJsonContentType(contentType: string | undefined): boolean {
  return (contentType ?? "").split(";")[0].trim().toLowerCase() === "application/json";
}

/** Throws 415 E000415 for an admin POST or DELETE that is not `application/json`; other methods pass. */
export function requireJsonForAdminWrite(method: string, path: string, contentType: string | undefined): void {
  if ((method === "POST" || method === "DELETE") && !isJsonContentType(contentType)) {
    throw unsupportedMediaType(method, path, contentType);
  }
}
