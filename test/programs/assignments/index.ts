/**
 * UserRoleAssignments declared from raw argument objects, as a JavaScript program (or any
 * object TypeScript does not check) would give them: every key is passed as it is, and the
 * keys listed in `secret` are wrapped in `pulumi.secret`. Each resource's outputs are exported.
 */
import * as pulumi from "@pulumi/pulumi";
import { UserRoleAssignment } from "pulumi-descope-access";

/** One resource of the program. */
export interface RawAssignment {
  name: string;
  args: Record<string, unknown>;
  /** Argument keys to pass as secrets. */
  secret?: string[];
  /** Former names (aliases). */
  aliases?: string[];
}

export default function program(params: { resources: RawAssignment[] }) {
  const outputs: Record<string, unknown> = {};
  for (const r of params.resources) {
    const args: Record<string, unknown> = { ...r.args };
    for (const key of r.secret ?? []) args[key] = pulumi.secret(args[key]);
    const res = new UserRoleAssignment(r.name, args as any, { aliases: (r.aliases ?? []).map((name) => ({ name })) });
    outputs[r.name] = {
      userId: res.userId,
      loginId: res.loginId,
      tenantId: res.tenantId,
      mode: res.mode,
      roleNames: res.roleNames,
      liveRoleNames: res.liveRoleNames,
      grantedRoleNames: res.grantedRoleNames,
      tenantName: res.tenantName,
    };
  }
  return outputs;
}
