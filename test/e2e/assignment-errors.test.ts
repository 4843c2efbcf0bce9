/**
 * Failures: wrong key, missing settings, a role that does not exist, bad input; and the
 * management key kept out of state and output.
 */
// Each step runs the real engine in its own process: seconds each.
jest.setTimeout(240_000);

import * as net from "node:net";
import * as path from "node:path";
import { execFile } from "node:child_process";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { configFor, startScenario, tenantRoles, type Scenario } from "../support/scenario";
import { TestStack } from "../support/pulumi";

/** A second stack of the grants program on the same emulator, with extra environment. */
function TestStackEnv(s: Scenario, env: Record<string, string>) {
  return TestStack.create({
    program: "grants",
    config: { "descope:projectId": { value: s.emu.projectId }, "descope:baseUrl": { value: s.emu.url } },
    env,
  });
}

const ADA = "ada@example.com";
const grants = { grants: [{ name: "ada", loginId: ADA, tenantId: "acme", roleNames: ["admin"] }] };

describe("errors", () => {
  let s: Scenario;
  beforeEach(async () => {
    s = await startScenario();
  });
  afterEach(async () => s?.dispose());

  it("fails with the status and the settings to check when the management key is wrong, changing nothing", async () => {
    s.stack.setConfig({ ...configFor(s.emu), "descope:managementKey": { value: "K2-wrong-key-123456", secret: true } });
    const before = s.emu.state.snapshot();
    const up = await s.stack.up(grants);
    expect(up.ok).toBe(false);
    expect(up.output).toContain("HTTP 401");
    expect(up.output).toContain("descope:managementKey / DESCOPE_MANAGEMENT_KEY");
    expect(up.output).not.toContain("K2-wrong-key-123456");
    expect(s.emu.state.snapshot()).toEqual(before);
  });

  it("fails the preview naming the config key and the variable when a setting is missing", async () => {
    s.stack.setConfig({});
    const preview = await s.stack.preview(grants);
    expect(preview.ok).toBe(false);
    expect(preview.output).toContain("descope:projectId");
    expect(preview.output).toContain("DESCOPE_PROJECT_ID");
    expect(s.emu.requests.all()).toEqual([]);
  });

  // Issue 15 item 1: this preview used to retry for the 300 s operation deadline, printing nothing.
  it("fails the preview naming the URL and descope:baseUrl when nothing listens at the base URL", async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    await new Promise((resolve) => server.close(resolve));
    s.stack.setConfig({ ...configFor(s.emu), "descope:baseUrl": { value: url } });
    const started = performance.now();
    const preview = await s.stack.preview(grants);
    expect(preview.ok).toBe(false);
    expect(performance.now() - started).toBeLessThan(120_000); // a bound on a hang: the engine's start-up included
    expect(preview.output).toContain(`nothing accepts connections at ${url}`);
    expect(preview.output).toContain("check descope:baseUrl / DESCOPE_BASE_URL");
  });

  it("removes the membership it had created when setting the roles fails", async () => {
    // Retries are bounded by time: a short operation deadline makes the failure come quickly.
    s.stack.setConfig({ ...configFor(s.emu), "descope:operationTimeoutSeconds": { value: "3" } });
    s.emu.setFaults({ failNext: { count: 50, kind: "503", paths: ["/v1/mgmt/user/update/role/set"] } });
    const up = await s.stack.up({ grants: [{ name: "ada", loginId: ADA, tenantId: "acme", roleNames: ["admin"] }] });
    expect(up.ok).toBe(false);
    expect(up.output).toContain("setRoles");
    expect(up.output).toContain("HTTP 503");
    expect(up.output).toContain("membership this step added was removed again");
    expect(tenantRoles(s.emu, ADA, "acme")).toBeUndefined();
    expect(await s.stack.resources("descope:UserRoleAssignment")).toEqual([]);
  });

  it("rejects bad input before any API call, naming the property", async () => {
    const preview = await s.stack.preview({ grants: [{ name: "ada", loginId: " ", roleNames: ["admin", ""] }] });
    expect(preview.ok).toBe(false);
    expect(preview.output).toContain("loginId must not be empty or blank");
    expect(preview.output).toContain("roleNames[1]: each role name must not be empty or blank");
    expect(s.emu.requests.all().filter((r) => r.path !== "/v1/mgmt/license")).toEqual([]);
  });

  it("keeps a key given in the environment out of state (even with --show-secrets) and output", async () => {
    const env = await TestStackEnv(s, { DESCOPE_MANAGEMENT_KEY: s.emu.managementKey });
    const up = await env.up(grants);
    expect(up.error).toBeUndefined();
    expect(tenantRoles(s.emu, ADA, "acme")).toEqual(["admin"]);
    const key = s.emu.managementKey;
    expect(up.output).not.toContain(key);
    const exported = await env.exportStack(true);
    expect(exported.ok).toBe(true);
    expect(exported.output).not.toContain(key);
    await env.dispose();
  });

  it("keeps a key given as secret stack config encrypted in state, out of output and out of the stored provider", async () => {
    const up = await s.stack.up(grants);
    expect(up.error).toBeUndefined();
    const key = s.emu.managementKey;
    expect(up.output).not.toContain(key);
    const exported = await s.stack.exportStack(false);
    expect(exported.ok).toBe(true);
    expect(exported.output).not.toContain(key);

    const [r] = await s.stack.resources("descope:UserRoleAssignment");
    expect(JSON.stringify(r)).not.toContain(key);
    const provider: string = r.inputs.__provider;
    expect(provider.length).toBeLessThan(2048); // a few hundred bytes in fact
    expect(provider).not.toContain(key);
    expect(provider).toContain('require("pulumi-descope-access/lifecycle").attach(this, req)');

    // The stored text alone, in a new Node.js process, is a working provider.
    const script = `
      const requireFromString = require("require-from-string");
      const p = requireFromString(process.env.PROVIDER_TEXT).handler();
      const settings = { "descope:projectId": process.env.PID, "descope:managementKey": process.env.KEY, "descope:baseUrl": process.env.URL };
      p.configure({ config: { get: (k) => settings[k] } })
        .then(() => p.check({}, { loginId: "", roleNames: ["admin"] }))
        .then((r) => console.log(JSON.stringify(r)), (e) => console.log(JSON.stringify({ thrown: e.message })));`;
    const { stdout } = await promisify(execFile)(process.execPath, ["-e", script], {
      cwd: path.join(s.stack.dir, "work"),
      env: {
        ...process.env,
        PROVIDER_TEXT: provider,
        PID: s.emu.projectId,
        KEY: key,
        URL: s.emu.url,
        NODE_PATH: path.resolve(__dirname, "..", "..", "node_modules"), // for require-from-string, what the host uses
      },
    });
    expect(JSON.parse(stdout).failures).toEqual([
      { property: "loginId", reason: "loginId must not be empty or blank" },
    ]);
  });
});
