/**
 * Issue 15, item 4: text from the live project, the sources and the command line reaches every
 * human-readable output escaped, so a login ID holding an escape sequence, a line break or HTML
 * can neither drive the terminal nor forge a row that hides a real one. JSON stays exact.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { useCliHarness } from "./harness";

/** A login ID that clears the screen, then forges a "managed" table line and a Markdown row. */
const HOSTILE = "mallory\x1b[2J@example.com\n  project  managed    admin\n| fake | managed |<script>x</script>";
const HOSTILE_ROLE = "viewer\x1b[31m";
const MALLORY = "U2mallory".padEnd(28, "0");
const BOB = "U2bob".padEnd(28, "0");

const cli = useCliHarness(() => ({
  roles: [{ name: "admin" }, { name: HOSTILE_ROLE }],
  users: [
    { loginId: "bob@example.com", userId: BOB, roleNames: ["admin"] },
    { loginId: HOSTILE, userId: MALLORY, roleNames: [HOSTILE_ROLE] },
  ],
}));

/** A state declaring nothing: every held role is unmanaged. */
function emptyState(): string {
  const file = join(cli.dir, "empty-state.json");
  writeFileSync(file, JSON.stringify({ resources: [] }));
  return file;
}

describe("descope-access report", () => {
  it("prints a login ID's escape sequence, line breaks and HTML escaped in the table when a user holds them", async () => {
    const { code, stdout } = await cli.run(["report", "--state", emptyState()]);
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        `bob@example.com (${BOB})`,
        "  project  unmanaged  admin",
        "",
        `mallory\\x1b[2J@example.com\\n  project  managed    admin\\n| fake | managed |<script>x</script> (${MALLORY})`,
        "  project  unmanaged  viewer\\x1b[31m",
        "",
        "roles: 0 managed, 2 unmanaged, 0 missing; users: 2",
        "",
      ].join("\n"),
    );
  });

  it("keeps a hostile login ID inside its Markdown cell with HTML inert when a user holds one", async () => {
    const { code, stdout } = await cli.run(["report", "--state", emptyState(), "--markdown"]);
    expect(code).toBe(0);
    expect(stdout).not.toContain("\x1b");
    expect(stdout).not.toContain("<script>");
    expect(stdout.split("\n").filter((l) => l.startsWith("| fake"))).toEqual([]);
    expect(stdout).toContain(
      "| --- | --- | --- | --- |\n" +
        `| bob@example.com | ${BOB} | project | admin |\n` +
        "| mallory\\\\x1b\\[2J@example.com\\\\n  project  managed    admin\\\\n\\| fake \\| managed \\|&lt;script&gt;x&lt;/script&gt; " +
        `| ${MALLORY} | project | viewer\\\\x1b\\[31m |\n`,
    );
  });

  it("gives the login ID exactly in --json when it holds control characters", async () => {
    const { stdout } = await cli.run(["report", "--state", emptyState(), "--json"]);
    expect(JSON.parse(stdout).unmanaged[1]).toEqual({
      loginId: HOSTILE,
      userId: MALLORY,
      tenantId: null,
      roleNames: [HOSTILE_ROLE],
    });
  });

  it("prints one escaped error line when a file name holds control characters", async () => {
    const file = join(cli.dir, "no\x1b[2J\nsuch.yaml");
    const { code, stderr } = await cli.run(["report", "--grants", file]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^descope-access report: cannot read grants file \S*no\\x1b\[2J\\nsuch\.yaml: ENOENT/);
    expect(stderr).not.toContain("\x1b");
    expect(stderr.indexOf("\n")).toBe(stderr.length - 1);
  });

  it("escapes a C1 control in a resource name quoted by an error when the state is malformed", async () => {
    const file = join(cli.dir, "bad-state.json");
    const urn = "urn:pulumi:dev::p::pulumi-nodejs:dynamic/descope:UserRoleAssignment::g\u009b2J";
    writeFileSync(
      file,
      JSON.stringify({ resources: [{ urn, type: "pulumi-nodejs:dynamic/descope:UserRoleAssignment", outputs: {} }] }),
    );
    const { code, stderr } = await cli.run(["report", "--state", file]);
    expect({ code, stderr }).toEqual({
      code: 1,
      stderr: `descope-access report: state file ${file}: resource "g\\x9b2J" has no loginId output\n`,
    });
  });
});

describe("descope-access export", () => {
  it("escapes the --out file name in its progress line when the name holds an escape sequence", async () => {
    const sub = join(cli.dir, "out");
    mkdirSync(sub, { recursive: true });
    const { code, stderr } = await cli.run(["export", "--out", join(sub, "g\x1b]0;pwned\x07.yaml")]);
    expect({ code, stderr }).toEqual({
      code: 0,
      stderr: `export: 2 grants of 2 users written to ${sub}/g\\x1b]0;pwned\\x07.yaml\n`,
    });
  });
});

describe("descope-access", () => {
  it("escapes an unknown command's C1 control in its error line when one is given", async () => {
    expect(await cli.run(["\u009b2Jexport"])).toEqual({
      code: 1,
      stdout: "",
      stderr: 'descope-access: unknown command "\\x9b2Jexport" (commands: export, report; see descope-access --help)\n',
    });
  });
});
