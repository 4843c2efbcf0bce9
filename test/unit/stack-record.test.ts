import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  ASSIGNMENT_TYPE,
  StackRecords,
  parseDeployment,
  readStackRecord,
  stackOfUrn,
  type StackRecord,
} from "../../provider/stack-record";

const URN = `urn:pulumi:prod::grants::${ASSIGNMENT_TYPE}::x`;
const secret = (value: unknown) => ({
  "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
  plaintext: JSON.stringify(value),
});
const opaque = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc" };
const outputs = {
  userId: "U1",
  tenantId: "acme",
  roleNames: ["b", "a"],
  mode: "add",
  grantedRoleNames: ["a"],
  createdMembership: true,
};

describe("stackOfUrn", () => {
  it.each([
    [URN, { stack: "prod", project: "grants" }],
    [`urn:pulumi:dev::p::test:Group$${ASSIGNMENT_TYPE}::g`, { stack: "dev", project: "p" }],
    ["name:x", undefined],
  ])("reads %s", (urn, expected) => {
    expect(stackOfUrn(urn)).toEqual(expected);
  });
});

describe("parseDeployment", () => {
  it("reads the assignments, revealing secrets and skipping other types and resources pending deletion", () => {
    const record = parseDeployment({
      resources: [
        { urn: URN, type: ASSIGNMENT_TYPE, outputs: { ...outputs, roleNames: secret(["b", "a"]) } },
        { urn: `${URN}-old`, type: ASSIGNMENT_TYPE, outputs, delete: true },
        { urn: "urn:pulumi:prod::grants::pulumi:pulumi:Stack::s", type: "pulumi:pulumi:Stack", outputs: {} },
      ],
    });
    expect(record).toEqual({
      readable: true,
      interrupted: [],
      assignments: [
        {
          urn: URN,
          userId: "U1",
          tenantId: "acme",
          roleNames: ["a", "b"],
          mode: "add",
          grantedRoleNames: ["a"],
          createdMembership: true,
        },
      ],
    });
  });

  it("keeps roles it cannot decrypt as unknown", () => {
    const record = parseDeployment({
      resources: [{ urn: URN, type: ASSIGNMENT_TYPE, outputs: { ...outputs, roleNames: opaque } }],
    });
    expect(record.readable && record.assignments[0].roleNames).toBeUndefined();
  });

  it("is unreadable when an assignment's user is a secret it cannot decrypt", () => {
    const record = parseDeployment({
      resources: [{ urn: URN, type: ASSIGNMENT_TYPE, outputs: { ...outputs, userId: opaque } }],
    });
    expect(record).toEqual({ readable: false, reason: expect.stringContaining(URN) });
  });

  it("reads what an interrupted create had planned from its pending operation", () => {
    const planned = { userId: "U1", tenantId: "acme", plannedGrants: ["billing"], plannedMembership: true };
    const record = parseDeployment({
      resources: [],
      pending_operations: [
        { type: "creating", resource: { urn: URN, type: ASSIGNMENT_TYPE, inputs: { __plannedGrant: planned } } },
        { type: "deleting", resource: { urn: URN, type: ASSIGNMENT_TYPE, inputs: { __plannedGrant: planned } } },
        { type: "creating", resource: { urn: URN, type: ASSIGNMENT_TYPE, inputs: {} } },
      ],
    });
    expect(record).toEqual({ readable: true, assignments: [], interrupted: [{ urn: URN, ...planned }] });
  });
});

describe("readStackRecord", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "pda-record-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A stand-in `pulumi` that records its arguments and prints `stdout` (or fails). */
  function fakeCli(script: string): NodeJS.ProcessEnv {
    const cli = path.join(dir, "fake-pulumi");
    fs.writeFileSync(cli, `#!/bin/sh\necho "$@" > "${dir}/args"\n${script}\n`, { mode: 0o755 });
    return { ...process.env, DESCOPE_PULUMI_CLI: cli };
  }

  it("exports the stack the URN names, with secrets shown", async () => {
    const deployment = { resources: [{ urn: URN, type: ASSIGNMENT_TYPE, outputs }] };
    const file = path.join(dir, "out.json");
    fs.writeFileSync(file, JSON.stringify({ version: 3, deployment }));
    const record = await readStackRecord(URN, fakeCli(`cat "${file}"`));
    expect(record.readable && record.assignments.map((a) => a.urn)).toEqual([URN]);
    expect(fs.readFileSync(path.join(dir, "args"), "utf8").trim()).toBe(
      "stack export --show-secrets --stack prod --non-interactive",
    );
  });

  it("says why when the CLI fails, naming the stack", async () => {
    const record = await readStackRecord(URN, fakeCli(`echo "error: no stack named 'prod' found" >&2; exit 255`));
    expect(record).toEqual({
      readable: false,
      reason: expect.stringContaining(`stack "prod" failed: error: no stack named 'prod' found`),
    });
  });

  it("says why when the CLI prints no deployment", async () => {
    const record = await readStackRecord(URN, fakeCli("echo not json"));
    expect(record).toEqual({ readable: false, reason: expect.stringContaining("printed no deployment") });
  });

  it("is unreadable for a URN that names no stack", async () => {
    expect(await readStackRecord("name:x")).toEqual({ readable: false, reason: expect.stringContaining("name:x") });
  });
});

describe("StackRecords", () => {
  const empty: StackRecord = { readable: true, assignments: [], interrupted: [] };

  it("reads once, for the first URN it was told, and peeks without reading", async () => {
    const read = jest.fn(async () => empty);
    const records = new StackRecords(read);
    expect(await records.peek()).toBeUndefined();
    records.know("name:x");
    expect(await records.get()).toMatchObject({ readable: false, reason: expect.stringContaining("0.2 or older") });
    expect(read).not.toHaveBeenCalled();
    await records.get(URN);
    await records.get(`${URN}2`);
    expect(read).toHaveBeenCalledTimes(1);
    expect(read).toHaveBeenCalledWith(URN);
    expect(await records.peek()).toBe(empty);
  });
});
