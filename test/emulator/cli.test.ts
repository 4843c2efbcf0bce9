/**
 * The `descope-emulator` command, run as a user would: `node bin/descope-emulator.js`
 * (needs the build in dist/, which `npm test` makes first in `pretest`).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BIN = join(__dirname, "..", "..", "bin", "descope-emulator.js");

interface Run {
  child: ChildProcess;
  stderr: () => string;
  /** The `export NAME=value` lines, once all three are printed. */
  env: Promise<Record<string, string>>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(args: string[]): Run {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  const env = new Promise<Record<string, string>>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const vars = Object.fromEntries([...out.matchAll(/^export (\w+)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
      if (vars.DESCOPE_MANAGEMENT_KEY) resolve(vars);
    });
    void exit.then(() => reject(new Error(`exited before printing its settings: ${err}`)));
  });
  return { child, env, exit, stderr: () => err };
}

function get(env: Record<string, string>, path: string): Promise<Response> {
  return fetch(`${env.DESCOPE_BASE_URL}${path}`, {
    headers: { Authorization: `Bearer ${env.DESCOPE_PROJECT_ID}:${env.DESCOPE_MANAGEMENT_KEY}` },
  });
}

describe("descope-emulator", () => {
  it("prints the URL and credentials, answers an authenticated call, and exits 0 on SIGTERM", async () => {
    const cli = run(["--port", "0"]);
    const env = await cli.env;
    expect(env.DESCOPE_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env.DESCOPE_PROJECT_ID).toBe("P2emulator000000000000000000");
    expect(env.DESCOPE_PROJECT_ID).toHaveLength(28);
    expect(env.DESCOPE_MANAGEMENT_KEY).toBe("K2emulator-local-management-key");
    const res = await get(env, "/v1/mgmt/role/all");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ roles: [] });
    cli.child.kill("SIGTERM");
    expect(await cli.exit).toEqual({ code: 0, signal: null });
  });

  it("uses --seed, --project-id and --management-key, and exits 0 on SIGINT", async () => {
    const dir = mkdtempSync(join(tmpdir(), "descope-emu-"));
    const seedFile = join(dir, "seed.json");
    writeFileSync(seedFile, JSON.stringify({ roles: [{ name: "viewer" }] }));
    const cli = run(["--seed", seedFile, "--project-id", "Pmyproject00000000000000000000", "--management-key", "k-1"]);
    const env = await cli.env;
    expect([env.DESCOPE_PROJECT_ID, env.DESCOPE_MANAGEMENT_KEY]).toEqual(["Pmyproject00000000000000000000", "k-1"]);
    const res = await get(env, "/v1/mgmt/role/all");
    const body = (await res.json()) as { roles: { name: string }[] };
    expect(body.roles.map((r) => r.name)).toEqual(["viewer"]);
    cli.child.kill("SIGINT");
    expect(await cli.exit).toEqual({ code: 0, signal: null });
  });

  it("exits 1 with a message when --port is not a port", async () => {
    const cli = run(["--port", "http"]);
    await expect(cli.env).rejects.toThrow();
    expect((await cli.exit).code).toBe(1);
    expect(cli.stderr()).toContain("--port");
  });

  it("exits 1 with a message when the seed file is missing", async () => {
    const cli = run(["--seed", "/nonexistent/seed.json"]);
    await expect(cli.env).rejects.toThrow();
    expect((await cli.exit).code).toBe(1);
    expect(cli.stderr()).toContain("cannot read seed file");
  });
});
