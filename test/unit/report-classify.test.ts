import type { RoleHolder } from "../../provider/cli/export-grants";
import {
  classifyAccess,
  resolveDeclared,
  type AccessReport,
  type DeclaredAssignment,
} from "../../provider/cli/report-classify";
import { formatTable, summaryLine } from "../../provider/cli/report-format";
import { formatMarkdown } from "../../provider/cli/report-markdown";
import { declarationsFromGrants, declarationsFromState } from "../../provider/cli/report-sources";

const ada: RoleHolder = {
  userId: "U-ada",
  loginIds: ["ada@example.com"],
  roleNames: ["admin", "viewer"],
  userTenants: [{ tenantId: "t-1", roleNames: ["editor"] }],
};
const bob: RoleHolder = {
  userId: "U-bob",
  loginIds: ["bob@example.com"],
  roleNames: [],
  userTenants: [{ tenantId: "t-1", roleNames: ["viewer"] }],
};
const tess: RoleHolder = {
  userId: "U-tess",
  loginIds: ["tess@example.com"],
  roleNames: ["viewer"],
  userTenants: [],
  test: true,
};
const USERS = [ada, bob, tess];

function decl(
  loginId: string,
  tenantId: string | null,
  roleNames: string[],
  over: Partial<DeclaredAssignment> = {},
): DeclaredAssignment {
  return { name: `${loginId}/${tenantId ?? "project"}`, loginId, tenantId, roleNames, mode: "set", ...over };
}

/** The report as `status loginId scope roles` lines, for compact table tests. */
function lines(report: AccessReport): string[] {
  return (["managed", "unmanaged", "missing"] as const).flatMap((s) =>
    report[s].map((i) => `${s} ${i.loginId} ${i.tenantId ?? "project"} ${i.roleNames.join(",")}`),
  );
}

describe("classifyAccess", () => {
  it.each<[string, DeclaredAssignment[], string[]]>([
    [
      "no declarations: every held role is unmanaged, test users left out",
      [],
      [
        "unmanaged ada@example.com project admin,viewer",
        "unmanaged ada@example.com t-1 editor",
        "unmanaged bob@example.com t-1 viewer",
      ],
    ],
    [
      "a set declaration matching exactly is managed",
      [decl("bob@example.com", "t-1", ["viewer"])],
      [
        "managed bob@example.com t-1 viewer",
        "unmanaged ada@example.com project admin,viewer",
        "unmanaged ada@example.com t-1 editor",
      ],
    ],
    [
      "a role held beyond a set declaration is unmanaged",
      [decl("ada@example.com", null, ["viewer"])],
      [
        "managed ada@example.com project viewer",
        "unmanaged ada@example.com project admin",
        "unmanaged ada@example.com t-1 editor",
        "unmanaged bob@example.com t-1 viewer",
      ],
    ],
    [
      "an add declaration leaves the scope's other roles unmanaged",
      [decl("ada@example.com", null, ["admin"], { mode: "add" })],
      [
        "managed ada@example.com project admin",
        "unmanaged ada@example.com project viewer",
        "unmanaged ada@example.com t-1 editor",
        "unmanaged bob@example.com t-1 viewer",
      ],
    ],
    [
      "a declared role not held is missing",
      [decl("bob@example.com", "t-1", ["viewer", "auditor"])],
      [
        "managed bob@example.com t-1 viewer",
        "unmanaged ada@example.com project admin,viewer",
        "unmanaged ada@example.com t-1 editor",
        "missing bob@example.com t-1 auditor",
      ],
    ],
    [
      "a declared tenant the user is not in is missing",
      [decl("bob@example.com", "t-9", ["viewer"])],
      [
        "unmanaged ada@example.com project admin,viewer",
        "unmanaged ada@example.com t-1 editor",
        "unmanaged bob@example.com t-1 viewer",
        "missing bob@example.com t-9 viewer",
      ],
    ],
    [
      "two declarations of one scope assert the union",
      [
        decl("ada@example.com", null, ["admin"], { mode: "add", name: "a" }),
        decl("ada@example.com", null, ["viewer"], { mode: "add", name: "b" }),
      ],
      [
        "managed ada@example.com project admin,viewer",
        "unmanaged ada@example.com t-1 editor",
        "unmanaged bob@example.com t-1 viewer",
      ],
    ],
    [
      "a declared test user is reported",
      [decl("tess@example.com", null, ["viewer"])],
      [
        "managed tess@example.com project viewer",
        "unmanaged ada@example.com project admin,viewer",
        "unmanaged ada@example.com t-1 editor",
        "unmanaged bob@example.com t-1 viewer",
      ],
    ],
  ])("%s", (_title, declared, expected) => {
    expect(lines(classifyAccess(USERS, declared))).toEqual(expected);
  });

  it("reports undeclared test users with includeTestUsers", () => {
    expect(lines(classifyAccess([tess], [], { includeTestUsers: true }))).toEqual([
      "unmanaged tess@example.com project viewer",
    ]);
  });

  it("reports a declaration naming no user as missing with userId null, merged per scope", () => {
    const report = classifyAccess(
      [],
      [
        decl("ghost@example.com", null, ["b"], { name: "g1" }),
        decl("ghost@example.com", null, ["a", "b"], { name: "g2" }),
      ],
    );
    expect(report).toEqual({
      managed: [],
      unmanaged: [],
      missing: [{ loginId: "ghost@example.com", userId: null, tenantId: null, roleNames: ["a", "b"] }],
    });
  });

  it("items carry loginId, userId, tenantId (null for project) and sorted roles", () => {
    expect(classifyAccess([ada], [decl("U-ada", "t-1", ["editor"])]).managed).toEqual([
      { loginId: "ada@example.com", userId: "U-ada", tenantId: "t-1", roleNames: ["editor"] },
    ]);
  });
});

describe("resolveDeclared", () => {
  it.each<[string, DeclaredAssignment, string | undefined]>([
    ["by login ID", decl("bob@example.com", null, []), "U-bob"],
    ["by user ID given as loginId", decl("U-bob", null, []), "U-bob"],
    ["by userId alone when it is known", decl("bob@example.com", null, [], { userId: "U-ada" }), "U-ada"],
    ["nobody for a recorded userId that is gone", decl("bob@example.com", null, [], { userId: "U-gone" }), undefined],
  ])("%s", (_title, d, expected) => {
    expect(resolveDeclared(d, USERS)?.userId).toBe(expected);
  });
});

describe("declarationsFromState", () => {
  const resource = (name: string, outputs: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    urn: `urn:pulumi:dev::p::pulumi-nodejs:dynamic/descope:UserRoleAssignment::${name}`,
    type: "pulumi-nodejs:dynamic/descope:UserRoleAssignment",
    outputs,
    ...extra,
  });
  const ok = resource("ada-t1", {
    loginId: "ada@example.com",
    userId: "U-ada",
    tenantId: "t-1",
    roleNames: ["editor"],
    mode: "add",
  });
  const other = { urn: "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev", type: "pulumi:pulumi:Stack", outputs: {} };
  const expected = [
    {
      name: "ada-t1",
      urn: ok.urn,
      loginId: "ada@example.com",
      userId: "U-ada",
      tenantId: "t-1",
      roleNames: ["editor"],
      mode: "add",
    },
  ];

  it.each([
    ["a stack export", { version: 3, deployment: { resources: [other, ok] } }],
    ["a bare deployment", { resources: [other, ok] }],
  ])("reads assignments from %s", (_title, doc) => {
    expect(declarationsFromState(doc)).toEqual(expected);
  });

  it("skips resources pending deletion and reads a plaintext secret", () => {
    const secret = {
      "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
      plaintext: JSON.stringify("ada@example.com"),
    };
    const doc = {
      resources: [
        resource("old", { loginId: "x", roleNames: [] }, { delete: true }),
        resource("ada-t1", { ...ok.outputs, loginId: secret }),
      ],
    };
    expect(declarationsFromState(doc)).toEqual(expected);
  });

  it("names each of two same-named resources by its URN when two components have a child of that name", () => {
    const child = (parent: string, loginId: string) => ({
      urn: `urn:pulumi:dev::p::${parent}$pulumi-nodejs:dynamic/descope:UserRoleAssignment::g`,
      type: "pulumi-nodejs:dynamic/descope:UserRoleAssignment",
      outputs: { loginId, roleNames: ["r"] },
    });
    const declared = declarationsFromState({ resources: [child("my:Team", "a"), child("my:Ops", "b"), ok] });
    expect(declared.map((d) => [d.name, d.loginId])).toEqual([
      ["urn:pulumi:dev::p::my:Team$pulumi-nodejs:dynamic/descope:UserRoleAssignment::g", "a"],
      ["urn:pulumi:dev::p::my:Ops$pulumi-nodejs:dynamic/descope:UserRoleAssignment::g", "b"],
      ["ada-t1", "ada@example.com"],
    ]);
  });

  it.each([
    [
      "not a state",
      { foo: 1 },
      "state file is not a Pulumi state: it has no resources list (expected the JSON of pulumi stack export)",
    ],
    [
      "an encrypted secret",
      {
        resources: [
          resource("s", {
            loginId: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:x" },
            roleNames: [],
          }),
        ],
      },
      'state file: resource "s" output loginId is an encrypted secret: export the state with pulumi stack export --show-secrets, or report from the grants file',
    ],
    [
      "no roleNames",
      { resources: [resource("n", { loginId: "a" })] },
      'state file: resource "n" has no roleNames list output',
    ],
  ])("refuses %s with one message", (_title, doc, message) => {
    expect(() => declarationsFromState(doc)).toThrow(message);
  });
});

describe("declarationsFromGrants", () => {
  it("defaults the name, the project scope and mode set", () => {
    expect(
      declarationsFromGrants([
        { loginId: "a", roleNames: ["r"] },
        { name: "n", loginId: "b", tenantId: "t", roleNames: [], mode: "add" },
      ]),
    ).toEqual([
      { name: "a/project", loginId: "a", tenantId: null, roleNames: ["r"], mode: "set" },
      { name: "n", loginId: "b", tenantId: "t", roleNames: [], mode: "add" },
    ]);
  });
});

describe("report formats", () => {
  const report = classifyAccess(
    [ada, bob],
    [decl("ada@example.com", null, ["viewer", "owner"]), decl("ghost@x", "t-1", ["viewer"])],
  );

  it("formatTable groups lines by user, project first, then the summary", () => {
    expect(formatTable(report)).toBe(
      [
        "ada@example.com (U-ada)",
        "  project  managed    viewer",
        "  project  unmanaged  admin",
        "  project  missing    owner",
        "  t-1      unmanaged  editor",
        "",
        "bob@example.com (U-bob)",
        "  t-1      unmanaged  viewer",
        "",
        "ghost@x (no such user)",
        "  t-1      missing    viewer",
        "",
        "roles: 1 managed, 3 unmanaged, 2 missing; users: 3",
        "",
      ].join("\n"),
    );
  });

  it("summaryLine counts roles, not lines", () => {
    expect(summaryLine({ managed: [], unmanaged: [], missing: [] })).toBe(
      "roles: 0 managed, 0 unmanaged, 0 missing; users: 0",
    );
  });

  it("formatMarkdown lists unmanaged, missing and managed sections with tables", () => {
    const md = formatMarkdown(report, { projectId: "P2x", sources: ["grants file g.yaml"] });
    expect(md).toContain("Project P2x, declarations from grants file g.yaml.");
    expect(md).toContain("## Unmanaged (3)");
    expect(md).toContain("| ghost@x | (no such user) | t-1 | viewer |");
    expect(md).toContain(
      "## Managed (1)\n\nHeld and declared.\n\n| Login ID | User ID | Scope | Roles |\n| --- | --- | --- | --- |\n| ada@example.com | U-ada | project | viewer |\n",
    );
  });
});
