/**
 * One rule for naming a user, whatever else the program declares (issue 14, case 7): a name
 * that is one user's login ID and another's user ID is refused; a stored user whose login ID
 * now names someone else fails the preview with the fix.
 */
jest.setTimeout(240_000);

import type { EmulatorSeed } from "../../emulator";
import { baseSeed, mutations, startScenario, tenantRoles, type Scenario } from "../support/scenario";

const ADA = "ada@example.com";
const ADA_ID = "U2ada00000000000000000000000";
const BEA_ID = "U2bea00000000000000000000000";
const WES_ID = "U2wes00000000000000000000000";
type Grant = { name: string; loginId: string; tenantId?: string; roleNames: string[]; mode?: "set" | "add" };
const doc = (...grants: Grant[]) => ({ grants });

/** The base seed plus bea, whose login ID is ada's user ID. */
function seedWithLookalike(): EmulatorSeed {
  const seed = baseSeed();
  seed.users!.push({ loginId: ADA_ID, userId: BEA_ID });
  return seed;
}

describe("naming a user", () => {
  let s: Scenario | undefined;
  afterEach(async () => {
    await s?.dispose();
    s = undefined;
  });

  it.each([
    ["alone", [] as Grant[]],
    ["beside a declaration of ada by login ID", [{ name: "other", loginId: ADA, roleNames: ["viewer"] }]],
  ])(
    "refuses at preview a name that is one user's login ID and another's user ID, naming both, %s",
    async (_title, rest) => {
      s = await startScenario(seedWithLookalike());
      const r = await s.stack.preview(
        doc({ name: "g", loginId: ADA_ID, tenantId: "acme", roleNames: ["admin"] }, ...rest),
      );
      expect(r.error).toContain(`loginId "${ADA_ID}" is ambiguous`);
      expect(r.error).toContain(`user "${BEA_ID}"`);
      expect(r.error).toContain(`another user, "${ADA_ID}"`);
      expect(mutations(s.emu)).toEqual([]);
    },
  );

  it("fails the preview with the fix when the stored user's login ID now names someone else", async () => {
    s = await startScenario();
    const g: Grant = { name: "g", loginId: ADA, tenantId: "acme", roleNames: ["admin"] };
    expect((await s.stack.up(doc(g))).error).toBeUndefined();
    // Out of band: ada's login ID moves to a new person; the old user keeps the grant.
    s.emu.state.seed({
      users: [
        { loginId: "ada.old@example.com", userId: ADA_ID, userTenants: [{ tenantId: "acme", roleNames: ["admin"] }] },
        { loginId: ADA, userId: "U2new00000000000000000000000" },
      ],
    });
    expect((await s.stack.refresh(doc(g))).error).toBeUndefined();
    s.emu.requests.clear();
    const preview = await s.stack.preview(doc(g));
    expect(preview.error).toContain(`loginId "${ADA}" no longer names the user this resource manages ("${ADA_ID}")`);
    expect(preview.error).toContain("give the resource a new name");
    const up = await s.stack.up(doc(g));
    expect(up.error).toContain("no longer names the user");
    expect(mutations(s.emu)).toEqual([]);
    expect(tenantRoles(s.emu, "U2new00000000000000000000000", "acme")).toBeUndefined();
  });

  it("undoes on the other user a write its login ID moved to between the load and the write", async () => {
    const seed = baseSeed();
    seed.users!.push({ loginId: "wes@example.com", userId: WES_ID });
    s = await startScenario(seed);
    const { emu, stack } = s;
    // The write waits 3 s at the emulator; meanwhile ada's login ID moves to wes.
    emu.setFaults({ latencyMs: 3000, paths: ["/v2/mgmt/user/update/role/add"] });
    const up = stack.up(doc({ name: "g", loginId: ADA, tenantId: "acme", roleNames: ["billing"], mode: "add" }));
    // The sweep is answered before the write is sent: move the login ID once it shows in the log.
    const deadline = Date.now() + 60_000;
    while (!emu.requests.all().some((r) => r.path === "/v2/mgmt/user/search") && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    emu.state.seed({
      users: [
        { loginId: "ada.old@example.com", userId: ADA_ID },
        { loginIds: ["wes@example.com", ADA], userId: WES_ID },
      ],
    });
    const r = await up;
    expect(r.error).toContain(
      `Descope addRoles for user "${ADA_ID}" in tenant "acme" was answered with user "${WES_ID}"`,
    );
    expect(r.error).toContain(`the change was undone on user "${WES_ID}" (set it out of the tenant again)`);
    expect(tenantRoles(emu, WES_ID, "acme")).toBeUndefined();
    expect(tenantRoles(emu, ADA_ID, "acme")).toBeUndefined();
    expect(await stack.resources("descope:UserRoleAssignment")).toEqual([]);
  });
});
