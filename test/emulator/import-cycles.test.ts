/**
 * The emulator's module graph: no import circle (type-only imports count too), and nothing
 * imported from outside emulator/ (it is written from docs/descope-api.md, not from the
 * provider). Walks the relative imports of the .ts sources with a regular expression: cheap,
 * and a circle that comes back fails here naming its files.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(__dirname, "..", "..");
const EMULATOR = join(ROOT, "emulator");

/** `import … from "./x"`, `export … from "./x"`, `import("./x")`, `require("./x")`, `import "./x"`. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["'](\.{1,2}\/[^"']*)["']/g;

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** The file a relative specifier names (`./x` → `x.ts` or `x/index.ts`), or the bare path when neither exists. */
function resolveSpecifier(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier.replace(/\.js$/, ""));
  for (const candidate of [`${base}.ts`, join(base, "index.ts"), base]) if (existsSync(candidate)) return candidate;
  return base;
}

/** File → the files it imports relatively (comments stripped first, so a commented-out import does not count). */
function importGraph(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const code = readFileSync(file, "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/^\s*\/\/.*$/gm, "");
    const targets = [...code.matchAll(SPECIFIER)].map((m) => resolveSpecifier(file, m[1]));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Every circle found by a depth-first walk, each as the list of files around it (first file repeated last). */
function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, "visiting");
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "visiting") cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return cycles;
}

const name = (file: string) => relative(ROOT, file);

describe("findCycles", () => {
  it("reports a circle when two modules import each other", () => {
    const graph = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["a.ts"]],
      ["c.ts", ["a.ts"]],
    ]);
    expect(findCycles(graph)).toEqual([["a.ts", "b.ts", "a.ts"]]);
  });

  it("reports nothing for a graph without circles", () => {
    const graph = new Map([
      ["a.ts", ["b.ts", "c.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", []],
    ]);
    expect(findCycles(graph)).toEqual([]);
  });
});

describe("emulator/ module graph", () => {
  const graph = importGraph(sourcesUnder(EMULATOR));

  it("reads the imports of the wiring (a guard against a regex that matches nothing)", () => {
    expect((graph.get(join(EMULATOR, "routes.ts")) ?? []).map(name)).toContain("emulator/handlers-users.ts");
  });

  it("has no import circle", () => {
    expect(findCycles(graph).map((cycle) => cycle.map(name).join(" -> "))).toEqual([]);
  });

  it("imports nothing from outside emulator/", () => {
    const outside = [...graph].flatMap(([file, targets]) =>
      targets.filter((t) => !t.startsWith(EMULATOR + "/")).map((t) => `${name(file)} -> ${name(t)}`),
    );
    expect(outside).toEqual([]);
  });
});
