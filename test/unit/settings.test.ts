import { DescopeConfigError } from "../../provider/errors";
import * as os from "node:os";
import * as path from "node:path";
import {
  baseUrlForProject,
  defaultBudgetDir,
  isLoopbackHost,
  normalizeBaseUrl,
  resolveSettings,
} from "../../provider/settings";

const ID28 = "P2abcdefghijklmnopqrstuvwxyz"; // 28 characters
const ID32 = "Peuc1" + "abcdefghijklmnopqrstuvwxyz0"; // 5 + 27 = 32 characters
const KEY = "K2secret-management-key-value";

function configError(fn: () => unknown): DescopeConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DescopeConfigError);
    return err as DescopeConfigError;
  }
  throw new Error("expected a DescopeConfigError");
}

const DEFAULT_BUDGET = { requests: 400, perSeconds: 60 };
const HOME_ENV = { HOME: "/home/ci" };
const DEFAULTS = {
  rateLimit: DEFAULT_BUDGET,
  operationDeadlineMs: 300_000,
  budgetDir: "/home/ci/.cache/pulumi-descope-access/budget",
};

describe("resolveSettings", () => {
  it("takes the request budget from config over the environment, per minute", () => {
    const s = resolveSettings(
      { projectId: ID28, managementKey: KEY, requestsPerMinute: "120" },
      { DESCOPE_REQUESTS_PER_MINUTE: "50" },
    );
    expect(s.rateLimit).toEqual({ requests: 120, perSeconds: 60 });
    expect(
      resolveSettings({ projectId: ID28, managementKey: KEY }, { DESCOPE_REQUESTS_PER_MINUTE: "50" }).rateLimit
        .requests,
    ).toBe(50);
  });

  it.each(["0", "-3", "1.5", "many"])("refuses the request budget %j naming both settings", (budget) => {
    const err = configError(() =>
      resolveSettings({ projectId: ID28, managementKey: KEY, requestsPerMinute: budget }, {}),
    );
    expect(err.message).toContain("descope:requestsPerMinute / DESCOPE_REQUESTS_PER_MINUTE");
  });

  it("defaults the operation timeout to 5 minutes when neither config nor env sets it", () => {
    expect(resolveSettings({ projectId: ID28, managementKey: KEY }, {}).operationDeadlineMs).toBe(300_000);
  });

  it("takes the operation timeout in seconds from config over the environment", () => {
    const env = { DESCOPE_OPERATION_TIMEOUT_SECONDS: "45" };
    expect(
      resolveSettings({ projectId: ID28, managementKey: KEY, operationTimeoutSeconds: "600" }, env).operationDeadlineMs,
    ).toBe(600_000);
    expect(resolveSettings({ projectId: ID28, managementKey: KEY }, env).operationDeadlineMs).toBe(45_000);
    expect(
      resolveSettings({ projectId: ID28, managementKey: KEY, operationTimeoutSeconds: "2.5" }, {}).operationDeadlineMs,
    ).toBe(2_500);
  });

  it.each(["0", "-5", "abc", "1e3", "Infinity", "0.0001"])(
    "refuses the operation timeout %j naming both settings",
    (value) => {
      const err = configError(() =>
        resolveSettings({ projectId: ID28, managementKey: KEY }, { DESCOPE_OPERATION_TIMEOUT_SECONDS: value }),
      );
      expect(err.setting).toBe("descope:operationTimeoutSeconds");
      expect(err.message).toBe(
        `invalid Descope operation timeout ${JSON.stringify(value)}: descope:operationTimeoutSeconds / DESCOPE_OPERATION_TIMEOUT_SECONDS must be a positive number of seconds`,
      );
    },
  );

  it("takes the budget directory from DESCOPE_BUDGET_DIR when it is set", () => {
    const s = resolveSettings(
      { projectId: ID28, managementKey: KEY },
      { DESCOPE_BUDGET_DIR: "/tmp/budget/", XDG_CACHE_HOME: "/x" },
    );
    expect(s.budgetDir).toBe(path.normalize("/tmp/budget/"));
  });

  it("refuses DESCOPE_BUDGET_DIR when it is not an absolute path", () => {
    const err = configError(() =>
      resolveSettings({ projectId: ID28, managementKey: KEY }, { DESCOPE_BUDGET_DIR: "budget" }),
    );
    expect(err.message).toContain("DESCOPE_BUDGET_DIR");
    expect(err.message).toContain("absolute path");
  });

  it("takes every value from stack config when config and env both have them", () => {
    const s = resolveSettings(
      { projectId: ID28, managementKey: KEY, baseUrl: "https://config.example.com" },
      {
        ...HOME_ENV,
        DESCOPE_PROJECT_ID: "Penv",
        DESCOPE_MANAGEMENT_KEY: "envkey",
        DESCOPE_BASE_URL: "https://env.example.com",
      },
    );
    expect(s).toEqual({ projectId: ID28, managementKey: KEY, baseUrl: "https://config.example.com", ...DEFAULTS });
  });

  it("falls back to each environment variable when its config key is unset", () => {
    const s = resolveSettings(
      {},
      {
        ...HOME_ENV,
        DESCOPE_PROJECT_ID: ID28,
        DESCOPE_MANAGEMENT_KEY: KEY,
        DESCOPE_BASE_URL: "https://env.example.com/",
      },
    );
    expect(s).toEqual({ projectId: ID28, managementKey: KEY, baseUrl: "https://env.example.com", ...DEFAULTS });
  });

  it("mixes sources per value when only some config keys are set", () => {
    const s = resolveSettings({ managementKey: KEY }, { ...HOME_ENV, DESCOPE_PROJECT_ID: ID28 });
    expect(s).toEqual({ projectId: ID28, managementKey: KEY, baseUrl: "https://api.descope.com", ...DEFAULTS });
  });

  it("treats a blank config value as unset when the env has the value", () => {
    const s = resolveSettings({ projectId: "  ", managementKey: KEY }, { DESCOPE_PROJECT_ID: ID28 });
    expect(s.projectId).toBe(ID28);
  });

  it("names descope:projectId and DESCOPE_PROJECT_ID when the project ID is missing", () => {
    const err = configError(() => resolveSettings({ managementKey: KEY }, {}));
    expect(err.code).toBe("ERR_DESCOPE_CONFIG");
    expect(err.message).toBe(
      "missing Descope project ID: set the stack config descope:projectId or the environment variable DESCOPE_PROJECT_ID",
    );
  });

  it("names descope:managementKey and DESCOPE_MANAGEMENT_KEY when the key is missing", () => {
    const err = configError(() => resolveSettings({ projectId: ID28 }, { DESCOPE_MANAGEMENT_KEY: "" }));
    expect(err.message).toContain("descope:managementKey");
    expect(err.message).toContain("DESCOPE_MANAGEMENT_KEY");
  });

  it("derives the regional host when the project ID has 32 characters", () => {
    expect(ID32).toHaveLength(32);
    expect(resolveSettings({ projectId: ID32, managementKey: KEY }, {}).baseUrl).toBe("https://api.euc1.descope.com");
  });

  it("uses the default host when the project ID has 28 characters", () => {
    expect(ID28).toHaveLength(28);
    expect(resolveSettings({ projectId: ID28, managementKey: KEY }, {}).baseUrl).toBe("https://api.descope.com");
  });

  it("lets an explicit base URL win over the region rule when the ID is regional", () => {
    const s = resolveSettings(
      { projectId: ID32, managementKey: KEY },
      { DESCOPE_BASE_URL: "https://proxy.example.com/descope/" },
    );
    expect(s.baseUrl).toBe("https://proxy.example.com/descope");
  });

  it("never puts the key in the message when the base URL is refused", () => {
    const err = configError(() =>
      resolveSettings({ projectId: ID28, managementKey: KEY, baseUrl: "http://example.com" }, {}),
    );
    expect(err.message).not.toContain(KEY);
  });
});

describe("defaultBudgetDir", () => {
  it("puts the budget under XDG_CACHE_HOME when it is absolute", () => {
    expect(defaultBudgetDir({ XDG_CACHE_HOME: "/var/cache/me", HOME: "/home/me" })).toBe(
      path.join("/var/cache/me", "pulumi-descope-access", "budget"),
    );
  });

  it("falls back to ~/.cache when XDG_CACHE_HOME is unset or relative", () => {
    expect(defaultBudgetDir({ HOME: "/home/me" })).toBe(
      path.join("/home/me", ".cache", "pulumi-descope-access", "budget"),
    );
    expect(defaultBudgetDir({ HOME: "/home/me", XDG_CACHE_HOME: "cache" })).toBe(
      path.join("/home/me", ".cache", "pulumi-descope-access", "budget"),
    );
  });

  it("uses the operating system's home directory when HOME is unset", () => {
    expect(defaultBudgetDir({})).toBe(path.join(os.homedir(), ".cache", "pulumi-descope-access", "budget"));
  });
});

describe("baseUrlForProject", () => {
  it.each([
    [ID32, "https://api.euc1.descope.com"],
    ["Puse1" + "x".repeat(40), "https://api.use1.descope.com"],
    [ID28, "https://api.descope.com"],
    ["P" + "a".repeat(30), "https://api.descope.com"],
  ])("maps %s to %s when applying the region rule", (id, url) => {
    expect(baseUrlForProject(id)).toBe(url);
  });

  it("refuses a long ID when its region characters are not alphanumeric", () => {
    expect(() => baseUrlForProject("P../x" + "a".repeat(30))).toThrow(DescopeConfigError);
  });
});

describe("normalizeBaseUrl", () => {
  it.each([
    ["https://api.descope.com/", "https://api.descope.com"],
    ["https://api.descope.com///", "https://api.descope.com"],
    ["http://127.0.0.1:4010", "http://127.0.0.1:4010"],
    ["http://127.3.2.1:4010/", "http://127.3.2.1:4010"],
    ["http://localhost:8080/", "http://localhost:8080"],
    ["http://[::1]:9000", "http://[::1]:9000"],
  ])("accepts %s as %s when https or loopback http", (raw, expected) => {
    expect(normalizeBaseUrl(raw)).toBe(expected);
  });

  it.each([
    ["http://api.descope.com"],
    ["http://10.0.0.1:4010"],
    ["http://localhost.evil.com"],
    ["http://128.0.0.1"],
    ["ftp://127.0.0.1"],
    ["not a url"],
    ["api.descope.com"],
    ["https://user:pw@api.descope.com"],
    ["https://api.descope.com/?x=1"],
  ])("refuses %s when it is not https, not loopback, or not a clean URL", (raw) => {
    const err = configError(() => normalizeBaseUrl(raw));
    expect(err.message).toContain("descope:baseUrl / DESCOPE_BASE_URL");
    expect(err.message).not.toContain("\n");
  });
});

describe("isLoopbackHost", () => {
  it.each([
    ["localhost", true],
    ["127.0.0.1", true],
    ["127.255.255.254", true],
    ["[::1]", true],
    ["::1", true],
    ["127.0.0.256", false],
    ["10.0.0.1", false],
    ["example.com", false],
  ])("says %s is loopback = %s when classifying hosts", (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
