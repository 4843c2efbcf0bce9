/**
 * Descope credentials and base URL, resolved from stack config and the environment.
 *
 * Pure: the caller passes both sources in (nothing here reads `process.env`), so this runs the
 * same at preview, at apply and in tests.
 */
import { DescopeConfigError } from "./errors";

/** Values read from the `descope:` stack config namespace; blank strings count as unset. */
export interface DescopeConfigInput {
  /** `descope:projectId`. */
  projectId?: string;
  /** `descope:managementKey` (a secret). */
  managementKey?: string;
  /** `descope:baseUrl`; default from the project ID's region. */
  baseUrl?: string;
  /** `descope:requestsPerMinute`: the client-side budget; default {@link DEFAULT_REQUESTS_PER_MINUTE}. */
  requestsPerMinute?: string;
}

/** Resolved, validated settings for {@link DescopeClient}. */
export interface DescopeSettings {
  /** The Descope project ID. */
  projectId: string;
  /** The management key; never put it in a message. */
  managementKey: string;
  /** Base URL without a trailing slash, e.g. `https://api.descope.com`. */
  baseUrl: string;
  /** The client-side budget per project in this process. */
  rateLimit: { requests: number; perSeconds: number };
}

/** The default client-side budget: under Descope's documented ~500 user-management calls a minute. */
export const DEFAULT_REQUESTS_PER_MINUTE = 400;

/** The default Descope API base URL (projects without a region). */
export const DEFAULT_BASE_URL = "https://api.descope.com";

/**
 * Resolves the settings: stack config wins over `DESCOPE_PROJECT_ID`, `DESCOPE_MANAGEMENT_KEY`
 * and `DESCOPE_BASE_URL`; the base URL defaults to {@link baseUrlForProject}.
 *
 * @throws DescopeConfigError when the project ID or key is missing (naming both the config
 *   key and the variable), or the base URL is unparsable or plain http to a non-loopback host.
 */
export function resolveSettings(
  config: DescopeConfigInput,
  env: Record<string, string | undefined>,
): DescopeSettings {
  const projectId = pick(config.projectId, env.DESCOPE_PROJECT_ID);
  if (!projectId) throw missing("project ID", "descope:projectId", "DESCOPE_PROJECT_ID");
  const managementKey = pick(config.managementKey, env.DESCOPE_MANAGEMENT_KEY);
  if (!managementKey) throw missing("management key", "descope:managementKey", "DESCOPE_MANAGEMENT_KEY");
  const explicit = pick(config.baseUrl, env.DESCOPE_BASE_URL);
  const baseUrl = explicit !== undefined ? normalizeBaseUrl(explicit) : baseUrlForProject(projectId);
  const budget = pick(config.requestsPerMinute, env.DESCOPE_REQUESTS_PER_MINUTE);
  const requests = budget === undefined ? DEFAULT_REQUESTS_PER_MINUTE : Number(budget);
  if (!Number.isInteger(requests) || requests < 1) {
    throw new DescopeConfigError(
      "descope:requestsPerMinute",
      `invalid Descope request budget ${JSON.stringify(budget)}: descope:requestsPerMinute / DESCOPE_REQUESTS_PER_MINUTE must be a whole number of at least 1`,
    );
  }
  return { projectId, managementKey, baseUrl, rateLimit: { requests, perSeconds: 60 } };
}

/**
 * The base URL for a project ID by Descope's region rule: an ID of 32 or more characters
 * carries its region in characters 1..4 (`Peuc1…` → `https://api.euc1.descope.com`);
 * shorter IDs use {@link DEFAULT_BASE_URL}.
 *
 * @throws DescopeConfigError when a long ID's region is not alphanumeric.
 */
export function baseUrlForProject(projectId: string): string {
  if (projectId.length < 32) return DEFAULT_BASE_URL;
  const region = projectId.slice(1, 5);
  if (!/^[a-z0-9]+$/i.test(region)) {
    throw new DescopeConfigError(
      "descope:projectId",
      `invalid Descope project ID: its region characters ${JSON.stringify(region)} are not alphanumeric; ` +
        "check descope:projectId / DESCOPE_PROJECT_ID, or set descope:baseUrl / DESCOPE_BASE_URL",
    );
  }
  return `https://api.${region.toLowerCase()}.descope.com`;
}

/**
 * Validates an explicit base URL and strips trailing slashes. Only `https` is accepted, except
 * plain `http` to a loopback host (127.0.0.0/8, `localhost`, `::1`) for the emulator.
 *
 * @throws DescopeConfigError when the URL is unparsable, not http(s), plain http to a
 *   non-loopback host, or carries credentials, a query or a fragment.
 */
export function normalizeBaseUrl(raw: string): string {
  const trimmed = raw.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw badUrl(`${JSON.stringify(trimmed)} is not a valid URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw badUrl(`${url.protocol} is not supported, use https`);
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    throw badUrl(`plain http is refused for ${url.hostname} (only loopback hosts may use http), use https`);
  }
  if (url.username || url.password) throw badUrl("it must not contain credentials");
  if (url.search || url.hash) throw badUrl("it must not contain a query or fragment");
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}

/** True for `localhost`, 127.0.0.0/8 and `::1` (as `URL.hostname` spells them). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (host === "localhost" || host === "::1") return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return m !== null && m.slice(1).every((o) => Number(o) <= 255);
}

function pick(fromConfig: string | undefined, fromEnv: string | undefined): string | undefined {
  for (const v of [fromConfig, fromEnv]) {
    if (typeof v === "string" && v.trim() !== "") return v.trim();
  }
  return undefined;
}

function missing(what: string, configKey: string, envVar: string): DescopeConfigError {
  return new DescopeConfigError(
    configKey,
    `missing Descope ${what}: set the stack config ${configKey} or the environment variable ${envVar}`,
  );
}

function badUrl(why: string): DescopeConfigError {
  return new DescopeConfigError(
    "descope:baseUrl",
    `invalid Descope base URL from descope:baseUrl / DESCOPE_BASE_URL: ${why}`,
  );
}
