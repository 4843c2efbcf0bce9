/**
 * Preview-time checks against the live project: unknown roles, tenants and users fail the
 * preview with zero writes, in a few batched calls, and an unchanged program's preview makes
 * no call at all.
 */
// Each step runs the real engine in its own process: seconds each.
jest.setTimeout(240_000);

import type { EmulatorSeed } from "../../emulator";
import { baseSeed, mutations, startScenario, type Scenario } from "../support/scenario";

const ADA = "ada@example.com";
const calls = (s: Scenario) => s.emu.requests.all().map((r) => `${r.method} ${r.path}`);

describe("preview checks against the project", () => {
  let s: Scenario;
  afterEach(async () => s?.dispose());

  it.each([
    [
      "a role that does not exist",
      { loginId: ADA, roleNames: ["admn"] },
      'role "admn" does not exist in the project; did you mean "admin"?',
    ],
    [
      "a tenant that does not exist",
      { loginId: ADA, tenantId: "acmee", roleNames: ["admin"] },
      'tenant "acmee" does not exist; did you mean "acme"?',
    ],
    [
      "a user that does not exist",
      { loginId: "nobody@example.com", roleNames: ["admin"] },
      'no user with login ID "nobody@example.com"',
    ],
  ])("fails the preview naming %s, with no write", async (_what, grant, message) => {
    s = await startScenario();
    const preview = await s.stack.preview({ grants: [{ name: "g", ...grant }] });
    expect(preview.ok).toBe(false);
    expect(preview.output).toContain(message);
    expect(mutations(s.emu)).toEqual([]);
    expect(calls(s).length).toBeLessThanOrEqual(4); // license, and one load of each kind at most
  });

  it("refuses a role defined only for another tenant", async () => {
    const seed = baseSeed();
    seed.roles!.push({ name: "globex-ops", tenantId: "globex" });
    s = await startScenario(seed);
    const preview = await s.stack.preview({
      grants: [{ name: "g", loginId: ADA, tenantId: "acme", roleNames: ["globex-ops"] }],
    });
    expect(preview.ok).toBe(false);
    expect(preview.output).toContain(
      'role "globex-ops" is defined only for tenant "globex", so tenant "acme" cannot use it',
    );
    expect(mutations(s.emu)).toEqual([]);
  });

  it("checks 40 new assignments over 8 users in four calls (the license, one user sweep, roles, tenants) and no write", async () => {
    const seed: EmulatorSeed = {
      ...baseSeed(),
      users: Array.from({ length: 8 }, (_, i) => ({ loginId: `u${i}@example.com` })),
    };
    s = await startScenario(seed);
    const grants = [];
    for (let i = 0; i < 8; i++) {
      grants.push({ name: `u${i}-project`, loginId: `u${i}@example.com`, roleNames: ["viewer"] });
      for (const [t, tenantId] of ["acme", "globex"].entries()) {
        grants.push({
          name: `u${i}-${tenantId}`,
          loginId: `u${i}@example.com`,
          tenantId,
          roleNames: ["support"],
          mode: "add",
        });
        grants.push({
          name: `u${i}-${tenantId}-b`,
          loginId: `u${i}@example.com`,
          tenantId,
          roleNames: t === 0 ? ["support", "auditor"] : ["auditor"],
          mode: "add",
        });
      }
    }
    expect(grants).toHaveLength(40);
    const preview = await s.stack.preview({ grants });
    expect(preview.error).toBeUndefined();
    expect(preview.changeSummary).toEqual({ create: 41 });
    expect(mutations(s.emu)).toEqual([]);
    // The engine checks one resource at a time; the first check sweeps the project's users.
    expect(calls(s).sort()).toEqual([
      "GET /v1/mgmt/license",
      "GET /v1/mgmt/role/all",
      "GET /v1/mgmt/tenant/all",
      "POST /v2/mgmt/user/search",
    ]);
  });

  it("makes no API call in the preview of an unchanged program", async () => {
    s = await startScenario();
    const grants = {
      grants: [
        { name: "a", loginId: ADA, tenantId: "acme", roleNames: ["admin"] },
        { name: "b", loginId: "bob@example.com", roleNames: ["auditor"], mode: "add" },
      ],
    };
    expect((await s.stack.up(grants)).error).toBeUndefined();
    s.emu.requests.clear();
    const preview = await s.stack.preview(grants, true);
    expect(preview.error).toBeUndefined();
    expect(calls(s)).toEqual([]);
  });
});
