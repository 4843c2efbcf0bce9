import {
  LICENSE_RETRY_MS,
  fetchLicenseTier,
  resetLicenseCache,
  type LicenseFetch,
} from "../../provider/client/license";
import type { AttemptResult } from "../../provider/client/transport";

const OK: AttemptResult = { kind: "response", status: 200, text: JSON.stringify({ rateLimitTier: "tier-9" }) };
const DOWN: AttemptResult = { kind: "response", status: 503, text: "<html>503</html>" };

/** A handshake that answers `results` in turn (the last one repeats) and counts its calls. */
function handshakes(...results: AttemptResult[]): LicenseFetch & { calls: number } {
  const fetch = (async () => results[Math.min(fetch.calls++, results.length - 1)]) as LicenseFetch & { calls: number };
  fetch.calls = 0;
  return fetch;
}

describe("fetchLicenseTier", () => {
  let t = 0;
  const now = () => t;
  beforeEach(() => {
    resetLicenseCache();
    t = 1_000_000;
  });

  it("keeps the tier for the process when the handshake succeeds", async () => {
    const fetch = handshakes(OK);
    await expect(fetchLicenseTier("P\0url", fetch, now)).resolves.toBe("tier-9");
    t += 10 * LICENSE_RETRY_MS;
    await expect(fetchLicenseTier("P\0url", fetch, now)).resolves.toBe("tier-9");
    expect(fetch.calls).toBe(1);
  });

  it("shares one handshake when calls start together", async () => {
    const fetch = handshakes(OK);
    const tiers = await Promise.all([1, 2, 3].map(() => fetchLicenseTier("P\0url", fetch, now)));
    expect(tiers).toEqual(["tier-9", "tier-9", "tier-9"]);
    expect(fetch.calls).toBe(1);
  });

  it("goes without a tier and does not ask again within 60 s when the handshake fails", async () => {
    const fetch = handshakes(DOWN, OK);
    await expect(fetchLicenseTier("P\0url", fetch, now)).resolves.toBeUndefined();
    t += LICENSE_RETRY_MS - 1;
    await expect(fetchLicenseTier("P\0url", fetch, now)).resolves.toBeUndefined();
    expect(fetch.calls).toBe(1);
  });

  it("tries the handshake again when 60 s have passed since it failed", async () => {
    const fetch = handshakes({ kind: "failure", failure: "reset", code: "ECONNRESET", detail: "" }, DOWN, OK);
    await expect(fetchLicenseTier("P\0url", fetch, now)).resolves.toBeUndefined();
    t += LICENSE_RETRY_MS;
    await expect(fetchLicenseTier("P\0url", fetch, now)).resolves.toBeUndefined();
    t += LICENSE_RETRY_MS;
    await expect(fetchLicenseTier("P\0url", fetch, now)).resolves.toBe("tier-9");
    t += LICENSE_RETRY_MS;
    await expect(fetchLicenseTier("P\0url", fetch, now)).resolves.toBe("tier-9");
    expect(fetch.calls).toBe(3);
  });

  it("keeps the answer without a tier when a 2xx names none usable", async () => {
    const fetch = handshakes({ kind: "response", status: 200, text: JSON.stringify({ rateLimitTier: "bad tier\n" }) });
    await expect(fetchLicenseTier("P\0url", fetch, now)).resolves.toBeUndefined();
    t += 10 * LICENSE_RETRY_MS;
    await expect(fetchLicenseTier("P\0url", fetch, now)).resolves.toBeUndefined();
    expect(fetch.calls).toBe(1);
  });

  it("counts a 2xx that is not JSON as a failure when a proxy answers", async () => {
    const fetch = handshakes({ kind: "response", status: 200, text: "<html>login</html>" }, OK);
    await expect(fetchLicenseTier("P\0url", fetch, now)).resolves.toBeUndefined();
    t += LICENSE_RETRY_MS;
    await expect(fetchLicenseTier("P\0url", fetch, now)).resolves.toBe("tier-9");
  });

  it("never rejects when the handshake throws", async () => {
    const fetch: LicenseFetch = async () => {
      throw new Error("boom");
    };
    await expect(fetchLicenseTier("P\0url", fetch, now)).resolves.toBeUndefined();
  });

  it("keeps projects apart when their keys differ", async () => {
    const ok = handshakes(OK);
    const down = handshakes(DOWN);
    await expect(fetchLicenseTier("P1\0url", ok, now)).resolves.toBe("tier-9");
    await expect(fetchLicenseTier("P2\0url", down, now)).resolves.toBeUndefined();
  });
});
