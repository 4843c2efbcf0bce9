/**
 * The repository's own Pulumi project (Pulumi.yaml + index.ts): the grants file applied with
 * the real `pulumi` CLI, as the README's "grants-file project" section says.
 */
// Each pulumi command starts the engine, the language host and the provider: seconds each.
jest.setTimeout(240_000);

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CliProject, startEmulatorCli, type CliEmulator } from "../support/cli-project";

const repoRoot = path.resolve(__dirname, "..", "..");

describe("the grants-file project", () => {
  let emulator: CliEmulator | undefined;
  let project: CliProject | undefined;
  let staging: string | undefined;
  afterAll(async () => {
    await emulator?.stop();
    await project?.dispose();
    if (staging) await fs.promises.rm(staging, { recursive: true, force: true });
  });

  it("applies grants.example.yaml with pulumi up and removes the grants with pulumi destroy", async () => {
    emulator = await startEmulatorCli(["--port", "0", "--seed", "grants.example.seed.json"]);
    staging = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pda-root-"));
    for (const file of ["Pulumi.yaml", "index.ts", "tsconfig.json"]) {
      await fs.promises.copyFile(path.join(repoRoot, file), path.join(staging, file));
    }
    await fs.promises.copyFile(path.join(repoRoot, "grants.example.yaml"), path.join(staging, "grants.yaml"));
    project = await CliProject.create(staging, emulator.env);
    await project.pulumi("login", project.backendUrl);
    await project.pulumi("stack", "init", "dev");

    const up = await project.pulumi("up", "--yes", "--non-interactive");
    expect(up.stdout).toMatch(/\+ 4 created/);
    const state = await emulator.state();
    const ada = state.users.find((u) => u.loginIds.includes("ada@example.com"))!;
    const bob = state.users.find((u) => u.loginIds.includes("bob@example.com"))!;
    expect(ada.roleNames).toEqual(["admin"]);
    expect(ada.userTenants.map((t) => [t.tenantId, [...t.roleNames].sort()])).toEqual([["acme", ["admin", "billing"]]]);
    expect(bob.userTenants.map((t) => [t.tenantId, [...t.roleNames].sort()])).toEqual([
      ["globex", ["support", "viewer"]],
    ]);

    const outputs = JSON.parse((await project.pulumi("stack", "output", "--json")).stdout);
    expect(outputs.assignments["bob-globex"]).toEqual({
      userId: bob.userId,
      liveRoleNames: ["support", "viewer"],
      grantedRoleNames: ["support"],
    });

    await project.pulumi("preview", "--expect-no-changes", "--non-interactive");
    await project.pulumi("destroy", "--yes", "--non-interactive");
    const after = await emulator.state();
    expect(after.users.find((u) => u.userId === ada.userId)).toMatchObject({ roleNames: [], userTenants: [] });
    expect(after.users.find((u) => u.userId === bob.userId)!.userTenants.map((t) => t.roleNames)).toEqual([["viewer"]]);
  });

  it("fails with a message naming the file when the grants file is invalid", async () => {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pda-root-bad-"));
    try {
      for (const file of ["Pulumi.yaml", "index.ts", "tsconfig.json"]) {
        await fs.promises.copyFile(path.join(repoRoot, file), path.join(dir, file));
      }
      await fs.promises.writeFile(
        path.join(dir, "grants.yaml"),
        "grants:\n  - loginId: ada@example.com\n    roles: [admin]\n",
      );
      // It fails before any API call, so no emulator is needed.
      const bad = await CliProject.create(dir, {
        DESCOPE_PROJECT_ID: "P2unused00000000000000000000",
        DESCOPE_MANAGEMENT_KEY: "unused-key",
        DESCOPE_BASE_URL: "http://127.0.0.1:9",
      });
      await bad.pulumi("login", bad.backendUrl);
      await bad.pulumi("stack", "init", "dev");
      await expect(bad.pulumi("preview", "--non-interactive")).rejects.toThrow(
        /grants\.yaml is invalid: grants\.0\.roleNames: Required; grants\.0: Unrecognized key\(s\) in object: 'roles'/,
      );
      await bad.dispose();
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  });
});
