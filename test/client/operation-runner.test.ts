/**
 * A write answered with another user (the login ID it addressed moved to that user between the
 * load and the write): the step fails with ERR_DESCOPE_USER_MISMATCH and what it changed on the
 * wrong user is put back as this process last saw that user (issue 14, case 7).
 */
import type { DescopeUser } from "../../provider/client/client";
import { runOperations } from "../../provider/operation-runner";
import { rejectionOf, useEmulator } from "./harness";

const ADA_ID = "U2ada00000000000000000000000";
const WES = "wes@example.com";
const WES_ID = "U2wes00000000000000000000000";

describe("runOperations", () => {
  const h = useEmulator();

  /** Ada as loaded before her login ID moved to wes: writes addressed to it now reach wes. */
  function staleAda(): DescopeUser {
    return { userId: ADA_ID, loginIds: [WES], roleNames: [], userTenants: [] } as unknown as DescopeUser;
  }

  /** Wes as this process saw him before the write, from the emulator. */
  async function wesBefore(): Promise<DescopeUser> {
    return (await h.client().loadUserById(WES_ID))!;
  }

  beforeEach(() => {
    h.emu.state.seed({
      users: [{ loginId: WES, userId: WES_ID, userTenants: [{ tenantId: "t-1", roleNames: ["viewer"] }] }],
    });
  });

  it("puts the wrong user's roles back when a set reached him", async () => {
    const before = await wesBefore();
    const err = await rejectionOf(() =>
      runOperations(h.client(), "t-1", staleAda(), [{ op: "setRoles", roles: ["admin"] }], false, () => before),
    );
    expect(err.code).toBe("ERR_DESCOPE_USER_MISMATCH");
    expect(err.message).toContain(`the change was undone on user "${WES_ID}" (set its roles back to ["viewer"])`);
    expect(h.emu.state.user(WES)!.userTenants).toEqual([
      expect.objectContaining({ tenantId: "t-1", roleNames: ["viewer"] }),
    ]);
  });

  it("takes the wrong user out of a tenant the write made him join", async () => {
    const before = await wesBefore();
    const err = await rejectionOf(() =>
      runOperations(h.client(), "t-2", staleAda(), [{ op: "addRoles", roles: ["editor"] }], false, () => before),
    );
    expect(err.message).toContain(`undone on user "${WES_ID}" (set it out of the tenant again)`);
    expect(h.emu.state.user(WES)!.userTenants.map((t) => t.tenantId)).toEqual(["t-1"]);
  });

  it("says it undid nothing when it had not seen the wrong user before", async () => {
    const err = await rejectionOf(() =>
      runOperations(h.client(), "t-1", staleAda(), [{ op: "addRoles", roles: ["admin"] }], false),
    );
    expect(err.code).toBe("ERR_DESCOPE_USER_MISMATCH");
    expect(err.message).toContain(`this process had not seen user "${WES_ID}" before`);
    expect(err.message).toContain("undid nothing");
  });
});
