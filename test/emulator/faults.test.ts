/**
 * Fault injection: each kind, before and after the request is applied, the path filter, the
 * seeded rates and latency. Deterministic: `failNext` or rates of 0/1 or a fixed seed.
 */
import { startEmulator, type EmulatorHandle } from "../../emulator";
import { send, startHarness } from "./helpers";

const CREATE = "/v1/mgmt/role/create";
const roleNames = (emu: EmulatorHandle) => emu.state.snapshot().roles.map((r) => r.name);

let emu: EmulatorHandle;
beforeEach(async () => {
  emu = await startEmulator();
});
afterEach(() => emu.close());

describe("failNext", () => {
  it("answers 503 with a non-JSON gateway page and changes nothing for kind 503", async () => {
    emu.setFaults({ failNext: { count: 1, kind: "503" } });
    const res = await send(emu, "POST", CREATE, { name: "r1" });
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toBe("text/html");
    expect(res.json).toBeUndefined();
    expect(roleNames(emu)).toEqual([]);
    expect(emu.requests.last()).toMatchObject({ path: CREATE, status: 503, fault: "503", body: { name: "r1" } });
  });

  it("faults exactly `count` requests, then answers normally", async () => {
    emu.setFaults({ failNext: { count: 2, kind: "503" } });
    const statuses = [];
    for (const name of ["a", "b", "c"]) statuses.push((await send(emu, "POST", CREATE, { name })).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(roleNames(emu)).toEqual(["c"]);
  });

  it("answers 429 E130429 with Retry-After that the SDK reports as retryAfter, changing nothing", async () => {
    const h = await startHarness();
    try {
      h.emu.setFaults({ failNext: { count: 1, kind: "429" }, retryAfterSeconds: 7 });
      const res = await h.m.role.create("r1");
      expect([res.code, res.error?.errorCode]).toEqual([429, "E130429"]);
      expect((res.error as { retryAfter?: number }).retryAfter).toBe(7);
      expect(h.emu.state.snapshot().roles).toEqual([]);
    } finally {
      await h.emu.close();
    }
  });

  it("destroys the connection without an answer and changes nothing for kind reset", async () => {
    emu.setFaults({ failNext: { count: 1, kind: "reset" } });
    await expect(send(emu, "POST", CREATE, { name: "r1" })).rejects.toThrow();
    expect(roleNames(emu)).toEqual([]);
    expect(emu.requests.last()).toMatchObject({ status: 0, fault: "reset" });
  });

  it("applies the request, then destroys the connection for kind reset-after-apply", async () => {
    emu.setFaults({ failNext: { count: 1, kind: "reset-after-apply" } });
    await expect(send(emu, "POST", CREATE, { name: "r1" })).rejects.toThrow();
    expect(roleNames(emu)).toEqual(["r1"]);
    expect(emu.requests.last()).toMatchObject({ status: 0, appliedStatus: 200, fault: "reset-after-apply" });
  });

  it("applies the request, then answers 503 for kind 503-after-apply", async () => {
    emu.setFaults({ failNext: { count: 1, kind: "503-after-apply" } });
    expect((await send(emu, "POST", CREATE, { name: "r1" })).status).toBe(503);
    expect(roleNames(emu)).toEqual(["r1"]);
    expect(emu.requests.last()).toMatchObject({ status: 503, appliedStatus: 200 });
  });

  it("faults only the chosen paths, exact or by prefix with *", async () => {
    emu.setFaults({ failNext: [{ count: 5, kind: "503", paths: ["/v1/mgmt/tenant/*"] }] });
    expect((await send(emu, "POST", CREATE, { name: "r1" })).status).toBe(200);
    expect((await send(emu, "GET", "/v1/mgmt/tenant/all")).status).toBe(503);
    emu.setFaults({ paths: [CREATE], failNext: { count: 1, kind: "503" } });
    expect((await send(emu, "GET", "/v1/mgmt/role/all")).status).toBe(200);
    expect((await send(emu, "POST", CREATE, { name: "r2" })).status).toBe(503);
  });
});

describe("rates", () => {
  async function statuses(n: number): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await send(emu, "GET", "/v1/mgmt/role/all")).status);
    return out;
  }

  it("faults every request at rate 1 and none at rate 0", async () => {
    emu.setFaults({ rates: { "503": 1 } });
    expect(await statuses(5)).toEqual([503, 503, 503, 503, 503]);
    emu.setFaults({ rates: { "503": 0 } });
    expect(await statuses(5)).toEqual([200, 200, 200, 200, 200]);
  });

  it("draws the same faults again when given the same seed", async () => {
    emu.setFaults({ rates: { "503": 0.3, "429": 0.3 }, seed: 42 });
    const first = await statuses(30);
    emu.setFaults({ rates: { "503": 0.3, "429": 0.3 }, seed: 42 });
    expect(await statuses(30)).toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 429, 503]));
  });

  it("leaves paths outside `paths` alone", async () => {
    emu.setFaults({ rates: { reset: 1 }, paths: ["/v1/mgmt/user/*"] });
    expect(await statuses(3)).toEqual([200, 200, 200]);
  });

  it("rejects bad options and keeps the previous ones", async () => {
    emu.setFaults({ rates: { "503": 1 } });
    expect(() => emu.setFaults({ rates: { "503": 0.6, reset: 0.6 } })).toThrow(/sum/);
    expect(() => emu.setFaults({ rates: { boom: 0.1 } as never })).toThrow(/Unknown fault kind/);
    expect(() => emu.setFaults({ failNext: { count: 0, kind: "503" } })).toThrow(/count/);
    expect(await statuses(1)).toEqual([503]);
  });
});

describe("latency", () => {
  it("delays matching requests by latencyMs and no others", async () => {
    emu.setFaults({ latencyMs: 300, paths: ["/v1/mgmt/role/all"] });
    const start = Date.now();
    const finished: string[] = [];
    const slow = send(emu, "GET", "/v1/mgmt/role/all").then(() => finished.push("slow"));
    const fast = send(emu, "GET", "/v1/mgmt/tenant/all").then(() => finished.push("fast"));
    await Promise.all([slow, fast]);
    expect(Date.now() - start).toBeGreaterThanOrEqual(290);
    expect(finished).toEqual(["fast", "slow"]);
  });

  it("lets close() finish while a request is still waiting", async () => {
    emu.setFaults({ latencyMs: 10_000 });
    const failed = expect(send(emu, "GET", "/v1/mgmt/role/all")).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 50));
    const start = Date.now();
    await emu.close();
    expect(Date.now() - start).toBeLessThan(1000);
    await failed;
  });
});

describe("start-up faults", () => {
  it("applies faults given to startEmulator and restores them on reset()", async () => {
    const faulty = await startEmulator({ faults: { failNext: { count: 1, kind: "503" } } });
    try {
      expect((await send(faulty, "GET", "/v1/mgmt/role/all")).status).toBe(503);
      expect((await send(faulty, "GET", "/v1/mgmt/role/all")).status).toBe(200);
      faulty.reset();
      expect((await send(faulty, "GET", "/v1/mgmt/role/all")).status).toBe(503);
    } finally {
      await faulty.close();
    }
  });
});
