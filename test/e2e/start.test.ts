/**
 * `npm start` (scripts/start), the first command the README gives: the root grants project
 * applied to a seeded emulator with the real engine, then `descope-access report`.
 */
// Each run is one `pulumi up` of three grants against the emulator: about 15 seconds.
jest.setTimeout(240_000);

import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { stripVTControlCharacters } from "node:util";

const repo = path.resolve(__dirname, "..", "..");

/** Runs `npm start [-- args]` from the repository with the test engine first on PATH; its stdout. */
function npmStart(args: string[], tmp: string): Promise<string> {
  const env = {
    ...process.env,
    PATH: `${process.env.PULUMI_ENGINE_DIR}${path.delimiter}${process.env.PATH}`,
    TMPDIR: tmp,
    npm_config_update_notifier: "false",
  };
  const argv = ["start", ...(args.length ? ["--", ...args] : [])];
  return new Promise((resolve, reject) =>
    execFile("npm", argv, { cwd: repo, env, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      err ? reject(new Error(`npm start failed: ${stdout}\n${stderr}`)) : resolve(stripVTControlCharacters(stdout)),
    ),
  );
}

/** The emulator URL the run printed under step 2. */
function emulatorUrl(out: string): string {
  const match = /^ {2}(http:\/\/127\.0\.0\.1:\d+) \(project /m.exec(out);
  if (!match) throw new Error(`no emulator URL in:\n${out}`);
  return match[1];
}

describe("npm start", () => {
  let tmp: string;
  let out: string;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), "start-test-"));
    out = await npmStart([], tmp);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("creates one resource per grant of grants.example.yaml", () => {
    expect(out).toContain("[4/4]");
    for (const name of ["ada-project", "ada-acme", "bob-globex"]) {
      expect(out).toMatch(new RegExp(`UserRoleAssignment ${name} created`));
    }
    expect(out).toMatch(/^ {4}\+ 4 created$/m);
  });

  it("reports the example's grants as managed and bob's earlier viewer role as unmanaged", () => {
    const report = out.slice(out.indexOf("[4/4]"));
    expect(report).toMatch(
      /^ada@example\.com \(U\w+\)\n {2}project {2}managed {4}admin\n {2}acme {5}managed {4}admin, billing\n/m,
    );
    expect(report).toMatch(
      /^bob@example\.com \(U\w+\)\n {2}globex {3}managed {4}support\n {2}globex {3}unmanaged {2}viewer\n/m,
    );
    expect(report).toContain("roles: 4 managed, 1 unmanaged, 0 missing; users: 2\n");
  });

  it("stops the emulator and removes its temp dir when done", async () => {
    await expect(fetch(`${emulatorUrl(out)}/emulator/state`)).rejects.toThrow();
    expect(readdirSync(tmp).filter((f) => f.startsWith("descope-start."))).toEqual([]);
    expect(out.trimEnd().endsWith("npm start -- --keep leaves them running).")).toBe(true);
  });
});

describe("npm start -- --keep", () => {
  let tmp: string;
  let pid: number | undefined;

  beforeAll(() => (tmp = mkdtempSync(path.join(tmpdir(), "start-keep-test-"))));
  afterAll(() => {
    if (pid) process.kill(pid);
    rmSync(tmp, { recursive: true, force: true });
  });

  it("leaves the emulator running with the grants applied, and says how to stop it", async () => {
    const out = await npmStart(["--keep"], tmp);
    const stop = /^Stop it with: kill (\d+) && rm -rf (\S+)$/m.exec(out);
    expect(stop).not.toBeNull();
    pid = Number(stop![1]);
    expect(stop![2].startsWith(path.join(tmp, "descope-start."))).toBe(true);
    const state: any = await (await fetch(`${emulatorUrl(out)}/emulator/state`)).json();
    const ada = state.users.find((u: any) => u.loginIds.includes("ada@example.com"));
    expect(ada.roleNames).toEqual(["admin"]);
    expect(ada.userTenants).toEqual([expect.objectContaining({ tenantId: "acme", roleNames: ["admin", "billing"] })]);
  });
});
