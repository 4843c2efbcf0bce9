/**
 * `descope-access export` and `report`, run in-process through `main` against a real emulator
 * on loopback: 60 users across 3 tenants, some with project roles, some test users.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml, stringify } from "yaml";
import { startEmulator, type EmulatorHandle, type EmulatorSeed, type SeedUser } from "../../emulator";
import { main } from "../../provider/cli/main";
import { DescopeClient, resetClientState } from "../../provider/client/client";
import { parseGrants } from "../../provider/grants";

const pad = (i: number) => String(i).padStart(2, "0");
const login = (i: number) => `u${pad(i)}@example.com`;
const uid = (i: number) => `U2user${pad(i)}`.padEnd(28, "0");

/**
 * User i is in tenant t-(i%3+1) with viewer (and editor when i%4 is 0), holds project admin
 * when i%10 is 0; u54's membership is empty; u55…u59 are test users.
 */
function projectSeed(): EmulatorSeed {
  const users: SeedUser[] = Array.from({ length: 60 }, (_, i) => ({
    loginId: login(i),
    userId: uid(i),
    roleNames: i % 10 === 0 ? ["admin"] : [],
    userTenants: [
      { tenantId: `t-${(i % 3) + 1}`, roleNames: i === 54 ? [] : i % 4 === 0 ? ["viewer", "editor"] : ["viewer"] },
    ],
    test: i >= 55,
  }));
  return {
    roles: [{ name: "viewer" }, { name: "editor" }, { name: "admin" }, { name: "auditor" }],
    tenants: [{ id: "t-1" }, { id: "t-2" }, { id: "t-3" }],
    users,
  };
}

/** `count` users holding project viewer, for paging. */
function bigSeed(count: number): EmulatorSeed {
  return {
    roles: [{ name: "viewer" }],
    users: Array.from({ length: count }, (_, i) => ({
      loginId: `p${String(i).padStart(3, "0")}@example.com`,
      roleNames: ["viewer"],
    })),
  };
}

let emu: EmulatorHandle;
let dir: string;

beforeAll(async () => {
  emu = await startEmulator({ seed: projectSeed(), warn: () => undefined });
  dir = mkdtempSync(join(tmpdir(), "descope-access-"));
});
beforeEach(() => {
  emu.reset();
  resetClientState();
});
afterAll(async () => {
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

function envOf(over: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    DESCOPE_PROJECT_ID: emu.projectId,
    DESCOPE_MANAGEMENT_KEY: emu.managementKey,
    DESCOPE_BASE_URL: emu.url,
    ...over,
  };
}

/** Runs `descope-access …` in-process; every run also checks that the key was never printed. */
async function run(argv: string[], env = envOf()): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
  });
  expect(stdout + stderr).not.toContain(emu.managementKey);
  return { code, stdout, stderr };
}

const searches = () => emu.requests.all().filter((r) => r.path === "/v2/mgmt/user/search");

describe("descope-access export", () => {
  it("writes one set grant per user and scope holding a role, that parseGrants accepts, in one search call", async () => {
    const { code, stdout, stderr } = await run(["export"]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout.split("\n")[0]).toBe(`# descope-access export of project ${emu.projectId}: 60 grants`);
    const grants = parseGrants(parseYaml(stdout));
    expect(grants).toHaveLength(60); // 54 tenant scopes (u54's is empty) + 6 project scopes
    expect(grants.slice(0, 3)).toEqual([
      { name: "u00@example.com/project", loginId: "u00@example.com", roleNames: ["admin"] },
      { name: "u00@example.com/t-1", loginId: "u00@example.com", tenantId: "t-1", roleNames: ["editor", "viewer"] },
      { name: "u01@example.com/t-2", loginId: "u01@example.com", tenantId: "t-2", roleNames: ["viewer"] },
    ]);
    expect(grants.map((g) => g.name)).not.toContain("u54@example.com/t-1");
    expect(grants.some((g) => g.loginId >= "u55")).toBe(false);
    expect(searches().map((r) => r.body)).toEqual([{ withTestUser: false, limit: 100, page: 0 }]);
  });

  it("keeps test users with --include-test-users", async () => {
    const { code, stdout } = await run(["export", "--include-test-users"]);
    expect(code).toBe(0);
    const names = parseGrants(parseYaml(stdout)).map((g) => g.name);
    expect(names).toHaveLength(65);
    expect(names.slice(-5)).toEqual([
      "u55@example.com/t-2",
      "u56@example.com/t-3",
      "u57@example.com/t-1",
      "u58@example.com/t-2",
      "u59@example.com/t-3",
    ]);
  });

  it("keeps only the given tenant's scopes and no project scope with --tenant", async () => {
    const { stdout } = await run(["export", "--tenant", "t-2"]);
    const grants = parseGrants(parseYaml(stdout));
    expect(grants).toHaveLength(18); // u01, u04, … u52
    expect(new Set(grants.map((g) => g.tenantId))).toEqual(new Set(["t-2"]));
    expect(searches()[0].body).toEqual({ withTestUser: false, tenantIds: ["t-2"], limit: 100, page: 0 });
  });

  it("keeps only scopes holding the role with --role, listing all their roles, and writes --out", async () => {
    const out = join(dir, "admins.yaml");
    const { code, stdout, stderr } = await run([
      "export",
      "--role",
      "editor",
      "--login-id",
      "u04@example.com",
      "--login-id",
      "u08@example.com",
      "--out",
      out,
    ]);
    expect({ code, stdout, stderr }).toEqual({
      code: 0,
      stdout: "",
      stderr: `export: 2 grants of 2 users written to ${out}\n`,
    });
    expect(readFileSync(out, "utf8")).toBe(
      `# descope-access export of project ${emu.projectId}: 2 grants\n` +
        stringify({
          grants: [
            {
              name: "u04@example.com/t-2",
              loginId: "u04@example.com",
              tenantId: "t-2",
              roleNames: ["editor", "viewer"],
            },
            {
              name: "u08@example.com/t-3",
              loginId: "u08@example.com",
              tenantId: "t-3",
              roleNames: ["editor", "viewer"],
            },
          ],
        }),
    );
  });

  it("pages by 100 and reports progress on stderr only past 3 pages", async () => {
    emu.reset(bigSeed(250));
    const three = await run(["export"]);
    expect(searches().map((r) => (r.body as { page: number }).page)).toEqual([0, 1, 2]);
    expect(three.stderr).toBe("");
    expect(parseGrants(parseYaml(three.stdout))).toHaveLength(250);

    emu.reset(bigSeed(450));
    const five = await run(["export"]);
    expect(searches()).toHaveLength(5);
    expect(five.stderr).toBe("export: page 4, 400 users\nexport: page 5, 450 users\n");
    expect(parseGrants(parseYaml(five.stdout))).toHaveLength(450);
  });

  it.each<[string, string[], Record<string, string | undefined>, string]>([
    [
      "a missing DESCOPE_PROJECT_ID",
      ["export"],
      { DESCOPE_PROJECT_ID: undefined },
      "descope-access export: missing Descope project ID: set DESCOPE_PROJECT_ID or pass --project-id\n",
    ],
    [
      "a missing DESCOPE_MANAGEMENT_KEY",
      ["export"],
      { DESCOPE_MANAGEMENT_KEY: " " },
      "descope-access export: missing Descope management key: set DESCOPE_MANAGEMENT_KEY (it is never taken from a flag)\n",
    ],
    [
      "--management-key",
      ["export", "--management-key", "K2typed-on-the-command-line"],
      {},
      "descope-access export: --management-key is not accepted: the management key is read only from DESCOPE_MANAGEMENT_KEY, so it stays out of shell history and process lists\n",
    ],
    [
      "an unknown flag",
      ["export", "--bogus"],
      {},
      "descope-access export: unknown option --bogus (see descope-access export --help)\n",
    ],
    [
      "an unknown command",
      ["import"],
      {},
      'descope-access: unknown command "import" (commands: export, report; see descope-access --help)\n',
    ],
    [
      "plain http to a remote host",
      ["export", "--base-url", "http://example.com"],
      {},
      "descope-access export: invalid Descope base URL from descope:baseUrl / DESCOPE_BASE_URL: plain http is refused for example.com (only loopback hosts may use http), use https\n",
    ],
  ])("fails with one line and exit 1 on %s", async (_title, argv, env, stderr) => {
    expect(await run(argv, envOf(env))).toEqual({ code: 1, stdout: "", stderr });
  });

  it("fails with one redacted line when the project refuses the key", async () => {
    const { code, stdout, stderr } = await run(["export"], envOf({ DESCOPE_MANAGEMENT_KEY: "K2wrong-key-value" }));
    expect({ code, stdout }).toEqual({ code: 1, stdout: "" });
    expect(stderr).toMatch(/^descope-access export: Descope \w+ failed: HTTP 401.*\n$/);
    expect(stderr).not.toContain("K2wrong-key-value");
  });

  it("prints its usage with --help and exits 0", async () => {
    const { code, stdout } = await run(["export", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: descope-access export \[options\]\n/);
    expect(stdout).toContain("Exit codes: 0 written, 1 error");
  });
});

describe("descope-access report", () => {
  /** Exports the project to a grants file, then adds u02's tenant role auditor to it (declared, not held). */
  async function grantsFile(): Promise<string> {
    const file = join(dir, "grants.yaml");
    rmSync(file, { force: true }); // export --out refuses an existing file
    expect((await run(["export", "--out", file])).code).toBe(0);
    const doc = parseYaml(readFileSync(file, "utf8")) as { grants: { name: string; roleNames: string[] }[] };
    doc.grants.find((g) => g.name === "u02@example.com/t-3")!.roleNames.push("auditor");
    writeFileSync(file, stringify(doc));
    return file;
  }

  /** Gives u01 project role admin out of band, through the API. */
  async function outOfBand(): Promise<void> {
    const client = new DescopeClient({ projectId: emu.projectId, managementKey: emu.managementKey, baseUrl: emu.url });
    await client.addRoles("u01@example.com", ["admin"]);
  }

  it("shows an out-of-band role as unmanaged and a declared role not held as missing, in --json", async () => {
    const file = await grantsFile();
    await outOfBand();
    const { code, stdout, stderr } = await run(["report", "--grants", file, "--json"]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const report = JSON.parse(stdout);
    expect(Object.keys(report)).toEqual(["managed", "unmanaged", "missing", "contradictions", "shared"]);
    expect({ contradictions: report.contradictions, shared: report.shared }).toEqual({
      contradictions: [],
      shared: [],
    });
    expect(report.unmanaged).toEqual([
      { loginId: "u01@example.com", userId: uid(1), tenantId: null, roleNames: ["admin"] },
    ]);
    expect(report.missing).toEqual([
      { loginId: "u02@example.com", userId: uid(2), tenantId: "t-3", roleNames: ["auditor"] },
    ]);
    expect(report.managed).toHaveLength(60);
    expect(report.managed[0]).toEqual({
      loginId: "u00@example.com",
      userId: uid(0),
      tenantId: null,
      roleNames: ["admin"],
    });
  });

  it("prints a table grouped by user by default", async () => {
    const file = await grantsFile();
    await outOfBand();
    const { code, stdout } = await run(["report", "--grants", file]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      `u01@example.com (${uid(1)})\n  project  unmanaged  admin\n  t-2      managed    viewer\n\n`,
    );
    expect(stdout).toContain(
      `u02@example.com (${uid(2)})\n  t-3      managed    viewer\n  t-3      missing    auditor\n\n`,
    );
    expect(stdout.endsWith("\nroles: 74 managed, 1 unmanaged, 1 missing; users: 54\n")).toBe(true);
  });

  it.each<[string, string, number, string]>([
    ["--fail-on-unmanaged", "--fail-on-unmanaged", 2, "report: failing: 1 unmanaged (user and scope entries)\n"],
    ["--fail-on-missing", "--fail-on-missing", 2, "report: failing: 1 missing (user and scope entries)\n"],
    ["--markdown alone", "--markdown", 0, ""],
  ])("exits as %s says", async (_title, flag, exitCode, stderr) => {
    const file = await grantsFile();
    await outOfBand();
    const result = await run(["report", "--grants", file, flag]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: exitCode, stderr });
  });

  it("writes a Markdown review document with --markdown", async () => {
    const file = await grantsFile();
    await outOfBand();
    const { stdout } = await run(["report", "--grants", file, "--markdown"]);
    expect(stdout).toMatch(
      new RegExp(`^# Descope access review\n\nProject ${emu.projectId}, declarations from grants file ${file}\\.\n`),
    );
    expect(stdout).toContain(
      `## Unmanaged (1)\n\nHeld, but declared by nothing: declare them or remove them.\n\n| Login ID | User ID | Scope | Roles |\n| --- | --- | --- | --- |\n| u01@example.com | ${uid(1)} | project | admin |\n`,
    );
  });

  const assignment = (name: string, outputs: Record<string, unknown>) => ({
    urn: `urn:pulumi:dev::access::pulumi-nodejs:dynamic/descope:UserRoleAssignment::${name}`,
    type: "pulumi-nodejs:dynamic/descope:UserRoleAssignment",
    outputs,
  });
  const resources = [
    { urn: "urn:pulumi:dev::access::pulumi:pulumi:Stack::access-dev", type: "pulumi:pulumi:Stack", outputs: {} },
    assignment("u00-project", {
      loginId: "u00@example.com",
      userId: uid(0),
      tenantId: null,
      roleNames: ["admin"],
      mode: "set",
    }),
    assignment("u03-t1", {
      loginId: "u03@example.com",
      userId: uid(3),
      tenantId: "t-1",
      roleNames: ["viewer", "auditor"],
      mode: "add",
    }),
  ];

  it.each([
    ["a pulumi stack export", { version: 3, deployment: { manifest: {}, resources } }],
    ["a bare deployment", { manifest: {}, resources }],
  ])("reads declarations from --state given %s", async (_title, doc) => {
    const file = join(dir, "state.json");
    writeFileSync(file, JSON.stringify(doc));
    const { code, stdout } = await run(["report", "--state", file, "--json"]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.managed).toEqual([
      { loginId: "u00@example.com", userId: uid(0), tenantId: null, roleNames: ["admin"] },
      { loginId: "u03@example.com", userId: uid(3), tenantId: "t-1", roleNames: ["viewer"] },
    ]);
    expect(report.missing).toEqual([
      { loginId: "u03@example.com", userId: uid(3), tenantId: "t-1", roleNames: ["auditor"] },
    ]);
    expect(report.unmanaged).toContainEqual({
      loginId: "u00@example.com",
      userId: uid(0),
      tenantId: "t-1",
      roleNames: ["editor", "viewer"],
    });
    expect(report.unmanaged).toHaveLength(58); // every held scope but the two declared ones; test users left out
  });

  it.each<[string, string[], string]>([
    [
      "neither --grants nor --state",
      ["report"],
      "descope-access report: give at least one --grants <file> or --state <file> (see descope-access report --help)\n",
    ],
    [
      "--json with --markdown",
      ["report", "--grants", "g.yaml", "--json", "--markdown"],
      "descope-access report: give at most one of --json and --markdown\n",
    ],
  ])("fails with one line and exit 1 on %s", async (_title, argv, stderr) => {
    expect(await run(argv)).toEqual({ code: 1, stdout: "", stderr });
  });

  it("fails with one line naming the file when the grants file is invalid", async () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "grants:\n  - loginId: a\n");
    const { code, stderr } = await run(["report", "--grants", file]);
    expect({ code, stderr }).toEqual({
      code: 1,
      stderr: `descope-access report: grants file ${file} is invalid: grants.0.roleNames: Required\n`,
    });
  });
});
