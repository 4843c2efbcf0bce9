/**
 * The project sweep behind user lookups (provider/user-roster.ts, user-directory.ts), against
 * the emulator on loopback: how many calls a stack's users cost, and when the sweep must not
 * be trusted (a user it lacks, a user this process wrote, a user ID in an incomplete sweep).
 */
import type { EmulatorSeed } from "../../emulator";
import { UserDirectory } from "../../provider/user-directory";
import { UserLocks } from "../../provider/user-locks";
import { ROSTER_MAX_USERS } from "../../provider/user-roster";
import { baseSeed, useEmulator } from "./harness";

const h = useEmulator();
const calls = () => h.apiCalls().map((r) => `${r.method} ${r.path}`);

/** The base seed plus `n` users u0..u(n-1)@example.com, each with the project role viewer. */
function seedWith(n: number): EmulatorSeed {
  const seed = baseSeed();
  const extra = Array.from({ length: n }, (_, i) => ({ loginId: `u${i}@example.com`, roleNames: ["viewer"] }));
  return { ...seed, users: [...(seed.users ?? []), ...extra] };
}

function directory() {
  const locks = new UserLocks();
  return { locks, users: new UserDirectory(locks) };
}

describe("user lookups", () => {
  it("answers every lookup of a small project from one search", async () => {
    h.emu.reset(seedWith(40));
    const api = h.client();
    const { users } = directory();
    const found = await Promise.all(Array.from({ length: 40 }, (_, i) => users.resolve(api, `u${i}@example.com`)));
    const states = await Promise.all(found.map((u) => users.current(api, u!.userId)));
    expect(states.map((u) => u!.roleNames)).toEqual(Array(40).fill(["viewer"]));
    expect(calls()).toEqual(["POST /v2/mgmt/user/search"]);
  });

  it("sweeps a project of 250 users in three pages", async () => {
    h.emu.reset(seedWith(248));
    const api = h.client();
    const { users } = directory();
    const alice = await users.resolve(api, "alice@example.com");
    expect(await users.current(api, alice!.userId)).toMatchObject({ roleNames: ["viewer"] });
    expect((await users.resolve(api, "u247@example.com"))?.loginIds).toEqual(["u247@example.com"]);
    expect(h.apiCalls().map((r) => (r.body as { page: number }).page)).toEqual([0, 1, 2]);
  });

  it("takes only the first page of a larger project and loads the others", async () => {
    h.emu.reset(seedWith(ROSTER_MAX_USERS));
    const api = h.client();
    const { users } = directory();
    const last = await users.resolve(api, `u${ROSTER_MAX_USERS - 1}@example.com`);
    expect(last?.loginIds).toEqual([`u${ROSTER_MAX_USERS - 1}@example.com`]);
    expect(calls()).toEqual(["POST /v2/mgmt/user/search", "GET /v1/mgmt/user"]);
  });

  it("confirms a user the sweep lacks with a load (search may lag behind writes)", async () => {
    const api = h.client();
    const { users } = directory();
    await users.resolve(api, "alice@example.com");
    h.emu.state.seed({ users: [{ loginId: "carol@example.com" }] }); // after the sweep
    // Looked up together: a complete sweep already searched everyone, so only the loads follow.
    const [carol, nobody] = await Promise.all([
      users.resolve(api, "carol@example.com"),
      users.resolve(api, "nobody@example.com"),
    ]);
    expect(carol?.loginIds).toEqual(["carol@example.com"]);
    expect(nobody).toBeNull();
    expect(calls()).toEqual(["POST /v2/mgmt/user/search", "GET /v1/mgmt/user", "GET /v1/mgmt/user"]);
  });

  it("loads a user this process wrote before the sweep, instead of trusting the search", async () => {
    const api = h.client();
    const { locks, users } = directory();
    const bob = (await api.loadUser("bob@example.com"))!;
    await locks.run(bob.userId, () => api.setRoles("bob@example.com", ["editor"]));
    h.emu.requests.clear();
    await users.resolve(api, "alice@example.com"); // takes the sweep
    expect((await users.current(api, bob.userId))?.roleNames).toEqual(["editor"]);
    expect(calls()).toEqual(["POST /v2/mgmt/user/search", "GET /v1/mgmt/user"]);
  });

  it("resolves a user ID given as a login ID from the sweep only when the sweep is complete", async () => {
    const api = h.client();
    const { users } = directory();
    expect((await users.resolve(api, "U2alice0000000000000000000000"))?.loginIds).toEqual(["alice@example.com"]);
    expect(calls()).toEqual(["POST /v2/mgmt/user/search"]);

    h.emu.reset(seedWith(ROSTER_MAX_USERS));
    h.emu.requests.clear();
    const big = directory().users;
    expect((await big.resolve(api, "U2alice0000000000000000000000"))?.loginIds).toEqual(["alice@example.com"]);
    expect(calls()).toEqual(["POST /v2/mgmt/user/search", "GET /v1/mgmt/user"]);
  });

  it("falls back to loads when the sweep fails", async () => {
    h.emu.setFaults({ failNext: { count: 2, kind: "503", paths: ["/v2/mgmt/user/search"] } });
    const api = h.client({ retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });
    const { users } = directory();
    expect((await users.resolve(api, "bob@example.com"))?.loginIds).toEqual(["bob@example.com"]);
    expect(calls()).toEqual(["POST /v2/mgmt/user/search", "POST /v2/mgmt/user/search", "GET /v1/mgmt/user"]);
  });
});
