/**
 * Issue 15: budget files that cannot be trusted. Each hang case runs the limiter in a child
 * process (test/support/limiter-child.js) that must end on its own, quickly, after one warning
 * naming the path; the directory cases run in process with an injected `warn`. Cases that need
 * another user (a lock or directory of someone else, a read-only directory: root ignores
 * permission bits) run the child as uid 65534 and are skipped unless the tests run as root.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { resetLimiters } from "../../provider/client/limiter";
import { budgetFileName, formatBudgetState, parseBudgetState, tokenCount } from "../../provider/client/budget-tokens";
import { SharedRateLimiter } from "../../provider/client/shared-budget";

const CHILD = path.join(__dirname, "..", "support", "limiter-child.js");
/** A child still running after this is taken as hung and killed. */
const HANG_MS = 10_000;
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0 ? it : it.skip;
const where = { projectId: "P1", baseUrl: "http://127.0.0.1:1" };
const minuteAgo = () => new Date(Date.now() - 60_000);
const dayAgo = () => new Date(Date.now() - 25 * 60 * 60 * 1000);

let dirs: string[] = [];
/** A fresh directory (mode 0755, so a child running as another user can reach into it). */
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "descope-hazard-"));
  fs.chmodSync(dir, 0o755);
  dirs.push(dir);
  return dir;
}
beforeEach(() => resetLimiters());
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  dirs = [];
});

/** The state file a limiter on `dir` uses (the child's, for the same project and base URL), its directory made. */
function stateFileIn(dir: string): string {
  const file = new SharedRateLimiter({ requests: 1, perSeconds: 60 }, { dir, ...where }).file;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  return file;
}

/** Writes a lock of a process on another host, last touched at `at`. */
function plantLock(lock: string, at: Date): void {
  fs.writeFileSync(lock, JSON.stringify({ pid: 1, host: "elsewhere", nonce: "n" }));
  fs.utimesSync(lock, at, at);
}

interface ChildRun {
  /** Killed after {@link HANG_MS}: it would not end on its own. */
  hung: boolean;
  code: number | null;
  /** How long its calls took, from its first acquire to its last release. */
  ms?: number;
  /** The budget warnings it printed. */
  warnings: string[];
}

/** Runs `calls` acquire/release pairs in a child process on `dir` (as `uid` when given) and waits for it to end. */
function runLimiterChild(dir: string, options: { calls?: number; requests?: number; uid?: number } = {}) {
  const args = { dir, calls: options.calls ?? 3, requests: options.requests ?? 5, ...where };
  const ids = options.uid === undefined ? {} : { uid: options.uid, gid: options.uid };
  const child = spawn(process.execPath, [CHILD, JSON.stringify(args)], { stdio: ["ignore", "pipe", "pipe"], ...ids });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    child.kill("SIGKILL");
  }, HANG_MS);
  return new Promise<ChildRun>((resolve) =>
    child.on("close", (code) => {
      clearTimeout(timer);
      const warnings = stderr.split("\n").filter((line) => line.includes("[DESCOPE_BUDGET]"));
      resolve({ hung, code, ms: stdout ? JSON.parse(stdout).ms : undefined, warnings });
    }),
  );
}

/** The child ended by itself with its calls done within 3 s, after exactly one warning naming `where` and `reason`. */
function expectFellBack(run: ChildRun, where: string, reason: string | RegExp): void {
  expect(run).toMatchObject({ hung: false, code: 0 });
  expect(run.ms).toBeLessThan(3_000);
  expect(run.warnings).toHaveLength(1);
  expect(run.warnings[0]).toContain(`${where}: `);
  expect(run.warnings[0]).toMatch(reason);
}

describe("acquire (issue 15: a lock or state file that cannot be trusted)", () => {
  it("falls back to its own budget and exits when a dangling symbolic link sits at the lock path", async () => {
    const dir = tempDir();
    const file = stateFileIn(dir);
    fs.symlinkSync(path.join(dir, "nowhere"), `${file}.lock`);
    expectFellBack(await runLimiterChild(dir), `${file}.lock`, "is a symbolic link");
  }, 20_000);

  asRoot(
    "falls back to its own budget and exits when another user's stale lock sits in that user's sticky directory",
    async () => {
      const dir = tempDir();
      const file = stateFileIn(dir);
      fs.chmodSync(path.dirname(file), 0o1777); // root's, like /tmp: the child may not remove root's lock
      plantLock(`${file}.lock`, minuteAgo());
      expectFellBack(await runLimiterChild(dir, { uid: NOBODY }), path.dirname(file), "is owned by uid 0");
    },
    20_000,
  );

  asRoot(
    "falls back to its own budget and exits when another user's stale lock sits in its own directory",
    async () => {
      const dir = tempDir();
      fs.chownSync(dir, NOBODY, NOBODY);
      const file = stateFileIn(dir);
      fs.chownSync(path.dirname(file), NOBODY, NOBODY);
      plantLock(`${file}.lock`, minuteAgo()); // root's
      expectFellBack(await runLimiterChild(dir, { uid: NOBODY }), `${file}.lock`, "is owned by uid 0");
    },
    20_000,
  );

  asRoot(
    "falls back to its own budget and exits when its directory is read-only with a stale lock in it",
    async () => {
      const dir = tempDir();
      fs.chownSync(dir, NOBODY, NOBODY);
      const file = stateFileIn(dir);
      plantLock(`${file}.lock`, minuteAgo());
      fs.chownSync(`${file}.lock`, NOBODY, NOBODY);
      fs.chownSync(path.dirname(file), NOBODY, NOBODY);
      fs.chmodSync(path.dirname(file), 0o500);
      expectFellBack(await runLimiterChild(dir, { uid: NOBODY }), `${file}.lock`, /EACCES/);
    },
    20_000,
  );

  it("breaks a lock dated a day ahead at once instead of waiting on every call", async () => {
    const dir = tempDir();
    const file = stateFileIn(dir);
    plantLock(`${file}.lock`, new Date(Date.now() + 86_400_000));
    const run = await runLimiterChild(dir, { calls: 3 });
    expect(run).toMatchObject({ hung: false, code: 0, warnings: [] });
    expect(run.ms).toBeLessThan(3_000);
    expect(tokenCount(parseBudgetState(fs.readFileSync(file, "utf8")))).toBe(3); // still shared
  }, 20_000);

  it("ignores tokens dated a month ahead instead of waiting for them", async () => {
    const dir = tempDir();
    const file = stateFileIn(dir);
    const month = Date.now() + 30 * 86_400_000; // past what a timer can wait, too
    const planted = { owner: "planted", pid: 1, host: "elsewhere", count: 5 };
    fs.writeFileSync(
      file,
      formatBudgetState([
        { ...planted, startedAt: month },
        { ...planted, startedAt: Date.now(), finishedAt: month },
      ]),
    );
    const run = await runLimiterChild(dir, { calls: 2, requests: 2 });
    expectFellBack(run, file, /ignored 2 token\(s\) dated more than \d+ ms ahead/);
    expect(parseBudgetState(fs.readFileSync(file, "utf8")).filter((t) => t.owner === "planted")).toEqual([]);
  }, 20_000);

  it("falls back to its own budget and exits when the state file is a FIFO", async () => {
    const dir = tempDir();
    const file = stateFileIn(dir);
    expect(spawnSync("mkfifo", [file]).status).toBe(0);
    expectFellBack(await runLimiterChild(dir), file, "is not a regular file");
  }, 20_000);

  it("falls back to its own budget without reading it when the state file is 600 MB", async () => {
    const dir = tempDir();
    const file = stateFileIn(dir);
    fs.writeFileSync(file, "");
    fs.truncateSync(file, 600 * 1024 * 1024); // sparse: no disk used
    expectFellBack(await runLimiterChild(dir, { calls: 10, requests: 10 }), file, "is 629145600 bytes");
  }, 20_000);
});

describe("acquire (issue 15: the budget directory)", () => {
  const limit = { requests: 2, perSeconds: 60 };

  it("keeps others' *.tmp, *.stale and 64-hex .json files when it sweeps a shared directory", async () => {
    const dir = tempDir();
    const foreign = [`${"a".repeat(64)}.json`, "build.tmp", "x.lock.stale", "notes.txt"];
    for (const f of foreign) {
      fs.writeFileSync(path.join(dir, f), "{}");
      fs.utimesSync(path.join(dir, f), dayAgo(), dayAgo());
    }
    const limiter = new SharedRateLimiter(limit, { dir, ...where, warn: jest.fn() });
    const ownOld = path.join(path.dirname(limiter.file), budgetFileName("P2", "http://127.0.0.1:2"));
    fs.mkdirSync(path.dirname(ownOld), { recursive: true, mode: 0o700 });
    fs.writeFileSync(ownOld, formatBudgetState([]));
    fs.utimesSync(ownOld, dayAgo(), dayAgo());
    (await limiter.acquire())();
    for (const until = Date.now() + 5_000; fs.existsSync(ownOld) && Date.now() < until;)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(fs.existsSync(ownOld)).toBe(false); // the sweep runs: let it finish (a few files, each in ms)
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(foreign.filter((f) => fs.existsSync(path.join(dir, f)))).toEqual(foreign);
  });

  it("refuses a world-writable directory without the sticky bit and keeps to its own budget", async () => {
    const dir = tempDir();
    fs.chmodSync(dir, 0o777);
    const warn = jest.fn();
    const limiter = new SharedRateLimiter(limit, { dir, ...where, warn });
    (await limiter.acquire())();
    (await limiter.acquire())();
    expect(warn.mock.calls).toEqual([[expect.stringContaining(`${dir}: is world-writable without the sticky bit`)]]);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("refuses its subdirectory when it is a symbolic link", async () => {
    const dir = tempDir();
    const elsewhere = tempDir();
    const warn = jest.fn();
    const limiter = new SharedRateLimiter(limit, { dir, ...where, warn });
    fs.symlinkSync(elsewhere, path.dirname(limiter.file));
    (await limiter.acquire())();
    expect(warn.mock.calls).toEqual([[expect.stringContaining(`${path.dirname(limiter.file)}: is a symbolic link`)]]);
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });

  asRoot("refuses its subdirectory when another user owns it", async () => {
    const dir = tempDir();
    const warn = jest.fn();
    const limiter = new SharedRateLimiter(limit, { dir, ...where, warn });
    fs.mkdirSync(path.dirname(limiter.file), { mode: 0o700 });
    fs.chownSync(path.dirname(limiter.file), NOBODY, NOBODY);
    (await limiter.acquire())();
    expect(warn.mock.calls).toEqual([
      [expect.stringContaining(`${path.dirname(limiter.file)}: is owned by uid ${NOBODY}, not this user (0)`)],
    ]);
    expect(fs.readdirSync(path.dirname(limiter.file))).toEqual([]);
  });

  it("shares the budget through a sticky world-writable directory such as /tmp", async () => {
    const dir = tempDir();
    fs.chmodSync(dir, 0o1777);
    const warn = jest.fn();
    const limiter = new SharedRateLimiter(limit, { dir, ...where, warn });
    (await limiter.acquire())();
    expect(warn).not.toHaveBeenCalled();
    expect(tokenCount(parseBudgetState(fs.readFileSync(limiter.file, "utf8")))).toBe(1);
  });
});
