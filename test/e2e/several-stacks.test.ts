/**
 * Two stacks on one user and scope (issue 14, case 9): neither sees the other at preview, so
 * `descope-access report` with both states names their contradiction (exit 2 with
 * --fail-on-conflict) and their shared roles, and reports a role one stack's destroy took from
 * the other as missing, never silently.
 */
jest.setTimeout(300_000);

import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type EmulatorHandle } from "../../emulator";
import { runAccessCli } from "../support/access-cli";
import { TestStack } from "../support/pulumi";
import { baseSeed, configFor, tenantRoles } from "../support/scenario";

const ADA = "ada@example.com";
type Grant = { name: string; loginId: string; tenantId?: string; roleNames: string[]; mode?: "set" | "add" };

describe("several stacks", () => {
  let emu: EmulatorHandle;
  let stacks: TestStack[] = [];
  beforeEach(async () => {
    emu = await startEmulator({ seed: baseSeed(), warn: () => undefined });
    stacks = [];
  });
  afterEach(async () => {
    for (const s of stacks) await s.dispose();
    await emu.close();
  });

  /** A stack of the grants program applying `grants`, and the path of its exported state. */
  async function stackWith(grants: Grant[]): Promise<{ stack: TestStack; state: string }> {
    const stack = await TestStack.create({ program: "grants", config: configFor(emu) });
    stacks.push(stack);
    expect((await stack.up({ grants })).error).toBeUndefined();
    return { stack, state: await exportState(stack) };
  }

  /** `report` of both stacks' states as JSON, with the contradiction gate on. */
  function reportBoth(first: string, second: string) {
    return runAccessCli(emu, ["report", "--state", first, "--state", second, "--json", "--fail-on-conflict"]);
  }

  async function exportState(stack: TestStack): Promise<string> {
    const file = path.join(stack.dir, "state.json");
    fs.writeFileSync(file, (await stack.exportStack(true)).output);
    return file;
  }

  it("names the contradiction of two sets with different roles and fails the CI gate", async () => {
    const a = await stackWith([{ name: "team", loginId: ADA, tenantId: "acme", roleNames: ["billing"] }]);
    const b = await stackWith([{ name: "ops", loginId: ADA, tenantId: "acme", roleNames: ["admin"] }]);
    expect(tenantRoles(emu, ADA, "acme")).toEqual(["admin"]); // the last up wins: a flip-flop
    const r = await reportBoth(a.state, b.state);
    expect(r.code).toBe(2);
    const [c] = JSON.parse(r.stdout).contradictions;
    expect(c).toMatchObject({ loginId: ADA, tenantId: "acme" });
    expect(c.declarations.map((d: { name: string }) => d.name).sort()).toEqual(["ops", "team"]);
  });

  it("lists a role two add stacks share, and reports it missing after one stack's destroy took it", async () => {
    const a = await stackWith([{ name: "team", loginId: ADA, tenantId: "acme", roleNames: ["billing"], mode: "add" }]);
    const b = await stackWith([{ name: "ops", loginId: ADA, tenantId: "acme", roleNames: ["billing"], mode: "add" }]);
    const shared = await reportBoth(a.state, b.state);
    expect(shared.code).toBe(0);
    expect(JSON.parse(shared.stdout).shared).toEqual([
      expect.objectContaining({ loginId: ADA, tenantId: "acme", roleNames: ["billing"] }),
    ]);

    expect((await a.stack.destroy()).error).toBeUndefined();
    expect(tenantRoles(emu, ADA, "acme")).toBeUndefined(); // ownership does not cross stacks (README)
    const after = await runAccessCli(emu, ["report", "--state", b.state, "--json", "--fail-on-missing"]);
    expect(after.code).toBe(2);
    expect(JSON.parse(after.stdout).missing).toEqual([
      expect.objectContaining({ loginId: ADA, tenantId: "acme", roleNames: ["billing"] }),
    ]);
  });
});
