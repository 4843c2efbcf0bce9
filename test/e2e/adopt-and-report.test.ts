/**
 * `descope-access export` adopts an existing project (pulumi up of the exported file makes no
 * write, and the preview after shows no change); `descope-access report` finds an out-of-band
 * grant (unmanaged) and a removed role (missing), with its exit codes. The commands run as a
 * user runs them: the package's bin, as a child process, against the emulator on loopback.
 */
// Each step runs the real engine in its own process: seconds each.
jest.setTimeout(300_000);

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import type { EmulatorSeed } from "../../emulator";
import { runAccessCli } from "../support/access-cli";
import { mutations, outOfBand, startScenario, type Scenario } from "../support/scenario";

/** Runs the descope-access bin with `args` against the scenario's emulator. */
const cli = (s: Scenario, args: string[]) => runAccessCli(s.emu, args);

/** 60 users over the project and three tenants, with a few test users besides. */
function projectSeed(): EmulatorSeed {
  const tenants = ["acme", "globex", "initech"];
  const roles = ["admin", "viewer", "billing", "support", "auditor"];
  const users: NonNullable<EmulatorSeed["users"]> = [];
  for (let i = 0; i < 60; i++) {
    const t = tenants[i % 3];
    users.push({
      loginId: `user${String(i).padStart(2, "0")}@example.com`,
      roleNames: i % 4 === 0 ? [] : [roles[i % 5]],
      userTenants: i % 5 === 0 ? [] : [{ tenantId: t, roleNames: [roles[(i + 1) % 5], roles[(i + 2) % 5]] }],
    });
  }
  return {
    roles: roles.map((name) => ({ name })),
    tenants: tenants.map((id) => ({ id, name: id.toUpperCase() })),
    users,
  };
}

describe("descope-access export and report", () => {
  let s: Scenario;
  let dir: string;
  beforeEach(async () => {
    s = await startScenario(projectSeed());
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pda-adopt-"));
  });
  afterEach(async () => {
    await s?.dispose();
    await fs.promises.rm(dir, { recursive: true, force: true });
  });

  it("adopts every grant of an exported project with no write, and the preview after shows no change", async () => {
    const exported = await cli(s, ["export"]);
    expect(exported.code).toBe(0);
    expect(exported.stderr).not.toContain(s.emu.managementKey);
    const doc = parse(exported.stdout) as { grants: Array<{ name: string }> };
    expect(doc.grants.length).toBeGreaterThanOrEqual(90); // 45 project scopes with a role + 48 tenant scopes
    expect(doc.grants.map((g) => g.name)).toEqual(
      expect.arrayContaining(["user01@example.com/globex", "user01@example.com/project"]),
    );

    s.emu.requests.clear();
    const up = await s.stack.up(doc);
    expect(up.error).toBeUndefined();
    expect(up.changeSummary).toEqual({ create: doc.grants.length + 1 });
    expect(mutations(s.emu)).toEqual([]);
    const preview = await s.stack.preview(doc, true);
    expect(preview.error).toBeUndefined();
  });

  it("reports an out-of-band grant as unmanaged and a removed role as missing, failing the CI gates with 2", async () => {
    const exported = await cli(s, ["export", "--out", path.join(dir, "grants.yaml")]);
    expect(exported.code).toBe(0);
    const clean = await cli(s, [
      "report",
      "--grants",
      path.join(dir, "grants.yaml"),
      "--json",
      "--fail-on-unmanaged",
      "--fail-on-missing",
    ]);
    expect(clean.code).toBe(0);

    await outOfBand(s.emu).addTenantRoles("user01@example.com", "globex", ["admin"]); // granted outside the file
    await outOfBand(s.emu).removeRoles("user02@example.com", ["billing"]); // declared, taken away
    const report = await cli(s, ["report", "--grants", path.join(dir, "grants.yaml"), "--json"]);
    expect(report.code).toBe(0);
    const json = JSON.parse(report.stdout);
    expect(json.unmanaged).toEqual([
      expect.objectContaining({ loginId: "user01@example.com", tenantId: "globex", roleNames: ["admin"] }),
    ]);
    expect(json.missing).toEqual([
      expect.objectContaining({ loginId: "user02@example.com", tenantId: null, roleNames: ["billing"] }),
    ]);
    expect((await cli(s, ["report", "--grants", path.join(dir, "grants.yaml"), "--fail-on-unmanaged"])).code).toBe(2);
    expect((await cli(s, ["report", "--grants", path.join(dir, "grants.yaml"), "--fail-on-missing"])).code).toBe(2);
  });

  it("reports against a Pulumi state exported with --show-secrets", async () => {
    const doc = parse((await cli(s, ["export"])).stdout);
    expect((await s.stack.up(doc)).error).toBeUndefined();
    await outOfBand(s.emu).addRoles("user03@example.com", ["billing"]);
    const state = await s.stack.exportStack(true);
    fs.writeFileSync(path.join(dir, "state.json"), state.output);
    const report = await cli(s, ["report", "--state", path.join(dir, "state.json"), "--json", "--fail-on-unmanaged"]);
    expect(report.code).toBe(2);
    expect(JSON.parse(report.stdout).unmanaged).toEqual([
      expect.objectContaining({ loginId: "user03@example.com", tenantId: null, roleNames: ["billing"] }),
    ]);
  });
});
