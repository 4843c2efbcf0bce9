/**
 * The Pulumi binding: `UserRoleAssignment`, one Descope user's roles in one scope.
 */
import * as pulumi from "@pulumi/pulumi";
import { shim } from "./shim";

/** How the declared roles relate to the other roles the user holds in the scope. */
export type AssignmentMode = "set" | "add";

/** The arguments of {@link UserRoleAssignment}. */
export interface UserRoleAssignmentArgs {
  /**
   * The login ID or the user ID of an existing Descope user (the preview checks it exists).
   * Changing it to another login ID (or the user ID) of the same user updates in place;
   * naming a different user replaces the resource. Every spelling of one user is that user.
   */
  loginId: pulumi.Input<string>;
  /**
   * The tenant whose roles are managed. Omit it for project-level roles.
   * Changing this replaces the resource (the new tenant is granted before the old one is left).
   * @default undefined (project scope)
   */
  tenantId?: pulumi.Input<string>;
  /**
   * The roles, as a set: order and repeats never matter. Each must exist in the project (or,
   * for a tenant, in the project or that tenant); the preview checks it. `[]` with mode `set`
   * clears the scope; mode `add` needs at least one role.
   */
  roleNames: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * `set` (authoritative): the scope holds exactly `roleNames`; roles granted out of band are
   * drift and are removed on the next update. `add` (additive): `roleNames` are present and
   * other roles are left alone. Changing it updates in place. `null` means the default.
   * @default "set"
   */
  mode?: pulumi.Input<AssignmentMode>;
}

/**
 * One Descope user's roles in one scope (the project, or one tenant).
 * Type token `pulumi-nodejs:dynamic/descope:UserRoleAssignment`; id: the userId, or
 * `<tenantId>/<userId>` for a tenant (segments URI-encoded).
 */
export class UserRoleAssignment extends pulumi.dynamic.Resource {
  /** Descope's immutable user ID, from the API. */
  declare readonly userId: pulumi.Output<string>;
  /** The loginId as declared. */
  declare readonly loginId: pulumi.Output<string>;
  /** The tenant, or null for project scope. */
  declare readonly tenantId: pulumi.Output<string | null>;
  /** The mode as declared (default "set"). */
  declare readonly mode: pulumi.Output<AssignmentMode>;
  /** The declared roles, sorted and unique. */
  declare readonly roleNames: pulumi.Output<string[]>;
  /** The roles the API returned for the scope at the last create, update or refresh, sorted. */
  declare readonly liveRoleNames: pulumi.Output<string[]>;
  /** Mode "add": the roles this resource itself added (not held before); [] in mode "set". */
  declare readonly grantedRoleNames: pulumi.Output<string[]>;
  /** The tenant's name (tenant scope), or null. */
  declare readonly tenantName: pulumi.Output<string | null>;

  /** Mode "add", tenant scope: whether this resource's create made the user a member. */
  declare readonly createdMembership: pulumi.Output<boolean>;

  /**
   * Declares the roles of `args.loginId` in the scope. Every property of `args` reaches the
   * provider's check, so a misspelled one (from JavaScript, or an object TypeScript does not
   * check) fails the preview naming it instead of being dropped.
   * @param name the unique resource name
   * @param args the user, scope, roles and mode
   * @param opts resource options
   */
  constructor(name: string, args: UserRoleAssignmentArgs, opts?: pulumi.CustomResourceOptions) {
    super(shim, name, assignmentProps(name, args, opts), opts, "descope", "UserRoleAssignment");
  }
}

/** Output properties: the engine fills them in; `args` must not give them. */
const OUTPUT_KEYS = ["userId", "liveRoleNames", "grantedRoleNames", "tenantName", "createdMembership"] as const;

/**
 * The properties handed to the provider: every given input, the resource's name (so messages
 * can name another resource) and, per output derived from a secret input, a secret marker
 * under the output's own key, so the engine keeps that output secret too.
 */
function assignmentProps(
  name: string,
  args: UserRoleAssignmentArgs,
  opts: pulumi.CustomResourceOptions | undefined,
): Record<string, unknown> {
  const given = (args ?? {}) as unknown as Record<string, unknown>;
  for (const key of OUTPUT_KEYS) {
    if (key in given) {
      throw new Error(
        `UserRoleAssignment ${JSON.stringify(name)}: "${key}" is an output, not an input (it takes loginId, tenantId, roleNames, mode)`,
      );
    }
  }
  const props: Record<string, unknown> = { ...given, __assignmentName: name, __assignmentUrn: urnOf(name, opts) };
  for (const key of OUTPUT_KEYS) props[key] = undefined;
  props.userId = secretMarker(args.loginId);
  props.tenantName = secretMarker(args.tenantId);
  props.liveRoleNames = secretMarker(args.roleNames);
  props.grantedRoleNames = secretMarker(args.roleNames);
  return props;
}

/** The full type token, as the engine records it (the first segment names the dynamic provider). */
const TYPE = "pulumi-nodejs:dynamic/descope:UserRoleAssignment";

/**
 * The resource's URN (stack, project, parent type chain, name), so the provider can key
 * declarations by it and find the stack's record. A plain promise, not an Output: an Output of
 * the parent's URN would make the resource depend on its own parent.
 */
function urnOf(name: string, opts: pulumi.CustomResourceOptions | undefined): string | Promise<string> {
  // Without a parent the URN is known at once (the common case: no output to wait on).
  if (!opts?.parent) return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${TYPE}::${name}`;
  const urn = pulumi.createUrn(name, TYPE, opts.parent);
  return new Promise((resolve) => urn.apply(resolve));
}

/** A secret `true` when `input` is (or holds) a secret, else nothing. */
function secretMarker(input: pulumi.Input<unknown> | undefined): pulumi.Output<unknown> {
  const value = pulumi.output(input);
  return pulumi.output(pulumi.isSecret(value)).apply((secret) => (secret ? pulumi.secret(true) : undefined));
}
