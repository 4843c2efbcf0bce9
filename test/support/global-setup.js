// Jest globalSetup: make sure the real Pulumi engine exists before any suite runs. The first run
// on a machine builds it from the Go module proxy (several minutes; progress on stderr); later
// runs find it cached. Workers inherit PULUMI_ENGINE_DIR.
const { execFileSync } = require("node:child_process");
const path = require("node:path");

module.exports = async function globalSetup() {
  if (process.env.PULUMI_ENGINE_DIR) return;
  const script = path.join(__dirname, "..", "..", "scripts", "ensure-pulumi");
  const dir = execFileSync(script, { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" }).trim();
  process.env.PULUMI_ENGINE_DIR = dir;
};
