import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { resetLimiters, type Release } from "../../provider/client/limiter";
import { readOwnFile } from "../../provider/client/budget-files";
import { withFileLock } from "../../provider/client/budget-lock";
import { sweepBudgetDir } from "../../provider/client/budget-sweep";
import {
  budgetFileName,
  formatBudgetState,
  grantable,
  isAhead,
  liveTokens,
  mergeFinished,
  nextCheckMs,
  parseBudgetState,
  roundUp,
  tokenCount,
  type LiveRules,
  type SharedToken,
} from "../../provider/client/budget-tokens";
import { SharedRateLimiter } from "../../provider/client/shared-budget";

const NOW = 1_700_000_000_000;
const rules: LiveRules = { windowMs: 60_000, maxHoldMs: 300_000, aheadMs: 3_000, isDead: () => false };
const token = (over: Partial<SharedToken>): SharedToken => ({
  owner: "a",
  pid: 1,
  host: "h",
  startedAt: NOW - 1_000,
  ...over,
});

/** The user other than root that root-only tests hand files to. */
const NOBODY = 65534;
/** Ownership tests need root (to chown); elsewhere they are skipped. */
const asRoot = process.getuid?.() === 0 ? it : it.skip;

/** The pid of a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ["-e", ""]).pid;
}

let dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "descope-budget-"));
  dirs.push(dir);
  return dir;
}
beforeEach(() => resetLimiters()); // the once-per-process warning, the directories swept
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  dirs = [];
});

describe("liveTokens", () => {
  it("keeps a finished token until its window after the finish has passed", () => {
    const t = token({ finishedAt: NOW - 59_999 });
    expect(liveTokens([t], NOW, rules)).toEqual([t]);
    expect(liveTokens([token({ finishedAt: NOW - 60_000 })], NOW, rules)).toEqual([]);
  });

  it("keeps a token in use however old its window start would be when its call runs", () => {
    const t = token({ startedAt: NOW - 200_000 });
    expect(liveTokens([t], NOW, rules)[0]).toBe(t);
  });

  it("finishes a token in use now when its process is gone", () => {
    const t = token({ pid: 42 });
    expect(liveTokens([t], NOW, { ...rules, isDead: (x) => x.pid === 42 })).toEqual([{ ...t, finishedAt: NOW }]);
  });

  it("finishes a token at maxHoldMs after it was handed out when its call never ends", () => {
    expect(liveTokens([token({ startedAt: NOW - 300_000 })], NOW, rules)).toEqual([
      token({ startedAt: NOW - 300_000, finishedAt: NOW }),
    ]);
    expect(liveTokens([token({ startedAt: NOW - 360_000 })], NOW, rules)).toEqual([]);
  });

  it("drops a token dated further ahead than aheadMs when it finds one", () => {
    const near = token({ startedAt: NOW + 3_000, finishedAt: NOW + 3_000 });
    const late = [token({ startedAt: NOW + 3_001 }), token({ finishedAt: NOW + 30 * 86_400_000 })];
    expect(liveTokens([near, ...late], NOW, rules)).toEqual([near]);
  });
});

describe("isAhead", () => {
  it.each([
    { expected: false, over: { startedAt: NOW + 1_000 }, what: "a start within the skew" },
    { expected: false, over: { finishedAt: NOW + 1_000 }, what: "a finish within the skew" },
    { expected: true, over: { startedAt: NOW + 1_001 }, what: "a start beyond the skew" },
    { expected: true, over: { finishedAt: NOW + 1_001 }, what: "a finish beyond the skew" },
  ])("returns $expected when the token has $what of 1 s", ({ over, expected }) => {
    expect(isAhead(token(over), NOW, 1_000)).toBe(expected);
  });
});

describe("mergeFinished", () => {
  it("merges finished tokens per finish time and keeps tokens in use as they are", () => {
    const inUse = token({ startedAt: NOW - 5 });
    const merged = mergeFinished([
      token({ startedAt: NOW - 9, finishedAt: NOW }),
      inUse,
      token({ startedAt: NOW - 7, finishedAt: NOW, count: 2 }),
      token({ finishedAt: NOW + 1000 }),
    ]);
    expect(merged).toEqual([
      token({ startedAt: NOW - 9, finishedAt: NOW, count: 3 }),
      token({ finishedAt: NOW + 1000 }),
      inUse,
    ]);
    expect(merged[2]).toBe(inUse);
    expect(tokenCount(merged)).toBe(5);
  });
});

describe("roundUp", () => {
  it.each([
    [0, 0],
    [1, 1000],
    [1000, 1000],
    [1001, 2000],
  ])("rounds %i ms up to %i when the step is 1 s", (ms, expected) => {
    expect(roundUp(ms, 1000)).toBe(expected);
  });
});

describe("grantable", () => {
  it.each([
    [3, 0, 5, 3],
    [2, 3, 5, 3],
    [0, 5, 5, 3],
    [0, 7, 5, 3],
    [0, 0, 5, 0],
  ])("grants %i when %i tokens of a budget of %i are live and %i are wanted", (expected, live, requests, wanted) => {
    expect(grantable(live, { requests, perSeconds: 60 }, wanted)).toBe(expected);
  });
});

describe("nextCheckMs", () => {
  it("wakes when the first finished token's window ends", () => {
    const live = [token({ finishedAt: NOW - 50_000 }), token({ finishedAt: NOW - 10_000 })];
    expect(nextCheckMs(live, NOW, 60_000, "a", 250)).toBe(10_000);
  });

  it("polls while another instance holds a token in use", () => {
    expect(nextCheckMs([token({ owner: "b" }), token({ finishedAt: NOW })], NOW, 60_000, "a", 250)).toBe(250);
  });

  it("waits for its own releases when only its own tokens are in use", () => {
    expect(nextCheckMs([token({ owner: "a" })], NOW, 60_000, "a", 250)).toBeUndefined();
  });
});

describe("budgetFileName", () => {
  it("is pda-budget- and the sha256 of the project ID and base URL when naming the state file", () => {
    const hex = createHash("sha256").update("P1\nhttps://api.descope.com").digest("hex");
    expect(budgetFileName("P1", "https://api.descope.com")).toBe(`pda-budget-${hex}.json`);
    expect(budgetFileName("P1", "http://127.0.0.1:4010")).not.toBe(budgetFileName("P1", "https://api.descope.com"));
  });
});

describe("parseBudgetState", () => {
  it("reads back what formatBudgetState wrote", () => {
    const tokens = [token({}), token({ finishedAt: NOW })];
    expect(parseBudgetState(formatBudgetState(tokens))).toEqual(tokens);
  });

  it.each([[undefined], [""], ["{"], ["null"], ['{"tokens":3}']])(
    "reads %j as no tokens when the file is missing or corrupt",
    (text) => {
      expect(parseBudgetState(text)).toEqual([]);
    },
  );

  it("drops entries that are not tokens when the file holds some", () => {
    const text = JSON.stringify({ tokens: [token({}), { owner: "x" }, null, token({ finishedAt: "soon" as never })] });
    expect(parseBudgetState(text)).toEqual([token({})]);
  });
});

describe("withFileLock", () => {
  it("never lets two holders in at once when they contend", async () => {
    const lock = path.join(tempDir(), "x.lock");
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        withFileLock(lock, async () => {
          inside++;
          most = Math.max(most, inside);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it("breaks the lock when its holder's process is gone", async () => {
    const lock = path.join(tempDir(), "x.lock");
    fs.writeFileSync(lock, JSON.stringify({ pid: deadPid(), host: os.hostname(), nonce: "n" }));
    await expect(withFileLock(lock, async () => "in", { waitMs: 2_000 })).resolves.toBe("in");
  });

  it("breaks the lock when it is older than staleMs", async () => {
    const lock = path.join(tempDir(), "x.lock");
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: "elsewhere", nonce: "n" }));
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, old, old);
    await expect(withFileLock(lock, async () => "in", { staleMs: 5_000, waitMs: 2_000 })).resolves.toBe("in");
  });

  it("gives up after waitMs when a live holder keeps the lock", async () => {
    const lock = path.join(tempDir(), "x.lock");
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), nonce: "n" }));
    await expect(withFileLock(lock, async () => "in", { staleMs: 60_000, waitMs: 50 })).rejects.toThrow(
      /could not lock/,
    );
    expect(fs.existsSync(lock)).toBe(true);
  });

  it("gives up within about a second by default when a live holder keeps the lock", async () => {
    const lock = path.join(tempDir(), "x.lock");
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), nonce: "n" }));
    const started = Date.now();
    await expect(withFileLock(lock, async () => "in")).rejects.toThrow(/within 1000 ms/);
    expect(Date.now() - started).toBeLessThan(3_000); // was 10 s on every call
  });

  it("breaks a lock dated a day ahead at once when it finds one", async () => {
    const lock = path.join(tempDir(), "x.lock");
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), nonce: "n" }));
    const ahead = new Date(Date.now() + 86_400_000);
    fs.utimesSync(lock, ahead, ahead);
    await expect(withFileLock(lock, async () => "in", { staleMs: 60_000, waitMs: 5_000 })).resolves.toBe("in");
  });

  it("refuses at once when a FIFO sits at the lock path", async () => {
    const lock = path.join(tempDir(), "x.lock");
    spawnSync("mkfifo", [lock]);
    await expect(withFileLock(lock, async () => "in")).rejects.toMatchObject({
      code: "ERR_DESCOPE_BUDGET_UNUSABLE",
      message: `${lock}: is not a regular file`,
    });
  });

  asRoot("refuses at once when the lock belongs to another user", async () => {
    const lock = path.join(tempDir(), "x.lock");
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), nonce: "n" }));
    fs.chownSync(lock, NOBODY, NOBODY);
    await expect(withFileLock(lock, async () => "in", { waitMs: 5_000 })).rejects.toMatchObject({
      code: "ERR_DESCOPE_BUDGET_UNUSABLE",
      message: `${lock}: is owned by uid ${NOBODY}, not this user (0)`,
    });
  });
});

describe("readOwnFile", () => {
  it("returns undefined when the file does not exist", async () => {
    await expect(readOwnFile(path.join(tempDir(), "missing"), 10)).resolves.toBeUndefined();
  });

  it("reads the text when the file is a regular file within the cap", async () => {
    const file = path.join(tempDir(), "f");
    fs.writeFileSync(file, "0123456789");
    await expect(readOwnFile(file, 10)).resolves.toBe("0123456789");
  });

  it("refuses without reading when the file is larger than the cap", async () => {
    const file = path.join(tempDir(), "f");
    fs.writeFileSync(file, "0123456789!");
    await expect(readOwnFile(file, 10)).rejects.toThrow(`${file}: is 11 bytes, more than the 10 this package writes`);
  });

  it("refuses when the file is a symbolic link", async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "target"), "{}");
    fs.symlinkSync(path.join(dir, "target"), path.join(dir, "f"));
    await expect(readOwnFile(path.join(dir, "f"), 10)).rejects.toThrow(/is a symbolic link/);
  });
});

describe("sweepBudgetDir", () => {
  const hex = (c: string) => c.repeat(64);
  const day = new Date(Date.now() - 25 * 60 * 60 * 1000);
  const uuid = "0b6a4c52-3d8e-4f4e-9a53-2f1c0d1e2f3a";

  it("deletes its own files untouched for a day and keeps every other file when it sweeps", async () => {
    const dir = tempDir();
    const ownOld = [
      `pda-budget-${hex("a")}.json`,
      `pda-budget-${hex("c")}.json.123.${uuid}.tmp`,
      `pda-budget-${hex("c")}.json.lock.${uuid}.stale`,
      `pda-budget-${hex("d")}.json.lock`,
    ];
    const kept = [`pda-budget-${hex("b")}.json`, `${hex("e")}.json`, "build.tmp", "x.lock.stale", "notes.txt"];
    for (const f of [...ownOld, ...kept]) fs.writeFileSync(path.join(dir, f), "{}");
    for (const f of [...ownOld, ...kept.slice(1)]) fs.utimesSync(path.join(dir, f), day, day);
    await expect(sweepBudgetDir(dir)).resolves.toBe(4);
    expect(fs.readdirSync(dir).sort()).toEqual(kept.sort());
  });

  it("keeps a file with its name when it is a symbolic link", async () => {
    const dir = tempDir();
    const target = path.join(dir, "target.txt");
    fs.writeFileSync(target, "mine");
    const link = path.join(dir, `pda-budget-${hex("a")}.json`);
    fs.symlinkSync(target, link);
    fs.lutimesSync(link, day, day);
    fs.utimesSync(target, day, day);
    await expect(sweepBudgetDir(dir)).resolves.toBe(0);
    expect(fs.readFileSync(link, "utf8")).toBe("mine");
  });

  asRoot("keeps a file with its name when another user owns it", async () => {
    const dir = tempDir();
    const file = path.join(dir, `pda-budget-${hex("a")}.json`);
    fs.writeFileSync(file, "{}");
    fs.chownSync(file, NOBODY, NOBODY);
    fs.utimesSync(file, day, day);
    await expect(sweepBudgetDir(dir)).resolves.toBe(0);
    expect(fs.existsSync(file)).toBe(true);
  });

  it("returns 0 when the directory does not exist", async () => {
    await expect(sweepBudgetDir(path.join(tempDir(), "missing"))).resolves.toBe(0);
  });
});

describe("SharedRateLimiter", () => {
  const limit = { requests: 4, perSeconds: 0.3 };
  const windowMs = 300;
  const limiterIn = (dir: string) =>
    new SharedRateLimiter(limit, { dir, projectId: "P1", baseUrl: "http://127.0.0.1:1", pollMs: 10 });

  /** Acquires `n` tokens from `limiter`, holding each `holdMs`; resolves to the grant times (wall clock). */
  async function burst(limiter: SharedRateLimiter, n: number, holdMs: () => number): Promise<number[]> {
    const granted: number[] = [];
    await Promise.all(
      Array.from({ length: n }, async () => {
        const release = await limiter.acquire();
        granted.push(Date.now()); // before the release: its window starts no earlier than this
        await new Promise((resolve) => setTimeout(resolve, holdMs()));
        release();
      }),
    );
    return granted;
  }

  it("never hands out more than the budget in any window when two instances share one directory", async () => {
    const dir = tempDir();
    const [a, b] = [limiterIn(dir), limiterIn(dir)]; // as two processes would have
    const grants = (
      await Promise.all([burst(a, 10, () => Math.random() * 20), burst(b, 10, () => Math.random() * 20)])
    ).flat();
    expect(grants).toHaveLength(20);
    for (const start of grants) {
      expect(grants.filter((t) => t >= start && t < start + windowMs).length).toBeLessThanOrEqual(limit.requests);
    }
  }, 20_000);

  it("makes one instance wait a window after the other's calls finished when the other holds the whole budget", async () => {
    const dir = tempDir();
    const [a, b] = [limiterIn(dir), limiterIn(dir)];
    const held = await Promise.all(Array.from({ length: 4 }, () => a.acquire()));
    let grantedAt: number | undefined;
    const waiting = b.acquire().then((release) => {
      grantedAt = Date.now();
      release();
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(grantedAt).toBeUndefined();
    const releasedAt = Date.now();
    held.forEach((release: Release) => release());
    await waiting;
    expect(grantedAt! - releasedAt).toBeGreaterThanOrEqual(windowMs);
  }, 10_000);

  it("keeps its state in <dir>/pulumi-descope-access-budget/pda-budget-<sha256>.json when it hands out a token", async () => {
    const dir = tempDir();
    const limiter = limiterIn(dir);
    (await limiter.acquire())();
    expect(limiter.file).toBe(
      path.join(dir, "pulumi-descope-access-budget", budgetFileName("P1", "http://127.0.0.1:1")),
    );
    expect(fs.statSync(path.dirname(limiter.file)).mode & 0o777).toBe(0o700);
    await new Promise((resolve) => setTimeout(resolve, 250)); // the release is written within 100 ms, in the background
    const tokens = parseBudgetState(fs.readFileSync(limiter.file, "utf8"));
    expect(tokens).toEqual([
      expect.objectContaining({ pid: process.pid, host: os.hostname(), finishedAt: expect.any(Number) }),
    ]);
  });

  it("keeps the file to a few entries when many calls finish within a second", async () => {
    const limiter = new SharedRateLimiter(
      { requests: 1000, perSeconds: 60 },
      { dir: tempDir(), projectId: "P1", baseUrl: "http://x" },
    );
    await burst(limiter, 300, () => 0);
    const until = Date.now() + 5_000;
    let tokens = parseBudgetState(fs.readFileSync(limiter.file, "utf8"));
    while (tokens.some((t) => t.finishedAt === undefined) && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      tokens = parseBudgetState(fs.readFileSync(limiter.file, "utf8"));
    }
    expect(tokenCount(tokens)).toBe(300);
    expect(tokens.length).toBeLessThanOrEqual(5); // one entry per second of finishes
  });

  it("counts a dead process's token in use as finished when it finds one", async () => {
    const dir = tempDir();
    const limiter = new SharedRateLimiter(
      { requests: 1, perSeconds: 0.05 },
      { dir, projectId: "P1", baseUrl: "http://127.0.0.1:1" },
    );
    const orphan: SharedToken = { owner: "gone", pid: deadPid(), host: os.hostname(), startedAt: Date.now() };
    fs.mkdirSync(path.dirname(limiter.file), { mode: 0o700 });
    fs.writeFileSync(limiter.file, formatBudgetState([orphan]));
    const release = await limiter.acquire(); // would wait forever if the orphan still counted as in use
    release();
  });

  it("still limits to its own budget and warns once when the directory cannot be created", async () => {
    const file = path.join(tempDir(), "not-a-dir");
    fs.writeFileSync(file, "");
    const warn = jest.fn();
    const limiter = new SharedRateLimiter(
      { requests: 2, perSeconds: 0.2 },
      { dir: path.join(file, "budget"), projectId: "P1", baseUrl: "http://x", warn },
    );
    const grants = await burst(limiter, 6, () => 0);
    expect(grants).toHaveLength(6);
    for (const start of grants)
      expect(grants.filter((t) => t >= start && t < start + 200).length).toBeLessThanOrEqual(2);
    expect(warn.mock.calls).toEqual([
      [expect.stringContaining(`${path.join(file, "budget", "pulumi-descope-access-budget")}: cannot be created`)],
    ]);
  }, 10_000);

  it("counts the other processes' tokens it last read when a later round cannot lock the file", async () => {
    const dir = tempDir();
    const warn = jest.fn();
    const limiter = new SharedRateLimiter(
      { requests: 2, perSeconds: 60 },
      { dir, projectId: "P1", baseUrl: "http://x", warn, lock: { waitMs: 50 } },
    );
    fs.mkdirSync(path.dirname(limiter.file), { recursive: true, mode: 0o700 });
    const other: SharedToken = { owner: "b", pid: process.pid, host: os.hostname(), startedAt: Date.now() };
    fs.writeFileSync(limiter.file, formatBudgetState([other]));
    (await limiter.acquire())(); // reads the other's token: the budget of 2 is spent
    fs.writeFileSync(`${limiter.file}.lock`, JSON.stringify({ pid: process.pid, host: os.hostname(), nonce: "n" }));
    let granted = false;
    const ac = new AbortController();
    const waiting = limiter.acquire(ac.signal).then(() => (granted = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    ac.abort(new Error("done"));
    await expect(waiting).rejects.toThrow("done");
    expect(granted).toBe(false); // counting only itself, it would have granted one
    expect(warn.mock.calls).toEqual([[expect.stringContaining(`could not lock ${limiter.file}.lock within 50 ms`)]]);
  });

  it("rejects with the abort reason when the signal aborts while waiting", async () => {
    const limiter = limiterIn(tempDir());
    const held = await Promise.all(Array.from({ length: 4 }, () => limiter.acquire()));
    const ac = new AbortController();
    const waiting = limiter.acquire(ac.signal);
    ac.abort(new Error("deadline"));
    await expect(waiting).rejects.toThrow("deadline");
    held.forEach((release) => release());
  });

  it("throws when constructed with an invalid budget", () => {
    expect(
      () => new SharedRateLimiter({ requests: 0, perSeconds: 1 }, { dir: "/tmp", projectId: "P", baseUrl: "http://x" }),
    ).toThrow(RangeError);
  });
});
