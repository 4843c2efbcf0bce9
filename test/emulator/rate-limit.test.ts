/**
 * The per-project token bucket: 429 E130429 with Retry-After in whole seconds, lockout,
 * refill. A fake clock keeps these tests instant and exact.
 */
import { startEmulator, type EmulatorHandle } from "../../emulator";
import { send, startHarness } from "./helpers";

let now = 0;
const clock = () => now;
let emu: EmulatorHandle;
beforeEach(async () => {
  now = 1_700_000_000_000;
  emu = await startEmulator({ clock, rateLimit: { requests: 3, perSeconds: 60, lockoutSeconds: 30 } });
});
afterEach(() => emu.close());

const call = () => send(emu, "GET", "/v1/mgmt/role/all");

describe("rate limit", () => {
  it("answers 429 E130429 with Retry-After once the bucket is empty", async () => {
    expect([(await call()).status, (await call()).status, (await call()).status]).toEqual([200, 200, 200]);
    const res = await call();
    expect([res.status, res.json.errorCode]).toEqual([429, "E130429"]);
    expect(res.headers.get("retry-after")).toBe("30");
    expect(emu.requests.last()).toMatchObject({ status: 429 });
  });

  it("keeps refusing during the lockout with a shrinking Retry-After, then allows a full bucket", async () => {
    for (let i = 0; i < 4; i++) await call();
    now += 10_500;
    expect((await call()).headers.get("retry-after")).toBe("20");
    now += 20_000;
    const after = [(await call()).status, (await call()).status, (await call()).status, (await call()).status];
    expect(after).toEqual([200, 200, 200, 429]);
  });

  it("refills tokens at requests / perSeconds between calls", async () => {
    for (let i = 0; i < 3; i++) await call();
    now += 20_000; // 3 per 60 s: one token back
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(429);
  });

  it("changes nothing when a mutation is refused", async () => {
    for (let i = 0; i < 3; i++) await call();
    const res = await send(emu, "POST", "/v1/mgmt/role/create", { name: "late" });
    expect(res.status).toBe(429);
    expect(emu.state.snapshot().roles).toEqual([]);
  });

  it("does not spend tokens on calls refused for bad credentials", async () => {
    for (let i = 0; i < 5; i++) await send(emu, "GET", "/v1/mgmt/role/all", undefined, { auth: false });
    expect((await call()).status).toBe(200);
  });

  it("can be changed live with setRateLimit and comes back on reset()", async () => {
    emu.setRateLimit(null);
    for (let i = 0; i < 5; i++) expect((await call()).status).toBe(200);
    emu.reset();
    for (let i = 0; i < 3; i++) await call();
    expect((await call()).status).toBe(429);
  });

  it("is reported by the SDK as E130429 with retryAfter", async () => {
    const h = await startHarness({ clock, rateLimit: { requests: 2, perSeconds: 60, lockoutSeconds: 45 } });
    try {
      // The SDK's license handshake spent the first token.
      expect((await h.m.role.loadAll()).ok).toBe(true);
      const res = await h.m.role.loadAll();
      expect([res.code, res.error?.errorCode]).toEqual([429, "E130429"]);
      expect((res.error as { retryAfter?: number }).retryAfter).toBe(45);
    } finally {
      await h.emu.close();
    }
  });
});
