/**
 * Ownership decided from the stack's recorded state, not from what the engine happened to show
 * (issue 14): late registrations, targeted runs however spelled, replacements, a destroy that
 * targets every resource, and `--skip-preview` with a contradiction.
 */
jest.setTimeout(300_000);

import * as fs from "node:fs";
import * as path from "node:path";
import { engineDir } from "../support/pulumi";
import { mutations, startScenario, tenantRoles, type Scenario } from "../support/scenario";
import type { EchoSpec, Spec } from "../programs/ownership";

const ADA = "ada@example.com";
const TYPE = "pulumi-nodejs:dynamic/descope:UserRoleAssignment";
const urn = (name: string) => `urn:pulumi:test::pda-test::${TYPE}::${name}`;
const program = (resources: Spec[], echoes?: EchoSpec[]) => ({ resources, echoes });
/** The login ID's source, replaced (generation 2) slowly, so what depends on it registers after X's step. */
const source = (generation: number): EchoSpec[] => [{ name: "ada-source", generation, delayMs: 4000 }];

/** X: add billing and support in acme; Y: add billing in acme for the same user. */
const X: Spec = { name: "x", loginId: ADA, tenantId: "acme", roleNames: ["billing", "support"], mode: "add" };
const Y: Spec = { name: "y", loginId: ADA, tenantId: "acme", roleNames: ["billing"], mode: "add" };

describe("ownership from the stack's record", () => {
  let s: Scenario | undefined;
  const start = async () => (s = await startScenario(undefined, "ownership"));
  afterEach(async () => {
    await s?.dispose();
    s = undefined;
  });

  /** Up of X and Y; ada then holds the tenant's default viewer, billing and support in acme. */
  async function upXY(y: Spec = Y): Promise<Scenario> {
    const s = await start();
    const up = await s.stack.up(program([X, y]));
    expect(up.error).toBeUndefined();
    expect(tenantRoles(s.emu, ADA, "acme")).toEqual(["billing", "support", "viewer"]);
    return s;
  }

  describe("late sibling", () => {
    it("keeps a role a late-registering sibling asserts when an update narrows the other", async () => {
      const late: Spec = { ...Y, loginIdFrom: "ada-source" };
      const s = await start();
      expect((await s.stack.up(program([X, late], source(1)))).error).toBeUndefined();
      // X narrows to support while Y's login ID comes from a resource replaced in the same run.
      const narrowed = { ...X, roleNames: ["support"] };
      const up = await s.stack.up(program([narrowed, late], source(2)));
      expect(up.error).toBeUndefined();
      expect(tenantRoles(s.emu, ADA, "acme")).toEqual(["billing", "support", "viewer"]);
      const preview = await s.stack.preview(program([narrowed, late], source(2)), true);
      expect(preview.error).toBeUndefined();
    });

    it("keeps the membership and a late sibling's role when a deleteBeforeReplace moves the other's tenant", async () => {
      const late: Spec = { ...Y, loginIdFrom: "ada-source" };
      const x: Spec = { ...X, deleteBeforeReplace: true };
      const s = await start();
      expect((await s.stack.up(program([x, late], source(1)))).error).toBeUndefined();
      s.emu.requests.clear();
      const moved = { ...x, tenantId: "globex" };
      const up = await s.stack.up(program([moved, late], source(2)));
      expect(up.error).toBeUndefined();
      expect(mutations(s.emu)).not.toContain("POST /v1/mgmt/user/update/tenant/remove 200");
      expect(tenantRoles(s.emu, ADA, "acme")).toEqual(["billing", "viewer"]);
      expect(tenantRoles(s.emu, ADA, "globex")).toEqual(["billing", "support"]);
    });
  });

  describe("targeted destroy", () => {
    // Each spelling of a run that leaves Y out; none is recognised by name any more.
    it.each([
      ["destroy -x Y", ["destroy", "--yes", "--skip-preview", "-x", urn("y")]],
      ["destroy -t=X", ["destroy", "--yes", "--skip-preview", `-t=${urn("x")}`]],
      ["destroy -tX", ["destroy", "--yes", "--skip-preview", `-t${urn("x")}`]],
      ["destroy --target X", ["destroy", "--yes", "--skip-preview", "--target", urn("x")]],
    ])("keeps the role Y asserts after %s", async (_title, args) => {
      const s = await upXY();
      const r = await s.stack.cli(args);
      expect(r.error).toBeUndefined();
      expect(tenantRoles(s.emu, ADA, "acme")).toEqual(["billing", "viewer"]);
      expect(r.output).toContain('warning: UserRoleAssignment "urn:pulumi:test::pda-test::');
      expect(r.output).toContain('kept role "billing", because "y" asserted it at its last deployment');
    });

    it("keeps the role a protected Y asserts after destroy --exclude-protected", async () => {
      const s = await upXY({ ...Y, protect: true });
      const r = await s.stack.cli(["destroy", "--yes", "--skip-preview", "--exclude-protected"]);
      expect(r.error).toBeUndefined();
      expect(tenantRoles(s.emu, ADA, "acme")).toEqual(["billing", "viewer"]);
    });

    it.each(["symlink", "wrapper"])(
      "keeps the role Y asserts when pulumi is run through a %s named otherwise",
      async (kind) => {
        const s = await upXY();
        const tool = path.join(s.stack.dir, kind === "symlink" ? "pu" : "run-infra");
        if (kind === "symlink") fs.symlinkSync(path.join(engineDir(), "pulumi"), tool);
        else fs.writeFileSync(tool, `#!/bin/sh\nexec "${path.join(engineDir(), "pulumi")}" "$@"\n`, { mode: 0o755 });
        const r = await s.stack.cli(["destroy", "--yes", "--skip-preview", "--target", urn("x")], tool);
        expect(r.error).toBeUndefined();
        expect(tenantRoles(s.emu, ADA, "acme")).toEqual(["billing", "viewer"]);
      },
    );

    it("leaves nothing behind when the targets are every resource of the stack", async () => {
      const s = await upXY();
      const r = await s.stack.destroy(undefined, { target: [urn("x"), urn("y")] });
      expect(r.error).toBeUndefined();
      expect(tenantRoles(s.emu, ADA, "acme")).toBeUndefined();
    });

    it("leaves nothing behind when a whole destroy runs one delete at a time (a set and an add)", async () => {
      const s = await start();
      const x: Spec = { name: "x", loginId: ADA, tenantId: "acme", roleNames: ["admin", "billing"] };
      expect((await s.stack.up(program([x]))).error).toBeUndefined();
      // Y joins later: the membership and billing are x's, so Y owns billing only as a share.
      expect((await s.stack.up(program([Y, x]))).error).toBeUndefined();
      // With --parallel 1 the first delete (the set, registered last) runs before the add's arrives:
      // it keeps billing and the membership for the add and hands them over to it.
      const r = await s.stack.cli(["destroy", "--yes", "--skip-preview", "--parallel", "1"]);
      expect(r.error).toBeUndefined();
      expect(tenantRoles(s.emu, ADA, "acme")).toBeUndefined();
    });

    it("leaves nothing behind with --target '**'", async () => {
      const s = await upXY();
      const r = await s.stack.cli(["destroy", "--yes", "--skip-preview", "--target", "**"]);
      expect(r.error).toBeUndefined();
      expect(tenantRoles(s.emu, ADA, "acme")).toBeUndefined();
    });
  });

  describe("targeted up", () => {
    it("keeps the role Y asserts when up --target X narrows X", async () => {
      const s = await upXY();
      const up = await s.stack.up(
        program([
          { ...X, roleNames: ["support"] },
          { ...Y, roleNames: ["billing", "auditor"] },
        ]),
        {
          target: [urn("x")],
        },
      );
      expect(up.error).toBeUndefined();
      expect(tenantRoles(s.emu, ADA, "acme")).toEqual(["billing", "support", "viewer"]);
    });

    it("keeps the role Y asserts when up --target-replace X replaces X", async () => {
      const s = await upXY();
      const up = await s.stack.up(program([{ ...X, roleNames: ["support"] }, Y]), {
        target: [urn("x")],
        replace: [urn("x")],
      });
      expect(up.error).toBeUndefined();
      expect(tenantRoles(s.emu, ADA, "acme")).toEqual(["billing", "support", "viewer"]);
    });
  });

  describe("replace in mode add", () => {
    it("leaves nothing behind on destroy after up --replace", async () => {
      const s = await start();
      const x: Spec = { ...X, roleNames: ["billing"] };
      expect((await s.stack.up(program([x]))).error).toBeUndefined();
      expect((await s.stack.up(program([x]), { replace: [urn("x")] })).error).toBeUndefined();
      expect(tenantRoles(s.emu, ADA, "acme")).toEqual(["billing", "viewer"]);
      expect((await s.stack.destroy()).error).toBeUndefined();
      expect(tenantRoles(s.emu, ADA, "acme")).toBeUndefined();
    });

    it("leaves nothing behind on destroy after a rename without an alias", async () => {
      const s = await start();
      const x: Spec = { ...X, roleNames: ["billing"] };
      expect((await s.stack.up(program([x]))).error).toBeUndefined();
      expect((await s.stack.up(program([{ ...x, name: "x2" }]))).error).toBeUndefined();
      expect(tenantRoles(s.emu, ADA, "acme")).toEqual(["billing", "viewer"]);
      expect((await s.stack.destroy()).error).toBeUndefined();
      expect(tenantRoles(s.emu, ADA, "acme")).toBeUndefined();
    });
  });

  describe("--skip-preview", () => {
    it("fails a contradicting set declaration before any write", async () => {
      const s = await start();
      const x: Spec = { name: "x", loginId: ADA, tenantId: "acme", roleNames: ["billing", "support"] };
      expect((await s.stack.up(program([x]))).error).toBeUndefined();
      s.emu.requests.clear();
      // The Automation API's up is `pulumi up --skip-preview`; the new one registers first.
      const z: Spec = { name: "z", loginId: ADA, tenantId: "acme", roleNames: ["admin"] };
      const up = await s.stack.up(program([z, x]));
      expect(up.error).toMatch(/"z" contradicts "x": both set the roles of user/);
      expect(mutations(s.emu)).toEqual([]);
      expect(tenantRoles(s.emu, ADA, "acme")).toEqual(["billing", "support"]);
      expect((await s.stack.preview(program([x]), true)).error).toBeUndefined();
    });
  });

  describe("URN keys", () => {
    it("refuses two components' children of one name that contradict each other", async () => {
      const s = await start();
      const g1: Spec = { name: "g", parent: "team-a", loginId: ADA, tenantId: "acme", roleNames: ["admin"] };
      const g2: Spec = {
        name: "g",
        parent: "team-b",
        loginId: ADA,
        tenantId: "acme",
        roleNames: ["billing"],
        mode: "add",
      };
      const preview = await s.stack.preview(program([g1, g2]));
      const a = `urn:pulumi:test::pda-test::test:team-a$${TYPE}::g`;
      const b = `urn:pulumi:test::pda-test::test:team-b$${TYPE}::g`;
      // Either child may be checked first: the message names the later one first.
      const q = JSON.stringify;
      const either = [`${q(b)} contradicts ${q(a)}`, `${q(a)} contradicts ${q(b)}`];
      expect(either.filter((t) => preview.error?.includes(`UserRoleAssignment ${t}`))).toHaveLength(1);
      expect(mutations(s.emu)).toEqual([]);
    });
  });
});
