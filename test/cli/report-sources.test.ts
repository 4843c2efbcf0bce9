/**
 * Issue 14: `report` across stacks. Several `--state` and `--grants` sources, their
 * contradictions and the roles they share, users resolved against the live project whether a
 * source names them by login ID or by user ID.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { useCliHarness } from "./harness";

const ADA = "U2ada".padEnd(28, "0");
const BOB = "U2bob".padEnd(28, "0");
const TYPE = "pulumi-nodejs:dynamic/descope:UserRoleAssignment";

const cli = useCliHarness(() => ({
  roles: [{ name: "viewer" }, { name: "editor" }, { name: "admin" }],
  tenants: [{ id: "t-1" }],
  users: [
    { loginId: "ada@example.com", userId: ADA, userTenants: [{ tenantId: "t-1", roleNames: ["viewer"] }] },
    { loginId: "bob@example.com", userId: BOB, roleNames: ["admin"] },
  ],
}));

/** One assignment resource of a state; `parent` is the component type chain before the type. */
function resource(name: string, outputs: Record<string, unknown>, parent = "") {
  return { urn: `urn:pulumi:dev::access::${parent}${TYPE}::${name}`, type: TYPE, outputs };
}

function stateFile(file: string, resources: unknown[]): string {
  const path = join(cli.dir, file);
  writeFileSync(path, JSON.stringify({ version: 3, deployment: { resources } }));
  return path;
}

function grantsFile(file: string, grants: unknown[]): string {
  const path = join(cli.dir, file);
  writeFileSync(path, stringify({ grants }));
  return path;
}

const adaViewer = (name: string) =>
  resource(name, { loginId: "ada@example.com", userId: ADA, tenantId: "t-1", roleNames: ["viewer"], mode: "set" });
const adaViewerEditor = (name: string) =>
  resource(name, {
    loginId: "ada@example.com",
    userId: ADA,
    tenantId: "t-1",
    roleNames: ["editor", "viewer"],
    mode: "set",
  });

describe("descope-access report", () => {
  it("exits 2 with --fail-on-conflict and lists the contradiction in JSON when two states set different roles", async () => {
    const a = stateFile("a.json", [adaViewer("ada-t1")]);
    const b = stateFile("b.json", [adaViewerEditor("ada-tenant")]);
    const { code, stdout, stderr } = await cli.run([
      "report",
      "--state",
      a,
      "--state",
      b,
      "--json",
      "--fail-on-conflict",
    ]);
    expect({ code, stderr }).toEqual({
      code: 2,
      stderr: "report: failing: 1 contradiction (user and scope entries)\n",
    });
    const ref = (source: string, name: string, roleNames: string[]) => ({
      source: `state file ${source}`,
      kind: "resource",
      name,
      urn: `urn:pulumi:dev::access::${TYPE}::${name}`,
      mode: "set",
      roleNames,
    });
    expect(JSON.parse(stdout).contradictions).toEqual([
      {
        loginId: "ada@example.com",
        userId: ADA,
        tenantId: "t-1",
        roleNames: ["editor"],
        declarations: [ref(a, "ada-t1", ["viewer"]), ref(b, "ada-tenant", ["editor", "viewer"])],
      },
    ]);
  });

  it("exits 0 when sources contradict each other but --fail-on-conflict is not given", async () => {
    const a = stateFile("a.json", [adaViewer("ada-t1")]);
    const b = stateFile("b.json", [adaViewerEditor("ada-t1")]);
    const { code, stdout, stderr } = await cli.run(["report", "--state", a, "--state", b, "--json"]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(JSON.parse(stdout).contradictions).toHaveLength(1);
  });

  it("lists a role as shared when a grants file names the user by user ID and a state by login ID", async () => {
    const g = grantsFile("by-id.yaml", [{ name: "bob-admin", loginId: BOB, roleNames: ["admin"] }]);
    const s = stateFile("by-login.json", [
      resource("bob", { loginId: "bob@example.com", tenantId: null, roleNames: ["admin"], mode: "add" }),
    ]);
    const { code, stdout } = await cli.run(["report", "--grants", g, "--state", s, "--json", "--fail-on-conflict"]);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.contradictions).toEqual([]);
    expect(report.shared).toEqual([
      {
        loginId: "bob@example.com",
        userId: BOB,
        tenantId: null,
        roleNames: ["admin"],
        declaredBy: [
          { source: `grants file ${g}`, kind: "grant", name: "bob-admin", mode: "set", roleNames: ["admin"] },
          {
            source: `state file ${s}`,
            kind: "resource",
            name: "bob",
            urn: `urn:pulumi:dev::access::${TYPE}::bob`,
            mode: "add",
            roleNames: ["admin"],
          },
        ],
      },
    ]);
  });

  it("finds a set/add contradiction when one source names the user by user ID and the other by login ID", async () => {
    const g = grantsFile("set.yaml", [{ loginId: BOB, roleNames: ["admin"] }]);
    const s = stateFile("add.json", [
      resource("bob", { loginId: "bob@example.com", tenantId: null, roleNames: ["editor"], mode: "add" }),
    ]);
    const { code, stdout } = await cli.run(["report", "--state", s, "--grants", g, "--fail-on-conflict"]);
    expect(code).toBe(2);
    expect(stdout).toContain(
      "\nContradictions (1): Sources that disagree on one user and scope: each one's next pulumi up undoes the other's. Make them agree.\n" +
        `  bob@example.com (${BOB})  project  in dispute: editor\n` +
        `    grants file ${g}, grant "${BOB}/project": set admin\n` +
        `    state file ${s}, resource "bob": add editor\n`,
    );
  });

  it("names a resource by its URN when two components of one state each have a child of that name", async () => {
    const a = stateFile("components.json", [
      resource("g", { loginId: "ada@example.com", userId: ADA, tenantId: "t-1", roleNames: ["viewer"] }, "my:Team$"),
      resource("g", { loginId: "bob@example.com", userId: BOB, tenantId: null, roleNames: ["admin"] }, "my:Ops$"),
    ]);
    const b = stateFile("other.json", [adaViewerEditor("ada")]);
    const { stdout } = await cli.run(["report", "--state", a, "--state", b, "--json"]);
    const [contradiction] = JSON.parse(stdout).contradictions;
    expect(contradiction.declarations[0].name).toBe(`urn:pulumi:dev::access::my:Team$${TYPE}::g`);
  });

  it("prints contradictions and shared sections in Markdown, sources in command-line order, when given several", async () => {
    const g = grantsFile("team.yaml", [
      { name: "ada", loginId: "ada@example.com", tenantId: "t-1", roleNames: ["viewer"] },
    ]);
    const s = stateFile("ops.json", [adaViewerEditor("ada-t1")]);
    const { stdout } = await cli.run(["report", "--grants", g, "--state", s, "--markdown"]);
    expect(stdout).toContain(`declarations from grants file ${g}; state file ${s}.\n`);
    expect(stdout).toContain("; contradictions: 1; shared: 1.\n");
    expect(stdout).toContain(
      "## Shared (1)\n\nRoles asserted by more than one source: removing a role from one source's program keeps it only while another still asserts it (that stack's next `pulumi up` grants it again). To revoke it, remove it from every source listed.\n\n" +
        "| Login ID | User ID | Scope | Roles | Declared by |\n| --- | --- | --- | --- | --- |\n" +
        `| ada@example.com | ${ADA} | t-1 | viewer | grants file ${g}, grant "ada": set viewer; state file ${s}, resource "ada-t1": set editor, viewer |\n`,
    );
  });

  it("refuses a file given twice with one line and exit 1", async () => {
    const a = stateFile("a.json", [adaViewer("ada-t1")]);
    expect(await cli.run(["report", "--state", a, "--state", a])).toEqual({
      code: 1,
      stdout: "",
      stderr: `descope-access report: --state ${a} is given twice\n`,
    });
  });

  it("refuses a grants file over the size limit before parsing it, naming the file and the limit", async () => {
    const big = join(cli.dir, "big.yaml");
    writeFileSync(big, "x".repeat(5 * 1024 * 1024 + 1)); // not YAML: parsing it would fail otherwise
    const r = await cli.run(["report", "--grants", big]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `descope-access report: grants file ${big} is 5.1 MiB, over the 5 MiB limit for grants files; split the grants across several stacks\n`,
    );
  });
});
