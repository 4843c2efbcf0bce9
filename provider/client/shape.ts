/**
 * Request shaping, apart from I/O: the URL, headers and body of one Management API call, and
 * the call context used in error messages. Pure functions of their arguments. The wire rules
 * (base URL, region, `Authorization`, JSON bodies) are docs/descope-api.md, "Transport".
 */
import type { DescopeCallContext } from "../errors";
import { paths, type DescopeOperation, type HttpMethod } from "./paths";

/** What one call sends: a JSON body (POST) or query parameters (GET). */
export interface CallRequest {
  /** JSON body of a POST. */
  body?: Record<string, unknown>;
  /** Query parameters of a GET. */
  query?: Record<string, string>;
}

/** The wire form of a call, minus timeouts and dispatcher. */
export interface ShapedRequest {
  /** HTTP method from the path table. */
  method: HttpMethod;
  /** Absolute URL with the query string. */
  url: string;
  /** `authorization`, `accept`, `content-type` on POST, `x-descope-license` when a tier is known. */
  headers: Record<string, string>;
  /** JSON text on POST. */
  body?: string;
}

/**
 * Shapes `operation` for `baseUrl` (no trailing slash). `authorization` is the whole header
 * value, `Bearer <projectId>:<managementKey>`; `tier` comes from the license handshake.
 */
export function shapeRequest(
  baseUrl: string,
  operation: DescopeOperation,
  req: CallRequest,
  authorization: string,
  tier?: string,
): ShapedRequest {
  const { method, path } = paths[operation];
  const query = req.query ? `?${new URLSearchParams(req.query).toString()}` : "";
  const headers: Record<string, string> = { authorization, accept: "application/json" };
  if (method === "POST") headers["content-type"] = "application/json";
  if (tier !== undefined) headers["x-descope-license"] = tier;
  const shaped: ShapedRequest = { method, url: baseUrl + path + query, headers };
  if (method === "POST") shaped.body = JSON.stringify(req.body ?? {});
  return shaped;
}

/** `{ loginId, roleNames, tenantId? }`; an absent or empty `tenantId` is left out (project scope). */
export function roleBody(loginId: string, roleNames: readonly string[], tenantId?: string): Record<string, unknown> {
  return tenantId ? { loginId, roleNames: [...roleNames], tenantId } : { loginId, roleNames: [...roleNames] };
}

/** The error-message context of a user call; the tenant only when there is one. */
export function userScope(loginId: string, tenantId?: string): Omit<DescopeCallContext, "operation"> {
  return tenantId ? { loginId, tenantId } : { loginId };
}
