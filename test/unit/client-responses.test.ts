import {
  describeIssues,
  licenseSchema,
  tenantResponseSchema,
  userResponseSchema,
} from "../../provider/client/responses";

describe("userResponseSchema", () => {
  it("fills missing or null arrays with [] when the service leaves them out", () => {
    const user = userResponseSchema().parse({
      user: { userId: "U1", loginIds: null, userTenants: [{ tenantId: "t1", roleNames: null }] },
    });
    expect(user).toEqual({
      userId: "U1",
      loginIds: [],
      roleNames: [],
      status: "",
      userTenants: [{ tenantId: "t1", tenantName: "", roleNames: [] }],
    });
  });

  it("keeps unknown fields when the user object has more than we read", () => {
    const user = userResponseSchema().parse({
      user: { userId: "U1", email: "a@b.c", userTenants: [{ tenantId: "t", roleNames: ["r"], permissions: ["p"] }] },
    });
    expect(user.email).toBe("a@b.c");
    expect(user.userTenants[0].permissions).toEqual(["p"]);
  });

  it("rejects the body when userId is missing", () => {
    const r = userResponseSchema().safeParse({ user: { loginIds: ["a"] } });
    expect(r.success).toBe(false);
    if (!r.success) expect(describeIssues(r.error)).toBe("user.userId: Required");
  });

  it("rejects the body when the user wrapper is missing", () => {
    expect(userResponseSchema().safeParse({ userId: "U1" }).success).toBe(false);
  });
});

describe("tenantResponseSchema", () => {
  it("reads the tenant when it is at top level", () => {
    expect(tenantResponseSchema().parse({ id: "t1", name: "One" })).toEqual({
      id: "t1",
      name: "One",
      defaultRoles: [],
    });
  });

  it("reads the tenant when it is wrapped in { tenant }", () => {
    expect(tenantResponseSchema().parse({ tenant: { id: "t1", name: "One", x: 1 } })).toEqual({
      id: "t1",
      name: "One",
      x: 1,
      defaultRoles: [],
    });
  });
});

describe("licenseSchema", () => {
  it("requires a non-empty rateLimitTier when parsing the handshake", () => {
    expect(licenseSchema().parse({ rateLimitTier: "tier1" })).toEqual({ rateLimitTier: "tier1" });
    expect(licenseSchema().safeParse({}).success).toBe(false);
  });
});
