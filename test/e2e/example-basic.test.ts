/**
 * examples/basic, deployed as its README says: the `descope-emulator` command with the
 * example's seed, then `pulumi stack init`, `up`, `preview --expect-no-changes` and `destroy`
 * with the real `pulumi` CLI, asserting the emulator's state after `up` and after `destroy`.
 */
// Each pulumi command starts the engine, the language host and the provider: seconds each.
jest.setTimeout(240_000);

import * as path from "node:path";
import type { EmulatorState } from "../../emulator/types";
import { CliProject, startEmulatorCli, type CliEmulator } from "../support/cli-project";

const repoRoot = path.resolve(__dirname, "..", "..");
const exampleDir = path.join(repoRoot, "examples", "basic");

/** Each user's project roles and tenant roles, sorted, keyed by login ID. */
function rolesByUser(state: EmulatorState) {
  return Object.fromEntries(
    state.users.map((u) => [
      u.loginIds[0],
      {
        project: [...u.roleNames].sort(),
        tenants: Object.fromEntries(u.userTenants.map((t) => [t.tenantId, [...t.roleNames].sort()])),
      },
    ]),
  );
}

describe("examples/basic", () => {
  let emulator: CliEmulator | undefined;
  let project: CliProject | undefined;
  afterAll(async () => {
    await emulator?.stop();
    await project?.dispose();
  });

  it("grants what the program declares and destroy leaves the contract's state when deployed with the pulumi CLI", async () => {
    emulator = await startEmulatorCli(["--port", "0", "--seed", "examples/basic/seed.json"]);
    expect(Object.keys(emulator.env).sort()).toEqual([
      "DESCOPE_BASE_URL",
      "DESCOPE_MANAGEMENT_KEY",
      "DESCOPE_PROJECT_ID",
    ]);
    const before = await emulator.state();
    expect(rolesByUser(before)).toEqual({
      "ada@example.com": { project: ["viewer"], tenants: {} },
      "bob@example.com": { project: [], tenants: { globex: ["viewer"] } },
    });

    project = await CliProject.create(exampleDir, emulator.env);
    const printed: string[] = [];
    const pulumi = async (...args: string[]) => {
      const run = await project!.pulumi(...args);
      printed.push(run.stdout, run.stderr);
      return run.stdout;
    };
    await pulumi("login", project.backendUrl);
    await pulumi("stack", "init", "dev");

    expect(await pulumi("up", "--yes", "--non-interactive")).toMatch(/\+ 4 created/);
    const afterUp = await emulator.state();
    expect(rolesByUser(afterUp)).toEqual({
      // set + project: exactly the declared roles; the undeclared "viewer" is gone.
      "ada@example.com": { project: ["admin", "billing"], tenants: { acme: ["admin"] } },
      // add + tenant: "support" granted, the pre-existing "viewer" kept.
      "bob@example.com": { project: [], tenants: { globex: ["support", "viewer"] } },
    });
    expect(afterUp.tenants).toEqual(before.tenants);
    expect(afterUp.roles).toEqual(before.roles);
    expect(JSON.parse(await pulumi("stack", "output", "--json"))).toEqual({
      adaProjectRoles: {
        userId: "U2ada00000000000000000000000",
        liveRoleNames: ["admin", "billing"],
        grantedRoleNames: [],
      },
      adaAcmeRoles: { userId: "U2ada00000000000000000000000", liveRoleNames: ["admin"], grantedRoleNames: [] },
      bobGlobexRoles: {
        userId: "U2bob00000000000000000000000",
        liveRoleNames: ["support", "viewer"],
        grantedRoleNames: ["support"],
      },
    });

    // Exits non-zero if anything would change.
    expect(await pulumi("preview", "--expect-no-changes", "--non-interactive")).toMatch(/4 unchanged/);

    expect(await pulumi("destroy", "--yes", "--non-interactive")).toMatch(/- 4 deleted/);
    expect(rolesByUser(await emulator.state())).toEqual({
      // set + project: the declared roles removed; set + tenant: ada left acme.
      "ada@example.com": { project: [], tenants: {} },
      // add: only the role it granted removed; the membership and "viewer" stay.
      "bob@example.com": { project: [], tenants: { globex: ["viewer"] } },
    });

    expect(printed.join("\n")).not.toContain(emulator.env.DESCOPE_MANAGEMENT_KEY);
    expect(await emulator.stop()).toEqual({ code: 0, signal: null });
  });
});
