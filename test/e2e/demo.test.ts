/**
 * scripts/demo, the walkthrough the README points newcomers to, run as they would run it.
 */
// It runs five pulumi commands against the emulator: about half a minute.
jest.setTimeout(240_000);

import { execFile } from "node:child_process";
import * as path from "node:path";
import { stripVTControlCharacters } from "node:util";

describe("scripts/demo", () => {
  it("grants, shows drift, corrects it and destroys, ending with the contract's state", async () => {
    const script = path.resolve(__dirname, "..", "..", "scripts", "demo");
    const env = { ...process.env, PATH: `${process.env.PULUMI_ENGINE_DIR}${path.delimiter}${process.env.PATH}` };
    const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) =>
      execFile(script, { env, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
        err ? reject(new Error(`demo failed: ${stdout}\n${stderr}`)) : resolve({ stdout }),
      ),
    );
    const plain = stripVTControlCharacters(stdout);
    expect(plain).toContain("[7/7]");
    // After up: the grants file applied.
    expect(plain).toContain("ada@example.com  project: [admin]  acme: [admin, billing]\n");
    // The out-of-band grant, then corrected by the next up (mode set).
    expect(plain).toContain("acme: [admin, billing, support]");
    expect(plain.indexOf("~ 1 updated")).toBeGreaterThan(plain.indexOf("acme: [admin, billing, support]"));
    // After destroy: ada left acme and lost her project roles; bob keeps only what he held before.
    expect(plain.trimEnd().endsWith("bob@example.com  project: []  globex: [viewer]\n\nDone.")).toBe(true);
  });
});
