/**
 * A `pulumi up` killed after its write landed (issue 14, case 5): after the recovery steps the
 * README gives, the re-created resource owns what the interrupted create granted, so a destroy
 * leaves nothing behind.
 */
jest.setTimeout(300_000);

import * as fs from "node:fs";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startScenario, tenantRoles, type Scenario } from "../support/scenario";
import type { Spec } from "../programs/ownership";

const ADA = "ada@example.com";
const X: Spec = { name: "x", loginId: ADA, tenantId: "acme", roleNames: ["billing"], mode: "add" };

/** Kills (SIGKILL) every process working in `dir`: the CLI, its language host and its providers. */
function killEngineIn(dir: string): number {
  let killed = 0;
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/cwd`) !== dir) continue;
      process.kill(Number(pid), "SIGKILL");
      killed++;
    } catch {
      // gone already, or not ours
    }
  }
  return killed;
}

describe("interrupted up", () => {
  let s: Scenario | undefined;
  afterEach(async () => {
    await s?.dispose();
    s = undefined;
  });

  it("leaves nothing behind on destroy after a kill -9 mid-create and the README's recovery", async () => {
    s = await startScenario(undefined, "ownership");
    const { emu, stack } = s;
    // The write lands, its answer is lost, and the provider keeps retrying: the window to kill in.
    emu.setFaults({ rates: { "503-after-apply": 1 }, paths: ["/v2/mgmt/user/update/role/add"] });
    const interrupted = stack.up({ resources: [X] });
    const deadline = Date.now() + 60_000;
    while (tenantRoles(emu, ADA, "acme") === undefined && Date.now() < deadline) await sleep(100);
    expect(tenantRoles(emu, ADA, "acme")).toEqual(["billing", "viewer"]);
    expect(killEngineIn(path.join(stack.dir, "work"))).toBeGreaterThan(0);
    expect((await interrupted).ok).toBe(false);
    emu.setFaults(null);

    // The recovery the README gives, in its order.
    expect((await stack.cli(["cancel", "--yes"])).error).toBeUndefined();
    const up = await stack.up({ resources: [X] });
    expect(up.error).toBeUndefined();
    expect(up.output).toContain("pending operations");
    const [x] = await stack.resources("descope:UserRoleAssignment");
    expect(x.outputs.grantedRoleNames).toEqual(["billing"]);
    expect(x.outputs.createdMembership).toBe(true);
    expect((await stack.cli(["refresh", "--yes", "--skip-preview", "--clear-pending-creates"])).error).toBeUndefined();

    expect((await stack.destroy()).error).toBeUndefined();
    expect(tenantRoles(emu, ADA, "acme")).toBeUndefined();
  });
});
