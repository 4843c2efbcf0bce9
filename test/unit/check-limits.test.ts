/**
 * Issue 15 items 6 and 7 through the provider's `check`, as the engine calls it: the size of
 * what a preview prints for huge inputs, and no suggestion next to a secret input. The engine
 * prints each check failure with the property's whole value, so the number of failures is
 * what decides the size of the output.
 */
import { startEmulator, type EmulatorHandle } from "../../emulator";
import { DescopeApiError } from "../../provider/errors";
import * as lifecycle from "../../provider/lifecycle";
import { resetProviderState } from "../../provider/provider-state";
import { hideSecretsIn, hideSecretValues } from "../../provider/secret-text";
import { baseSeed } from "../support/emulator-state";

/** The secret markers the resource sets when `roleNames` is given as a secret. */
const SECRET_ROLES = { liveRoleNames: true, grantedRoleNames: true };

describe("check", () => {
  let emu: EmulatorHandle;
  beforeEach(async () => {
    resetProviderState();
    emu = await startEmulator({ seed: baseSeed(), warn: () => undefined });
    const values: Record<string, string> = {
      "descope:projectId": emu.projectId,
      "descope:managementKey": emu.managementKey,
      "descope:baseUrl": emu.url,
    };
    await lifecycle.configure({ config: { get: (key: string) => values[key] } } as never);
  });
  afterEach(async () => emu.close());

  it("prints 11 failures, not 10,000, when 10,000 declared roles do not exist", async () => {
    const roleNames = Array.from({ length: 10_000 }, (_, i) => `missing-role-${i}`);
    const r = await lifecycle.check({}, { loginId: "ada@example.com", roleNames, mode: "set" });
    const failures = r.failures ?? [];
    expect(failures.at(-1)).toEqual({
      property: "roleNames",
      reason: "… and 9990 more failures of roleNames not shown",
    });
    // What the engine prints: each failure's reason with the property's value beside it.
    const printed = failures.reduce((n, f) => n + f.reason.length + JSON.stringify(roleNames).length, 0);
    expect(printed).toBeLessThan(12 * JSON.stringify(roleNames).length);
  });

  it("gives no suggestion when secret role names hold a near copy of a real role", async () => {
    const r = await lifecycle.check(
      {},
      { loginId: "ada@example.com", roleNames: ["admn"], mode: "set", ...SECRET_ROLES },
    );
    expect(r.failures).toHaveLength(1);
    expect(r.failures?.[0].property).toBe("roleNames");
    expect(r.failures?.[0].reason).not.toMatch(/admin|admn|did you mean/);
  });

  it("still suggests the closest role when the role names are not secret", async () => {
    const r = await lifecycle.check({}, { loginId: "ada@example.com", roleNames: ["admn"], mode: "set" });
    expect(r.failures?.[0].reason).toContain('did you mean "admin"?');
  });
});

describe("hideSecretValues", () => {
  it("hides a long secret when a message quotes it cut to 200 characters", () => {
    const loginId = `${"s".repeat(300)}@example.com`;
    const err = new DescopeApiError({ operation: "loadUser", loginId }, 400, {
      errorCode: "E011004",
      errorDescription: "",
      errorMessage: "",
    });
    hideSecretsIn(err, [loginId]);
    expect(err.message).toBe('Descope loadUser for user "[secret]" failed: HTTP 400, errorCode E011004');
  });

  it("leaves a short value that merely starts like the secret when the secret is long", () => {
    expect(hideSecretValues('user "ssss"', ["s".repeat(300)])).toBe('user "ssss"');
  });
});
