/**
 * Descope credentials, base URL and client tunables, resolved and validated from stack config
 * and the environment, in one place.
 *
 * Pure: the caller passes both sources in (nothing here reads `process.env`), so this runs the
 * same at preview, at apply and in tests.
 */
import * as os from "node:os";
import * as path from "node:path";
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
  /** `descope:operationTimeoutSeconds`: how long one operation may retry; default {@link DEFAULT_OPERATION_TIMEOUT_SECONDS}. */
  operationTimeoutSeconds?: string;
}

/** Resolved, validated settings for {@link DescopeClient}. */
export interface DescopeSettings {
  /** The Descope project ID. */
  projectId: string;
  /** The management key; never put it in a message. */
  managementKey: string;
  /** Base URL without a trailing slash, e.g. `https://api.descope.com`. */
  baseUrl: string;
  /** The client-side budget per project, shared by the provider processes on this machine. */
  rateLimit: { requests: number; perSeconds: number };
  /** The per-operation deadline in ms: retries stop when it would pass. */
  operationDeadlineMs: number;
  /** Where the client-side budget's state file lives, shared by processes on this machine. */
  budgetDir: string;
}

/** The default client-side budget: under Descope's documented ~500 user-management calls a minute. */
export const DEFAULT_REQUESTS_PER_MINUTE = 400;

/** The default per-operation deadline: retries of one operation stop after 5 minutes of trying. */
export const DEFAULT_OPERATION_TIMEOUT_SECONDS = 300;

/** The default Descope API base URL (projects without a region). */
export const DEFAULT_BASE_URL = "https://api.descope.com";

/**
 * Resolves the settings: stack config wins over `DESCOPE_PROJECT_ID`, `DESCOPE_MANAGEMENT_KEY`,
 * `DESCOPE_BASE_URL`, `DESCOPE_REQUESTS_PER_MINUTE` and `DESCOPE_OPERATION_TIMEOUT_SECONDS`; the
 * base URL defaults to {@link baseUrlForProject}. The budget directory comes from
 * `DESCOPE_BUDGET_DIR` only, else {@link defaultBudgetDir}.
 *
 * @throws DescopeConfigError when the project ID or key is missing (naming both the config
 *   key and the variable), the base URL is unparsable or plain http to a non-loopback host,
 *   the budget or the operation timeout is not a positive number, or `DESCOPE_BUDGET_DIR` is
 *   not an absolute path.
 */
export function resolveSettings(config: DescopeConfigInput, env: Record<string, string | undefined>): DescopeSettings {
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
  const operationDeadlineMs = operationTimeout(
    pick(config.operationTimeoutSeconds, env.DESCOPE_OPERATION_TIMEOUT_SECONDS),
  );
  const budgetDir = budgetDirectory(pick(undefined, env.DESCOPE_BUDGET_DIR), env);
  return { projectId, managementKey, baseUrl, rateLimit: { requests, perSeconds: 60 }, operationDeadlineMs, budgetDir };
}

/** The operation deadline in ms from a number of seconds (default {@link DEFAULT_OPERATION_TIMEOUT_SECONDS}). */
function operationTimeout(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_OPERATION_TIMEOUT_SECONDS * 1000;
  const ms = /^\d+(\.\d+)?$/.test(raw) ? Math.round(Number(raw) * 1000) : NaN;
  if (!Number.isFinite(ms) || ms < 1) {
    throw new DescopeConfigError(
      "descope:operationTimeoutSeconds",
      `invalid Descope operation timeout ${JSON.stringify(raw)}: descope:operationTimeoutSeconds / DESCOPE_OPERATION_TIMEOUT_SECONDS must be a positive number of seconds`,
    );
  }
  return ms;
}

function budgetDirectory(explicit: string | undefined, env: Record<string, string | undefined>): string {
  if (explicit === undefined) return defaultBudgetDir(env);
  if (!path.isAbsolute(explicit)) {
    throw new DescopeConfigError(
      "DESCOPE_BUDGET_DIR",
      `invalid DESCOPE_BUDGET_DIR ${JSON.stringify(explicit)}: the directory of the shared request budget must be an absolute path`,
    );
  }
  return path.normalize(explicit);
}

/**
 * Where provider processes on this machine keep the shared request budget:
 * `$XDG_CACHE_HOME/pulumi-descope-access/budget`, or `~/.cache/pulumi-descope-access/budget`
 * when `XDG_CACHE_HOME` is unset or not absolute. The home directory is `HOME` from `env`, else
 * the operating system's.
 */
export function defaultBudgetDir(env: Record<string, string | undefined>): string {
  const xdg = env.XDG_CACHE_HOME?.trim();
  const home = env.HOME?.trim() || os.homedir();
  const cache = xdg && path.isAbsolute(xdg) ? xdg : path.join(home, ".cache");
  return path.join(cache, "pulumi-descope-access", "budget");
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
