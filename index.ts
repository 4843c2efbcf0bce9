/**
 * The root project: access grants declared in a grants file (see grants.example.yaml), one
 * UserRoleAssignment per entry. `pulumi config set grantsFile other.yaml` picks another file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { declareGrants, readGrantsFile } from "pulumi-descope-access";

const config = new pulumi.Config();
const file = path.resolve(config.get("grantsFile") ?? "grants.yaml");
if (!fs.existsSync(file)) {
  throw new Error(
    `grants file ${file} not found: copy grants.example.yaml to grants.yaml, or set grantsFile with 'pulumi config set grantsFile <path>'`,
  );
}
const resources = declareGrants(readGrantsFile(file)); // refuses a file over 5 MiB before parsing it

/** Per grant: the user's ID and the roles the scope held after the last update. */
export const assignments = Object.fromEntries(
  Object.entries(resources).map(([name, r]) => [
    name,
    { userId: r.userId, liveRoleNames: r.liveRoleNames, grantedRoleNames: r.grantedRoleNames },
  ]),
);
