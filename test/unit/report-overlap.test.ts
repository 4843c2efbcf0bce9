import type { RoleHolder } from "../../provider/cli/export-grants";
import type { DeclaredAssignment } from "../../provider/cli/report-classify";
import { formatTable } from "../../provider/cli/report-format";
import {
  contradiction,
  findOverlaps,
  type DeclarationRef,
  type DeclarationSource,
} from "../../provider/cli/report-overlap";

const ada: RoleHolder = { userId: "U-ada", loginIds: ["ada@example.com"], roleNames: [], userTenants: [] };

const ref = (mode: "set" | "add", roleNames: string[], name = mode): DeclarationRef => ({
  source: `grants file ${name}.yaml`,
  kind: "grant",
  name,
  mode,
  roleNames,
});

function decl(loginId: string, roleNames: string[], mode: "set" | "add" = "set", tenantId: string | null = null) {
  return { name: `${loginId}/${tenantId ?? "project"}`, loginId, tenantId, roleNames, mode } as DeclaredAssignment;
}

function source(label: string, ...declared: DeclaredAssignment[]): DeclarationSource {
  return { label, kind: "grants", declared };
}

describe("contradiction", () => {
  it.each<[string, DeclarationRef, DeclarationRef, string[] | undefined]>([
    ["two sets with different roles", ref("set", ["a"]), ref("set", ["a", "b"]), ["b"]],
    ["two sets each lacking a role of the other", ref("set", ["a"]), ref("set", ["b"]), ["a", "b"]],
    ["two sets with the same roles: none", ref("set", ["a", "b"]), ref("set", ["a", "b"]), undefined],
    ["an add declaring a role the set leaves out", ref("add", ["c"]), ref("set", ["a"]), ["c"]],
    ["an add within the set: none", ref("set", ["a", "b"]), ref("add", ["a"]), undefined],
    ["two adds: none", ref("add", ["a"]), ref("add", ["b"]), undefined],
  ])("finds %s", (_title, a, b, roles) => {
    expect(contradiction(a, b)?.roleNames).toEqual(roles);
  });

  it("puts the set first when the add comes first", () => {
    const pair = contradiction(ref("add", ["c"]), ref("set", ["a"]));
    expect(pair?.declarations.map((d) => d.mode)).toEqual(["set", "add"]);
  });
});

describe("findOverlaps", () => {
  it("sets nothing against itself when one source declares a user twice", () => {
    const one = source("grants file a.yaml", decl("ada@example.com", ["x"]), decl("ada@example.com", ["y"]));
    expect(findOverlaps([ada], [one])).toEqual({ contradictions: [], shared: [] });
  });

  it("counts a login ID and a user ID of one live user as one user when two sources differ in naming", () => {
    const overlaps = findOverlaps(
      [ada],
      [
        source("grants file a.yaml", decl("ada@example.com", ["x"])),
        source("grants file b.yaml", decl("U-ada", ["y"])),
      ],
    );
    expect(overlaps.contradictions.map((c) => [c.loginId, c.userId, c.roleNames])).toEqual([
      ["ada@example.com", "U-ada", ["x", "y"]],
    ]);
  });

  it("groups shared roles by the declarations asserting them when a third source asserts only some", () => {
    const a = source("grants file a.yaml", decl("ada@example.com", ["x", "y"], "add"));
    const b = source("grants file b.yaml", decl("ada@example.com", ["x", "y"], "add"));
    const c = source("grants file c.yaml", decl("ada@example.com", ["y"], "add"));
    const shared = findOverlaps([ada], [a, b, c]).shared;
    expect(shared.map((s) => [s.roleNames, s.declaredBy.map((d) => d.source)])).toEqual([
      [["x"], ["grants file a.yaml", "grants file b.yaml"]],
      [["y"], ["grants file a.yaml", "grants file b.yaml", "grants file c.yaml"]],
    ]);
  });

  it("keeps a user no live user matches under its declared name when two sources declare it", () => {
    const overlaps = findOverlaps(
      [],
      [source("a", decl("ghost@x", ["r"], "add")), source("b", decl("ghost@x", ["r"], "add"))],
    );
    expect(overlaps.shared.map((s) => [s.loginId, s.userId, s.roleNames])).toEqual([["ghost@x", null, ["r"]]]);
  });

  it("keeps different scopes apart when two sources declare one user in each", () => {
    const overlaps = findOverlaps(
      [ada],
      [
        source("a", decl("ada@example.com", ["r"], "set", "t-1")),
        source("b", decl("ada@example.com", ["s"], "set", null)),
      ],
    );
    expect(overlaps).toEqual({ contradictions: [], shared: [] });
  });
});

describe("formatTable", () => {
  it("prints none under each overlap section when several sources neither contradict nor share", () => {
    const text = formatTable({ managed: [], unmanaged: [], missing: [] }, { contradictions: [], shared: [] });
    expect(text).toMatch(/\nContradictions \(0\): [^\n]*\n {2}None\.\n\nShared \(0\): [^\n]*\n {2}None\.\n/);
    expect(text.endsWith("; contradictions: 0; shared: 0\n")).toBe(true);
  });

  it("says a declaration lists no roles when a set declares none", () => {
    const set = { ...ref("set", []), name: "empty" };
    const text = formatTable(
      { managed: [], unmanaged: [], missing: [] },
      {
        contradictions: [
          { loginId: "a", userId: "U", tenantId: null, roleNames: ["r"], declarations: [set, ref("add", ["r"])] },
        ],
        shared: [],
      },
    );
    expect(text).toContain('    grants file set.yaml, grant "empty": set (no roles)\n');
  });
});
