/**
 * States written by 0.1.0 (test/fixtures): their stored provider text, which loads the
 * provider by package name, keeps working with the installed code for refresh, up and destroy.
 */
// Each step runs the real engine in its own process: seconds each.
jest.setTimeout(240_000);

import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type EmulatorHandle } from "../../emulator";
import { baseSeed, projectRoles, tenantRoles } from "../support/scenario";
import { TestStack } from "../support/pulumi";

const ADA = "ada@example.com";
const BOB = "bob@example.com";
const TYPE = "descope:UserRoleAssignment";
const fixtures = path.resolve(__dirname, "..", "fixtures");

/** The grants program's document after 0.1.0's: ada gains billing, bob unchanged. */
const grants = {
  grants: [
    { name: "ada-acme", loginId: ADA, tenantId: "acme", roleNames: ["admin", "billing"] },
    { name: "bob-project", loginId: BOB, roleNames: ["admin"], mode: "add" },
  ],
};

describe("stored provider", () => {
  let emu: EmulatorHandle;
  let stack: TestStack;
  afterEach(async () => {
    await stack?.dispose();
    await emu?.close();
  });

  /** An emulator holding what 0.1.0's up left behind, and a stack importing `fixture`; its text. */
  async function importFixture(fixture: string): Promise<string> {
    emu = await startEmulator({ seed: baseSeed(), warn: () => undefined });
    // Ada in acme with admin; bob's admin added to his viewer.
    emu.state.seed({
      users: [
        {
          loginId: ADA,
          userId: "U2ada00000000000000000000000",
          userTenants: [{ tenantId: "acme", roleNames: ["admin"] }],
        },
        { loginId: BOB, userId: "U2bob00000000000000000000000", roleNames: ["admin", "viewer"] },
      ],
    });
    stack = await TestStack.create({
      program: "grants",
      config: { "descope:projectId": { value: emu.projectId }, "descope:baseUrl": { value: emu.url } },
      env: { DESCOPE_MANAGEMENT_KEY: emu.managementKey },
    });
    const text = fs.readFileSync(path.join(fixtures, fixture), "utf8").split("{{BASE_URL}}").join(emu.url);
    expect((await stack.importStack(JSON.parse(text))).error).toBeUndefined();
    return text;
  }

  it.each(["state-0.1.0.json", "state-0.1.0-seven-method-shim.json"])(
    "refreshes, updates and destroys a state written by 0.1.0 (%s)",
    async (fixture) => {
      const text = await importFixture(fixture);
      const outputs: string[] = [];

      const refresh = await stack.refresh(grants);
      outputs.push(refresh.output);
      expect(refresh.error).toBeUndefined();
      expect(refresh.changeSummary).toEqual({ same: 3 });
      const refreshed = await stack.resources(TYPE);
      expect(refreshed.map((r) => r.id).sort()).toEqual([
        "U2bob00000000000000000000000",
        "acme/U2ada00000000000000000000000",
      ]);
      // The refresh ran the old stored provider text, which is kept as it was.
      const stored = (JSON.parse(text).resources as Array<{ type: string; inputs: any }>).find((r) =>
        r.type.endsWith(TYPE),
      )!.inputs.__provider;
      expect(refreshed.map((r) => r.inputs.__provider)).toEqual([stored, stored]);

      const up = await stack.up(grants);
      outputs.push(up.output);
      expect(up.ok).toBe(true);
      expect(up.error).toBeUndefined();
      // The changed grant, and the unchanged one once: it records its URN (the stack's record), with no write for it.
      expect(up.changeSummary).toEqual({ update: 2, same: 1 });
      expect(tenantRoles(emu, ADA, "acme")).toEqual(["admin", "billing"]);
      expect(projectRoles(emu, BOB)).toEqual(["admin", "viewer"]);
      const recorded = await stack.resources(TYPE);
      expect(recorded.map((r) => r.outputs.__urn).sort()).toEqual(recorded.map((r) => r.urn).sort());

      const destroy = await stack.destroy(grants);
      outputs.push(destroy.output);
      expect(destroy.error).toBeUndefined();
      expect(tenantRoles(emu, ADA, "acme")).toBeUndefined();
      expect(projectRoles(emu, BOB)).toEqual(["viewer"]);
      expect(await stack.resources(TYPE)).toEqual([]);
      expect(outputs.join("\n")).not.toContain("ERR_PACKAGE_PATH_NOT_EXPORTED");
    },
  );

  it("keeps every grant of a state that does not name its stack on destroy, and says so", async () => {
    await importFixture("state-0.1.0.json");
    const destroy = await stack.destroy(grants);
    expect(destroy.error).toBeUndefined();
    expect(tenantRoles(emu, ADA, "acme")).toEqual(["admin"]);
    expect(projectRoles(emu, BOB)).toEqual(["admin", "viewer"]);
    expect(destroy.output).toContain("warning: UserRoleAssignment");
    expect(destroy.output).toContain("last deployed by pulumi-descope-access 0.2 or older");
  });
});
