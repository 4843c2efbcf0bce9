/**
 * A process that spends the machine-wide budget and then ends on its own, for the tests that
 * plant broken budget files (test/unit/budget-hazards.test.ts): it acquires and releases `calls`
 * tokens one after another, prints `{"ms": <how long that took>}`, and exits once nothing is left
 * to do. It runs the TypeScript source through a transpile-only require hook, so it needs no build.
 *
 * Usage: node limiter-child.js '{"dir": "...", "calls": 3, "requests": 5}'
 */
const fs = require("node:fs");
const ts = require("typescript");

require.extensions[".ts"] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, "utf8"), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: filename,
  });
  module._compile(outputText, filename);
};

const { SharedRateLimiter } = require("../../provider/client/shared-budget.ts");
const { dir, calls, requests, projectId, baseUrl } = JSON.parse(process.argv[2]);

(async () => {
  const limiter = new SharedRateLimiter({ requests, perSeconds: 60 }, { dir, projectId, baseUrl });
  const started = Date.now();
  for (let i = 0; i < calls; i++) (await limiter.acquire())();
  process.stdout.write(JSON.stringify({ ms: Date.now() - started }));
})();
