/**
 * The package as a user gets it: `npm pack` of the repository, installed with npm (with
 * @pulumi/pulumi) into a fresh project outside the repository, then `pulumi up` and
 * `pulumi destroy` of that project's plain JavaScript program (test/programs/packed-install)
 * with the real `pulumi` CLI against the emulator. Nothing is linked from the repository: the
 * stored provider must find the implementation in the installed package.
 *
 * The install resolves versions, so npm needs the packuments of @pulumi/pulumi and of this
 * package's dependencies: from its cache with full metadata, else from the registry.
 */
// npm install and each pulumi command take seconds; the first install may fill npm's cache.
jest.setTimeout(240_000);

import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type EmulatorHandle } from "../../emulator";
import { engineEnv } from "../support/pulumi";

const repoRoot = path.resolve(__dirname, "..", "..");
const programDir = path.join(repoRoot, "test", "programs", "packed-install");
const pulumiVersion: string = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).devDependencies[
  "@pulumi/pulumi"
];
const ADA = "ada@example.com";

/** Runs a command; rejects with the command line, exit code and the output's tail when it fails. */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const code = String((err as { code?: unknown }).code);
      reject(new Error(`${cmd} ${args.join(" ")} failed (${code}):\n${stdout.slice(-4000)}\n${stderr.slice(-4000)}`));
    });
  });
}

/** Every file under `dir`, as paths relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.promises.readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describe("the packed package", () => {
  let tmp: string;
  let project: string;
  let packed: { filename: string; files: Array<{ path: string }> };
  let emu: EmulatorHandle;
  let env: NodeJS.ProcessEnv;
  const pulumi = (...args: string[]) => run("pulumi", args, project, env);
  const adaRoles = () => [...emu.state.user(ADA)!.roleNames].sort();

  beforeAll(async () => {
    // Packed without scripts (prepare would rebuild dist): the build comes from pretest.
    if (!fs.existsSync(path.join(repoRoot, "dist", "provider", "lifecycle.js"))) {
      throw new Error("dist/ is not built: run npm run build first");
    }
    tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pda-packed-"));
    const out = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", tmp], repoRoot);
    [packed] = JSON.parse(out);

    project = path.join(tmp, "project");
    await fs.promises.cp(programDir, project, { recursive: true });
    const tarball = path.join(tmp, packed.filename);
    const install = ["install", "--prefer-offline", "--no-audit", "--no-fund", "--save-exact"];
    await run("npm", [...install, tarball, `@pulumi/pulumi@${pulumiVersion}`], project);

    emu = await startEmulator({
      seed: {
        roles: [{ name: "admin" }, { name: "billing" }, { name: "viewer" }],
        users: [{ loginId: ADA, userId: "U2ada00000000000000000000000", roleNames: ["viewer"] }],
      },
    });
    env = {
      ...engineEnv(path.join(tmp, "home")),
      DESCOPE_PROJECT_ID: emu.projectId,
      DESCOPE_MANAGEMENT_KEY: emu.managementKey,
      DESCOPE_BASE_URL: emu.url,
      DESCOPE_BUDGET_DIR: path.join(tmp, "budget"),
    };
    delete env.NODE_PATH; // the program and the provider resolve from the project's node_modules only
    await fs.promises.mkdir(path.join(tmp, "state"));
    await pulumi("login", `file://${path.join(tmp, "state")}`);
    await pulumi("stack", "init", "dev");
  });

  afterAll(async () => {
    await emu?.close();
    if (tmp) await fs.promises.rm(tmp, { recursive: true, force: true });
  });

  describe("npm pack", () => {
    it("packs the built provider, both commands, the README, the license and the changelog", () => {
      expect(packed.files.map((f) => f.path)).toEqual(
        expect.arrayContaining([
          "package.json",
          "README.md",
          "LICENSE",
          "CHANGELOG.md",
          "bin/descope-access.js",
          "bin/descope-emulator.js",
          "dist/provider/index.js",
          "dist/provider/index.d.ts",
          "dist/provider/lifecycle.js",
          "dist/emulator/index.js",
        ]),
      );
    });

    it("packs nothing but package.json, the README, the license, the changelog, bin/ and compiled provider and emulator files", () => {
      const allowed =
        /^(package\.json|README\.md|LICENSE|CHANGELOG\.md|bin\/[\w-]+\.js|dist\/(provider|emulator)\/[\w/-]+\.(js|d\.ts|js\.map))$/;
      expect(packed.files.map((f) => f.path).filter((p) => !allowed.test(p))).toEqual([]);
      expect(packed.files.map((f) => f.path).filter((p) => /(^|\/)(test|fixtures)\/|\.test\./.test(p))).toEqual([]);
    });

    it("packs no compiled file whose TypeScript source is gone", () => {
      // tsc never deletes outputs, so a stale dist/ would ship modules the sources no longer have.
      const orphans = packed.files
        .map((f) => f.path)
        .filter((p) => p.startsWith("dist/"))
        .filter(
          (p) => !fs.existsSync(path.join(repoRoot, p.slice("dist/".length).replace(/\.(js|d\.ts|js\.map)$/, ".ts"))),
        );
      expect(orphans).toEqual([]);
    });
  });

  describe("npm install", () => {
    it("installs the package as a real directory outside the repository", async () => {
      expect(path.relative(repoRoot, project).startsWith("..")).toBe(true);
      const installed = path.join(project, "node_modules", "pulumi-descope-access");
      const stat = await fs.promises.lstat(installed);
      expect(stat.isSymbolicLink()).toBe(false);
      expect(stat.isDirectory()).toBe(true);
      expect(await fs.promises.realpath(installed)).toBe(installed);
    });

    it("installs no file that names a path in the repository", async () => {
      const installed = path.join(project, "node_modules", "pulumi-descope-access");
      const naming: string[] = [];
      for (const file of await filesUnder(installed)) {
        if ((await fs.promises.readFile(path.join(installed, file), "utf8")).includes(repoRoot)) naming.push(file);
      }
      expect(naming).toEqual([]);
    });

    it("links a descope-access command that prints its usage", async () => {
      const bin = path.join(project, "node_modules", ".bin", "descope-access");
      expect(await run(bin, ["--help"], project, env)).toMatch(/^Usage: descope-access <command>/);
    });
  });

  describe("pulumi up and destroy", () => {
    it("grants exactly the declared roles with pulumi up", async () => {
      expect(adaRoles()).toEqual(["viewer"]);
      expect(await pulumi("up", "--yes", "--non-interactive")).toMatch(/\+ 2 created/);
      expect(adaRoles()).toEqual(["admin", "billing"]);
    });

    it("stores a provider that requires the implementation by package name", async () => {
      const exported = await pulumi("stack", "export");
      const resources: any[] = JSON.parse(exported).deployment.resources;
      const assignment = resources.find((r) => r.type.endsWith("descope:UserRoleAssignment"));
      expect(assignment.inputs.__provider).toContain('require("pulumi-descope-access/lifecycle").attach(this, req)');
      expect(exported).not.toContain(repoRoot);
    });

    it("removes the declared roles with pulumi destroy", async () => {
      expect(await pulumi("destroy", "--yes", "--non-interactive")).toMatch(/- 2 deleted/);
      expect(adaRoles()).toEqual([]);
    });
  });
});
