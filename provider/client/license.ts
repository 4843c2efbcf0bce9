/**
 * The license handshake: `GET /v1/mgmt/license` → `{ rateLimitTier }`, like the official SDKs;
 * the tier goes back on every management call as `x-descope-license` so the service applies
 * the customer's rate-limit tier. A successful handshake is remembered for the process (per
 * project and base URL). A failed one is tolerated (calls go without the header, at the
 * default tier) and tried again by the first call at least {@link LICENSE_RETRY_MS} later.
 */
import { licenseSchema } from "./responses";
import type { AttemptResult } from "./transport";

/** Sends the handshake request once; provided by the client (limiter, credentials, dispatcher). */
export type LicenseFetch = () => Promise<AttemptResult>;

/** The least time between two handshakes after one failed. */
export const LICENSE_RETRY_MS = 60_000;

/** What the process knows about one project's tier. */
interface Entry {
  /** The handshake in flight, shared by the calls that wait for it. */
  pending?: Promise<string | undefined>;
  /** Set once a handshake succeeded: the tier, or `undefined` when the answer named none. */
  done?: { tier: string | undefined };
  /** When the last handshake failed, by `now`. */
  failedAt?: number;
}

const entries = new Map<string, Entry>();

/**
 * The tier for `key` (project ID + base URL): remembered after a success; otherwise fetched
 * with `fetch`, unless the last failure was less than {@link LICENSE_RETRY_MS} ago by `now`
 * (then `undefined` at once). Never rejects.
 */
export function fetchLicenseTier(
  key: string,
  fetch: LicenseFetch,
  now: () => number = () => performance.now(),
): Promise<string | undefined> {
  let entry = entries.get(key);
  if (!entry) {
    entry = {};
    entries.set(key, entry);
  }
  if (entry.done) return Promise.resolve(entry.done.tier);
  if (entry.pending) return entry.pending;
  if (entry.failedAt !== undefined && now() - entry.failedAt < LICENSE_RETRY_MS) return Promise.resolve(undefined);
  const current = entry;
  current.pending = handshake(fetch).then((outcome) => {
    current.pending = undefined;
    if (outcome.ok) current.done = { tier: outcome.tier };
    else current.failedAt = now();
    return outcome.tier;
  });
  return current.pending;
}

/** Forgets every remembered tier and failure (for tests). */
export function resetLicenseCache(): void {
  entries.clear();
}

/**
 * One handshake. Success is a 2xx answer; its tier is kept only when it is visible ASCII (a
 * header value; anything else would make every later call fail), else the call goes without.
 */
async function handshake(fetch: LicenseFetch): Promise<{ ok: boolean; tier?: string }> {
  try {
    const result = await fetch();
    if (result.kind !== "response" || result.status < 200 || result.status >= 300) return { ok: false };
    let json: unknown;
    try {
      json = JSON.parse(result.text);
    } catch {
      return { ok: false };
    }
    const parsed = licenseSchema().safeParse(json);
    if (!parsed.success || !/^[\x21-\x7e]{1,128}$/.test(parsed.data.rateLimitTier)) return { ok: true };
    return { ok: true, tier: parsed.data.rateLimitTier };
  } catch {
    return { ok: false };
  }
}
