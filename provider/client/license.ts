/**
 * The license handshake: `GET /v1/mgmt/license` → `{ rateLimitTier }`, done once per process
 * per project and base URL, like the official SDKs; the tier goes back on every management
 * call as `x-descope-license` so the service applies the customer's rate-limit tier. A failed
 * handshake is tolerated (and remembered): calls then go without the header (default tier).
 */
import { licenseSchema } from "./responses";
import type { AttemptResult } from "./transport";

/** Sends the handshake request once; provided by the client (limiter, credentials, dispatcher). */
export type LicenseFetch = () => Promise<AttemptResult>;

const tiers = new Map<string, Promise<string | undefined>>();

/** The tier for `key` (project ID + base URL), fetching it with `fetch` on first use. Never rejects. */
export function fetchLicenseTier(key: string, fetch: LicenseFetch): Promise<string | undefined> {
  let tier = tiers.get(key);
  if (!tier) {
    tier = handshake(fetch);
    tiers.set(key, tier);
  }
  return tier;
}

/** Forgets every remembered tier (for tests). */
export function resetLicenseCache(): void {
  tiers.clear();
}

async function handshake(fetch: LicenseFetch): Promise<string | undefined> {
  try {
    const result = await fetch();
    if (result.kind !== "response" || result.status < 200 || result.status >= 300) return undefined;
    const parsed = licenseSchema().safeParse(JSON.parse(result.text));
    // A header value must be visible ASCII; anything else would make every later call fail.
    if (!parsed.success || !/^[\x21-\x7e]{1,128}$/.test(parsed.data.rateLimitTier)) return undefined;
    return parsed.data.rateLimitTier;
  } catch {
    return undefined;
  }
}
