/**
 * The grants program as a test drives it: the grants document comes as the run's params, and
 * every assignment's outputs are exported so tests can assert on them.
 */
import { declareGrants, parseGrants } from "pulumi-descope-access";

export default function program(params: unknown) {
  const resources = declareGrants(parseGrants(params, "test grants"));
  const outputs: Record<string, unknown> = {};
  for (const [name, r] of Object.entries(resources)) {
    outputs[name] = {
      userId: r.userId,
      loginId: r.loginId,
      tenantId: r.tenantId,
      mode: r.mode,
      roleNames: r.roleNames,
      liveRoleNames: r.liveRoleNames,
      grantedRoleNames: r.grantedRoleNames,
      tenantName: r.tenantName,
    };
  }
  return outputs;
}
