/**
 * Grants files as data: the format (one entry a grant), its validation, and the resource name
 * of each grant. No Pulumi here, so the command-line tools read grants files without loading
 * the engine SDK.
 */
import { z } from "zod";

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
