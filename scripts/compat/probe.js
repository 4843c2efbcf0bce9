/**
 * The compat probe: preloaded into every Node.js process of one `npm run test:compat` leg
 * (NODE_OPTIONS=--require), the test runner, the stack runners, the Pulumi program hosts and the
 * dynamic-provider processes the engine starts. It appends one JSON line per finding to
 * $COMPAT_PROBE_LOG: the process start (its Node.js version and main script), every
 * `@pulumi/pulumi` package root it loads (with that package.json's version) and the provider
 * implementation (`dist/provider/lifecycle.js`) it loads. It throws at once, failing that process,
 * when what it sees differs from what the leg intends:
 *
 *   COMPAT_EXPECT_NODE         e.g. v22.23.3 (process.version)
 *   COMPAT_EXPECT_PULUMI       e.g. 3.139.0 (the loaded @pulumi/pulumi package.json's version)
 *   COMPAT_PULUMI_ROOT         the directory `@pulumi/pulumi` must load from (its real path)
 *   COMPAT_TREE                the directory every file of dist/provider/ must load from (real path)
 *
 * scripts/compat/verdict.js reads the log afterwards. Without COMPAT_PROBE_LOG it does nothing.
 */
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const Module = require("node:module");

const PULUMI_ROOT = /^(.*[\\/]node_modules[\\/]@pulumi[\\/]pulumi)[\\/]/;
/** This package's built provider (outside any node_modules): every file of it must come from the leg's tree. */
const PROVIDER_BUILD = /^(?!.*[\\/]node_modules[\\/]).*[\\/]dist[\\/]provider[\\/]/;
const PROVIDER_FILE = path.join("dist", "provider", "lifecycle.js");

/** Appends one finding of this process to the log (synchronously: the engine may kill it any time). */
function record(log, fields) {
  const line = { pid: process.pid, node: process.version, main: process.argv[1] ?? null, ...fields };
  fs.appendFileSync(log, `${JSON.stringify(line)}\n`);
}

/** Fails the process loudly: the leg would otherwise test something other than it says. */
function refuse(log, fields, message) {
  record(log, { ...fields, event: "mismatch", message });
  throw new Error(`compat probe: ${message}`);
}

function install(log) {
  const expectNode = process.env.COMPAT_EXPECT_NODE;
  const expectPulumi = process.env.COMPAT_EXPECT_PULUMI;
  const pulumiRoot = process.env.COMPAT_PULUMI_ROOT;
  const tree = process.env.COMPAT_TREE;
  record(log, { event: "start" });
  if (expectNode && process.version !== expectNode) {
    refuse(log, {}, `this process runs Node.js ${process.version}, the leg intends ${expectNode}`);
  }
  const seenRoots = new Set();
  const load = Module.prototype.load;
  Module.prototype.load = function probedLoad(filename) {
    const m = PULUMI_ROOT.exec(filename);
    if (m && !seenRoots.has(m[1])) {
      seenRoots.add(m[1]);
      const root = m[1];
      const version = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version;
      record(log, { event: "pulumi", root, version });
      if ((expectPulumi && version !== expectPulumi) || (pulumiRoot && root !== pulumiRoot)) {
        const intended = `${expectPulumi ?? "any version"} from ${pulumiRoot ?? "anywhere"}`;
        refuse(log, { root, version }, `loaded @pulumi/pulumi ${version} from ${root}, the leg intends ${intended}`);
      }
    }
    if (PROVIDER_BUILD.test(filename)) {
      if (filename.endsWith(PROVIDER_FILE)) record(log, { event: "provider", file: filename });
      if (tree && !filename.startsWith(tree + path.sep)) {
        refuse(log, { file: filename }, `loaded the provider build ${filename}, the leg intends ${tree}`);
      }
    }
    return load.call(this, filename);
  };
}

if (process.env.COMPAT_PROBE_LOG) install(process.env.COMPAT_PROBE_LOG);
