/**
 * Issue 15, item 5: `export --out` never overwrites by surprise and never writes through a
 * symbolic link; `descope-access --version`. Runs the command against an emulator on loopback.
 */
import { chmodSync, existsSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { parseGrants } from "../../provider/grants";
import { useCliHarness } from "./harness";

const cli = useCliHarness(() => ({
  roles: [{ name: "viewer" }],
  users: [{ loginId: "ada@example.com", userId: "U2ada".padEnd(28, "0"), roleNames: ["viewer"] }],
}));

const searches = () => cli.emu.requests.all().filter((r) => r.path === "/v2/mgmt/user/search");

describe("descope-access export --out", () => {
  it("refuses an existing file, naming it and leaving it unchanged, when --force is not given", async () => {
    const out = join(cli.dir, "existing.yaml");
    writeFileSync(out, "precious\n");
    const { code, stdout, stderr } = await cli.run(["export", "--out", out]);
    expect({ code, stdout, stderr }).toEqual({
      code: 1,
      stdout: "",
      stderr: `descope-access export: --out "${out}" already exists: pass --force to replace it\n`,
    });
    expect(readFileSync(out, "utf8")).toBe("precious\n");
    expect(searches()).toHaveLength(0); // refused before reading the project
  });

  it("replaces an existing file, keeping its permissions, when --force is given", async () => {
    const out = join(cli.dir, "replaced.yaml");
    writeFileSync(out, "old\n");
    chmodSync(out, 0o600);
    const { code, stderr } = await cli.run(["export", "--out", out, "--force"]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: `export: 1 grants of 1 users written to ${out}\n` });
    expect(parseGrants(parseYaml(readFileSync(out, "utf8"))).map((g) => g.name)).toEqual(["ada@example.com/project"]);
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  it.each([
    ["without --force", []],
    ["with --force", ["--force"]],
  ])("refuses a symbolic link and leaves its target untouched %s", async (_title, extra) => {
    const target = join(cli.dir, `target${extra.length}.yaml`);
    const link = join(cli.dir, `link${extra.length}.yaml`);
    writeFileSync(target, "precious\n");
    symlinkSync(target, link);
    const { code, stderr } = await cli.run(["export", "--out", link, ...extra]);
    expect({ code, stderr }).toEqual({
      code: 1,
      stderr: `descope-access export: --out "${link}" is a symbolic link: refusing to write through it (remove it or choose another path)\n`,
    });
    expect(readFileSync(target, "utf8")).toBe("precious\n");
    expect(readlinkSync(link)).toBe(target);
  });

  it.each([
    ["without --force", []],
    ["with --force", ["--force"]],
  ])("refuses a dangling symbolic link and creates nothing at its target %s", async (_title, extra) => {
    const target = join(cli.dir, `nowhere${extra.length}.yaml`);
    const link = join(cli.dir, `dangling${extra.length}.yaml`);
    symlinkSync(target, link);
    const { code, stderr } = await cli.run(["export", "--out", link, ...extra]);
    expect({ code, stderr }).toEqual({
      code: 1,
      stderr: `descope-access export: --out "${link}" is a symbolic link: refusing to write through it (remove it or choose another path)\n`,
    });
    expect(existsSync(target)).toBe(false);
  });

  it("fails with one line naming the file when its directory does not exist", async () => {
    const out = join(cli.dir, "no-such-dir", "g.yaml");
    const { code, stderr } = await cli.run(["export", "--out", out]);
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`^descope-access export: cannot write "${out}": ENOENT.*\\n$`));
  });
});

describe("descope-access --version", () => {
  it("prints the version of package.json and exits 0 when given --version", async () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as { version: string };
    expect(await cli.run(["--version"])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });
});
