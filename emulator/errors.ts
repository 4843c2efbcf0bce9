/**
 * Errors the emulator answers with: one class carrying the HTTP status and the Descope
 * `errorCode`, and one constructor per row of the error table in docs/descope-api.md ("Transport").
 */

/** Descope error codes used by the emulator (docs/descope-api.md, "Transport"; `E000…` are the emulator's own). */
export const ErrorCodes = {
  /** Malformed request: body not JSON, not an object, too large. */
  badRequest: "E011001",
  /** A required field is missing. */
  missingArgument: "E011002",
  /** Missing or wrong management key (emulator's choice; the real code is undocumented). */
  unauthorized: "E011003",
  /** Invalid argument: wrong type, empty value, unknown role, non-member tenant, duplicate. */
  invalidArgument: "E011004",
  userNotFound: "E112102",
  tenantNotFound: "E112202",
  rateLimited: "E130429",
  /** Emulator only: no route for this method and path. */
  unknownPath: "E000404",
  /** Emulator only: an admin POST or DELETE without `Content-Type: application/json`. */
  unsupportedMediaType: "E000415",
  /** Emulator only: a `Host` header that is not loopback (a DNS-rebinding guard). */
  hostNotAllowed: "E000421",
  /** Emulator only: a bug in a handler; the request changed nothing. */
  internal: "E000500",
} as const;

/** The JSON body of every error answer. */
export interface ErrorBody {
  errorCode: string;
  errorDescription: string;
  errorMessage?: string;
}

/** An error answer: thrown by handlers and validators, turned into a response by the server. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly errorDescription: string,
    readonly errorMessage?: string,
    /** Extra response headers, e.g. `Retry-After`. */
    readonly headers: Record<string, string> = {},
  ) {
    super(`${status} ${errorCode}: ${errorDescription}${errorMessage ? ` (${errorMessage})` : ""}`);
    this.name = "ApiError";
  }

  /** The body sent to the client. */
  toBody(): ErrorBody {
    const body: ErrorBody = { errorCode: this.errorCode, errorDescription: this.errorDescription };
    if (this.errorMessage) body.errorMessage = this.errorMessage;
    return body;
  }
}

/** 400 E011001: the body is not a JSON object. */
export function malformedRequest(message: string): ApiError {
  return new ApiError(400, ErrorCodes.badRequest, "Malformed request", message);
}

/** 400 E011002: a required field is missing. */
export function missingArgument(field: string): ApiError {
  return new ApiError(400, ErrorCodes.missingArgument, "Missing argument", `Missing field: ${field}`);
}

/** 400 E011004: a field has the wrong type or an unacceptable value. */
export function invalidArgument(message: string): ApiError {
  return new ApiError(400, ErrorCodes.invalidArgument, "Invalid argument", message);
}

/** 401 E011003: the Authorization header is missing or wrong. Never echoes the key. */
export function unauthorized(): ApiError {
  return new ApiError(
    401,
    ErrorCodes.unauthorized,
    "Unauthorized",
    "Missing or invalid management key (expected Authorization: Bearer <projectId>:<managementKey>)",
  );
}

/** 404 E112102: no user has this login ID or user ID. */
export function userNotFound(id: string): ApiError {
  return new ApiError(404, ErrorCodes.userNotFound, "User not found", `No user with login ID or user ID '${id}'`);
}

/** 400 E112202: no tenant has this id. */
export function tenantNotFound(id: string): ApiError {
  return new ApiError(400, ErrorCodes.tenantNotFound, "Tenant not found", `No tenant with id '${id}'`);
}

/** 429 E130429 with `Retry-After` in whole seconds. */
export function rateLimited(retryAfterSeconds: number): ApiError {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return new ApiError(
    429,
    ErrorCodes.rateLimited,
    "Rate limit exceeded",
    `Too many requests, retry in ${seconds} seconds`,
    { "Retry-After": String(seconds) },
  );
}

/** 404 E000404: no such route. The message names the method and path so a wrong client path is obvious. */
export function unknownPath(method: string, path: string): ApiError {
  return new ApiError(
    404,
    ErrorCodes.unknownPath,
    "Unknown path",
    `descope-emulator has no route for ${method} ${path}`,
  );
}

/** 500 E000500: a handler threw something other than an ApiError. */
export function internalError(err: unknown): ApiError {
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError(500, ErrorCodes.internal, "Internal emulator error", message);
}

/** A header value quoted for a message: at most 100 characters, or `none` when absent. */
function quoteHeader(value: string | undefined): string {
  return value === undefined ? "none" : `'${value.length > 100 ? `${value.slice(0, 100)}…` : value}'`;
}

/** 421 E000421: the `Host` header is not a loopback name, so the request may come from a rebound DNS name. */
export function hostNotAllowed(host: string | undefined): ApiError {
  return new ApiError(
    421,
    ErrorCodes.hostNotAllowed,
    "Host not allowed",
    `descope-emulator answers only requests whose Host header is loopback (localhost, 127.x.x.x or [::1], ` +
      `with or without a port); got ${quoteHeader(host)}. This guards against DNS rebinding.`,
  );
}

/** 415 E000415: an admin POST or DELETE whose `Content-Type` is not `application/json`. */
export function unsupportedMediaType(method: string, path: string, contentType: string | undefined): ApiError {
  return new ApiError(
    415,
    ErrorCodes.unsupportedMediaType,
    "Unsupported media type",
    `${method} ${path} needs the header Content-Type: application/json (got ${quoteHeader(contentType)}); ` +
      `admin paths refuse other types so that a web page cannot drive the emulator.`,
  );
}
