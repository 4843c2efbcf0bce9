import { parseGrants } from "../../provider/grants";
import {
  exportGrants,
  heldScopes,
  scopePasses,
  userPasses,
  type ExportFilter,
  type RoleHolder,
} from "../../provider/cli/export-grants";

function user(loginId: string, over: Partial<RoleHolder> = {}): RoleHolder {
  return { userId: `U-${loginId}`, loginIds: [loginId], roleNames: [], userTenants: [], ...over };
}

const ada = user("ada@example.com", {
  loginIds: ["ada@example.com", "+15550001"],
  roleNames: ["viewer", "admin", "viewer"],
  userTenants: [
    { tenantId: "t-2", roleNames: ["editor"] },
    { tenantId: "t-1", roleNames: [] },
  ],
});
const bob = user("bob@example.com", { userTenants: [{ tenantId: "t-1", roleNames: ["viewer", "auditor"] }] });
const tess = user("tess@example.com", { roleNames: ["admin"], test: true });
const nobody = user("nobody@example.com", { userTenants: [{ tenantId: "t-1", roleNames: [] }] });
const USERS = [tess, bob, nobody, ada];

const names = (filter?: ExportFilter) => exportGrants(USERS, filter).map((g) => g.name);

describe("exportGrants", () => {
  it("writes one grant per user and scope holding a role, sorted by name, roles sorted and deduplicated", () => {
    expect(exportGrants(USERS)).toEqual([
      { name: "ada@example.com/project", loginId: "ada@example.com", roleNames: ["admin", "viewer"] },
      { name: "ada@example.com/t-2", loginId: "ada@example.com", tenantId: "t-2", roleNames: ["editor"] },
      { name: "bob@example.com/t-1", loginId: "bob@example.com", tenantId: "t-1", roleNames: ["auditor", "viewer"] },
    ]);
  });

  it("writes keys in the order name, loginId, tenantId, roleNames", () => {
    expect(Object.keys(exportGrants([bob])[0])).toEqual(["name", "loginId", "tenantId", "roleNames"]);
  });

  it("names a user without login IDs by its user ID", () => {
    expect(exportGrants([user("x", { loginIds: [], userId: "U2only", roleNames: ["r"] })])).toEqual([
      { name: "U2only/project", loginId: "U2only", roleNames: ["r"] },
    ]);
  });

  it.each<[string, ExportFilter, string[]]>([
    ["no filter leaves test users out", {}, ["ada@example.com/project", "ada@example.com/t-2", "bob@example.com/t-1"]],
    [
      "includeTestUsers keeps them",
      { includeTestUsers: true },
      ["ada@example.com/project", "ada@example.com/t-2", "bob@example.com/t-1", "tess@example.com/project"],
    ],
    ["a tenant keeps only that tenant's scopes", { tenantIds: ["t-1"] }, ["bob@example.com/t-1"]],
    [
      "two tenants keep both and no project scope",
      { tenantIds: ["t-1", "t-2"] },
      ["ada@example.com/t-2", "bob@example.com/t-1"],
    ],
    [
      "a login ID keeps that user (any of its login IDs)",
      { loginIds: ["+15550001"] },
      ["ada@example.com/project", "ada@example.com/t-2"],
    ],
    ["a role keeps scopes holding it", { roleNames: ["viewer"] }, ["ada@example.com/project", "bob@example.com/t-1"]],
    ["an unknown role keeps nothing", { roleNames: ["owner"] }, []],
    ["filters combine with AND", { tenantIds: ["t-1"], roleNames: ["admin"] }, []],
    ["a test user's login ID still needs includeTestUsers", { loginIds: ["tess@example.com"] }, []],
  ])("%s", (_title, filter, expected) => {
    expect(names(filter)).toEqual(expected);
  });

  it("keeps every role of a scope matched by --role", () => {
    expect(exportGrants(USERS, { roleNames: ["auditor"] })).toEqual([
      { name: "bob@example.com/t-1", loginId: "bob@example.com", tenantId: "t-1", roleNames: ["auditor", "viewer"] },
    ]);
  });

  it("produces a document parseGrants accepts unchanged", () => {
    const grants = exportGrants(USERS, { includeTestUsers: true });
    expect(parseGrants({ grants })).toEqual(grants);
  });

  it("sorts by code point, not by locale", () => {
    const us = [
      user("b@x", { roleNames: ["r"] }),
      user("B@x", { roleNames: ["r"] }),
      user("a@x", { roleNames: ["r"] }),
    ];
    expect(exportGrants(us).map((g) => g.loginId)).toEqual(["B@x", "a@x", "b@x"]);
  });
});

describe("heldScopes", () => {
  it("lists the project first, then every tenant membership, empty ones too", () => {
    expect(heldScopes(ada)).toEqual([
      { tenantId: null, roleNames: ["admin", "viewer"] },
      { tenantId: "t-2", roleNames: ["editor"] },
      { tenantId: "t-1", roleNames: [] },
    ]);
  });
});

describe("userPasses / scopePasses", () => {
  it.each<[string, RoleHolder, ExportFilter, boolean]>([
    ["a plain user with no filter", bob, {}, true],
    ["a test user with no filter", tess, {}, false],
    ["a test user with includeTestUsers", tess, { includeTestUsers: true }, true],
    ["a user whose login ID is not listed", bob, { loginIds: ["ada@example.com"] }, false],
  ])("userPasses: %s", (_title, u, filter, expected) => {
    expect(userPasses(u, filter)).toBe(expected);
  });

  it.each<[string, { tenantId: string | null; roleNames: string[] }, ExportFilter, boolean]>([
    ["an empty scope never", { tenantId: "t-1", roleNames: [] }, {}, false],
    [
      "the project scope under a tenant filter never",
      { tenantId: null, roleNames: ["a"] },
      { tenantIds: ["t-1"] },
      false,
    ],
    ["a listed tenant", { tenantId: "t-1", roleNames: ["a"] }, { tenantIds: ["t-1"] }, true],
    ["a scope holding the role", { tenantId: null, roleNames: ["a", "b"] }, { roleNames: ["b"] }, true],
  ])("scopePasses: %s", (_title, scope, filter, expected) => {
    expect(scopePasses(scope, filter)).toBe(expected);
  });
});
