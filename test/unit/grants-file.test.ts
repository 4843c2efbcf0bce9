/**
 * Reading grants files. Issue 15 item 6: a 26 MB grants file took 34 s and 2.5 GB of memory to
 * parse and declare; a file over the documented limit is refused before it is parsed.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { MAX_GRANTS_FILE_BYTES, readGrantsFile } from "../../provider/grants-file";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "grants-file-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe("readGrantsFile", () => {
  it("reads and validates the grants when the file is YAML", () => {
    const file = write("grants.yaml", "grants:\n  - loginId: ada@example.com\n    roleNames: [admin]\n");
    expect(readGrantsFile(file)).toEqual([{ loginId: "ada@example.com", roleNames: ["admin"] }]);
  });

  it("refuses the file naming it and the 5 MiB limit when it is one byte over", () => {
    expect(MAX_GRANTS_FILE_BYTES).toBe(5 * 1024 * 1024);
    // Not YAML at all: had it been parsed, the error would say so instead.
    const file = write("huge.yaml", Buffer.alloc(MAX_GRANTS_FILE_BYTES + 1, "{"));
    expect(() => readGrantsFile(file)).toThrow(
      `grants file ${file} is 5.1 MiB, over the 5 MiB limit for grants files; split the grants across several stacks`,
    );
  });

  it("reads a file of exactly the limit when a smaller limit is given", () => {
    const text = '{"grants": []}';
    const file = write("grants.json", text);
    expect(readGrantsFile(file, text.length)).toEqual([]);
    expect(() => readGrantsFile(file, text.length - 1)).toThrow(/limit for grants files/);
  });

  it("names the file when the text is not YAML", () => {
    const file = write("broken.yaml", "grants: [\n");
    expect(() => readGrantsFile(file)).toThrow(`grants file ${file} is not valid YAML or JSON`);
  });

  it("names the file and the problem when a grant is invalid", () => {
    const file = write("bad.yaml", "grants:\n  - loginId: ada@example.com\n");
    expect(() => readGrantsFile(file)).toThrow(`${file} is invalid: grants.0.roleNames: Required`);
  });
});
