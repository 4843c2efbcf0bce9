import { roleBody, shapeRequest, userScope } from "../../provider/client/shape";

const AUTH = "Bearer P1:K1";

describe("shapeRequest", () => {
  it("sends a GET with the query and no content type when loading a user", () => {
    expect(shapeRequest("https://api.descope.com", "loadUser", { query: { loginId: "a+b@x.io" } }, AUTH)).toEqual({
      method: "GET",
      url: "https://api.descope.com/v1/mgmt/user?loginId=a%2Bb%40x.io",
      headers: { authorization: AUTH, accept: "application/json" },
    });
  });

  it("sends JSON with a content type and the license tier when posting", () => {
    const shaped = shapeRequest(
      "http://127.0.0.1:1",
      "addRoles",
      { body: { loginId: "a", roleNames: ["r"] } },
      AUTH,
      "tier1",
    );
    expect(shaped).toEqual({
      method: "POST",
      url: "http://127.0.0.1:1/v2/mgmt/user/update/role/add",
      headers: {
        authorization: AUTH,
        accept: "application/json",
        "content-type": "application/json",
        "x-descope-license": "tier1",
      },
      body: '{"loginId":"a","roleNames":["r"]}',
    });
  });
});

describe("roleBody", () => {
  it.each([[undefined], [""]])("leaves tenantId out when it is %j", (tenantId) => {
    expect(roleBody("a", ["r"], tenantId)).toEqual({ loginId: "a", roleNames: ["r"] });
  });

  it("includes tenantId when one is given", () => {
    expect(roleBody("a", [], "t")).toEqual({ loginId: "a", roleNames: [], tenantId: "t" });
  });
});

describe("userScope", () => {
  it("leaves the tenant out of the message context when the call is project-level", () => {
    expect(userScope("a", "")).toEqual({ loginId: "a" });
    expect(userScope("a", "t")).toEqual({ loginId: "a", tenantId: "t" });
  });
});
