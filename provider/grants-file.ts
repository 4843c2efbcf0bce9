/**
 * Grants files as data: reading one (size-capped), the format (one entry a grant), its
 * validation, and the resource name of each grant. No Pulumi here, so the command-line tools
 * read grants files without loading the engine SDK.
 */
import * as fs from "node:fs";
import { parse } from "yaml";
import { z } from "zod";

/**
 * The largest grants file read: 5 MiB, some 50,000 grants. Parsing and declaring a 26 MB file
 * took 34 s and 2.5 GB of memory, so a larger file is refused before it is parsed.
 */
export const MAX_GRANTS_FILE_BYTES = 5 * 1024 * 1024;

/**
 * Reads a grants file (YAML, or JSON, which is YAML) and validates it; `label` names it in
 * validation messages.
 *
 * @throws when the file is larger than `maxBytes` (naming the file and the limit, before
 *   parsing), cannot be read, is not YAML, or is not a valid grants document.
 */
export function readGrantsFile(file: string, maxBytes = MAX_GRANTS_FILE_BYTES, label = file): Grant[] {
  const fd = fs.openSync(file, "r");
  let text: string;
  try {
    const size = fs.fstatSync(fd).size;
    if (size > maxBytes) {
      throw new Error(
        `grants file ${file} is ${mebibytes(size)}, over the ${mebibytes(maxBytes)} limit for grants files; split the grants across several stacks`,
      );
    }
    text = fs.readFileSync(fd, "utf8");
  } finally {
    fs.closeSync(fd);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new Error(`grants file ${file} is not valid YAML or JSON: ${(err as Error).message}`, { cause: err });
  }
  return parseGrants(doc, label);
}

/** `5 MiB`, `25.3 MiB`: a size for a message, rounded up (a byte over 5 MiB is `5.1 MiB`). */
function mebibytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return `${Number.isInteger(mib) ? mib : (Math.ceil(mib * 10) / 10).toFixed(1)} MiB`;
}

/** One entry of a grants file. */
export interface Grant {
  /** The resource name; default `<loginId>/<tenantId or "project">`. Renaming it without `aliases` re-creates the resource. */
  name?: string;
  loginId: string;
  tenantId?: string;
  roleNames: string[];
  /** @default "set" */
  mode?: "set" | "add";
  /** Former names of this grant's resource, so a rename is not a delete and a create. */
  aliases?: string[];
}

/** The schema of a grants document `{ grants: Grant[] }` (a fresh object per call). */
export function grantsSchema() {
  const grant = z
    .object({
      name: z.string().min(1).optional(),
      loginId: z.string(),
      tenantId: z.string().optional(),
      roleNames: z.array(z.string()),
      mode: z.enum(["set", "add"]).optional(),
      aliases: z.array(z.string().min(1)).optional(),
    })
    .strict();
  return z.object({ grants: z.array(grant) }).strict();
}

/** Validates a parsed grants document; throws one message listing every problem with its path. */
export function parseGrants(doc: unknown, source = "grants file"): Grant[] {
  const parsed = grantsSchema().safeParse(doc ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`);
    throw new Error(`${source} is invalid: ${problems.join("; ")}`);
  }
  const names = new Set<string>();
  for (const g of parsed.data.grants) {
    const name = grantName(g);
    if (names.has(name))
      throw new Error(`${source} is invalid: two grants are named ${JSON.stringify(name)}; give one a distinct "name"`);
    names.add(name);
  }
  return parsed.data.grants;
}

/** The resource name of a grant. */
export function grantName(g: Grant): string {
  return g.name ?? `${g.loginId}/${g.tenantId ?? "project"}`;
}
