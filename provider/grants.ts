/**
 * Grants files: a list of assignments as data (YAML or JSON parsed by the caller), declared as
 * `UserRoleAssignment`s. This is what the root project's Pulumi program runs.
 */
import * as pulumi from "@pulumi/pulumi";
import { grantName, type Grant } from "./grants-file";
import { UserRoleAssignment } from "./resource";

export { grantName, grantsSchema, MAX_GRANTS_FILE_BYTES, parseGrants, readGrantsFile, type Grant } from "./grants-file";

/** Declares one `UserRoleAssignment` per grant; returns them by name. */
export function declareGrants(
  grants: Grant[],
  opts?: pulumi.CustomResourceOptions,
): Record<string, UserRoleAssignment> {
  const out: Record<string, UserRoleAssignment> = {};
  for (const g of grants) {
    const name = grantName(g);
    const aliases = (g.aliases ?? []).map((alias) => ({ name: alias }));
    out[name] = new UserRoleAssignment(
      name,
      { loginId: g.loginId, tenantId: g.tenantId, roleNames: g.roleNames, mode: g.mode },
      { ...opts, aliases: [...(opts?.aliases ?? []), ...aliases] },
    );
  }
  return out;
}
