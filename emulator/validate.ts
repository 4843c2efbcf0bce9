/**
 * Field readers for request bodies and query strings. Each returns the typed value or throws
 * the error of docs/descope-api.md: a missing required field is E011002, a wrong type or an empty required
 * string is E011004. `null` counts as missing, like an omitted JSON field.
 */
import { invalidArgument, missingArgument } from "./errors";

/** A parsed JSON object body. */
export type Body = Record<string, unknown>;

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}

/** A required, non-empty string. */
export function requireString(body: Body, field: string): string {
  const value = body[field];
  if (isAbsent(value)) throw missingArgument(field);
  if (typeof value !== "string") throw invalidArgument(`Field '${field}' must be a string`);
  if (value === "") throw invalidArgument(`Field '${field}' must not be empty`);
  return value;
}

/** An optional string; absent gives `fallback`. Empty strings are kept. */
export function optionalString(body: Body, field: string, fallback = ""): string {
  const value = body[field];
  if (isAbsent(value)) return fallback;
  if (typeof value !== "string") throw invalidArgument(`Field '${field}' must be a string`);
  return value;
}

/** An optional boolean. */
export function optionalBoolean(body: Body, field: string, fallback = false): boolean {
  const value = body[field];
  if (isAbsent(value)) return fallback;
  if (typeof value !== "boolean") throw invalidArgument(`Field '${field}' must be a boolean`);
  return value;
}

/** An optional non-negative integer. */
export function optionalCount(body: Body, field: string, fallback: number): number {
  const value = body[field];
  if (isAbsent(value)) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw invalidArgument(`Field '${field}' must be a non-negative integer`);
  }
  return value;
}

/** Checks that `value` is an array of strings; `what` names it in the error. */
export function toStringArray(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
    throw invalidArgument(`${what} must be an array of strings`);
  }
  return [...(value as string[])];
}

/** A required array of strings (may be empty). */
export function requireStringArray(body: Body, field: string): string[] {
  if (isAbsent(body[field])) throw missingArgument(field);
  return toStringArray(body[field], `Field '${field}'`);
}

/** An optional array of strings; absent gives `[]`. */
export function optionalStringArray(body: Body, field: string): string[] {
  if (isAbsent(body[field])) return [];
  return toStringArray(body[field], `Field '${field}'`);
}

/** How deep a stored free-form object may nest; deeper ones would overflow the stack when copied. */
export const MAX_OBJECT_DEPTH = 32;

/** The nesting depth of a JSON value, computed without recursion (so it cannot overflow itself). */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== "object" || item === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_OBJECT_DEPTH) return deepest;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** An optional plain object (e.g. customAttributes) nested at most `MAX_OBJECT_DEPTH` deep; absent gives `{}`. */
export function optionalObject(body: Body, field: string): Record<string, unknown> {
  const value = body[field];
  if (isAbsent(value)) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw invalidArgument(`Field '${field}' must be an object`);
  }
  if (depthOf(value) > MAX_OBJECT_DEPTH) {
    throw invalidArgument(`Field '${field}' nests deeper than ${MAX_OBJECT_DEPTH} levels`);
  }
  return { ...(value as Record<string, unknown>) };
}

/** An optional array of objects; absent gives `[]`. */
export function optionalObjectArray(body: Body, field: string): Body[] {
  const value = body[field];
  if (isAbsent(value)) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "object" || v === null || Array.isArray(v))) {
    throw invalidArgument(`Field '${field}' must be an array of objects`);
  }
  return value as Body[];
}

/** The optional `tenantId` of role calls: absent and `""` both mean project level. */
export function optionalTenantId(body: Body): string {
  return optionalString(body, "tenantId", "");
}

/** Removes repeated names, keeping the first occurrence's position. */
export function dedupe(names: string[]): string[] {
  return [...new Set(names)];
}

/** The profile fields a user create or a seeded user may carry, read with their defaults. */
export function readProfile(body: Body) {
  return {
    name: optionalString(body, "name") || optionalString(body, "displayName"),
    givenName: optionalString(body, "givenName"),
    middleName: optionalString(body, "middleName"),
    familyName: optionalString(body, "familyName"),
    email: optionalString(body, "email"),
    phone: optionalString(body, "phone"),
    verifiedEmail: optionalBoolean(body, "verifiedEmail"),
    verifiedPhone: optionalBoolean(body, "verifiedPhone"),
    picture: optionalString(body, "picture"),
    customAttributes: optionalObject(body, "customAttributes"),
  };
}
