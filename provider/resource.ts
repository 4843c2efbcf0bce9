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
   * The login ID or the user ID of an existing Descope user. Changing it to another login ID
   * (or the user ID) of the same user updates in place; naming a different user replaces the
   * resource.
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
   * for a tenant, in the project or that tenant). `[]` with mode `set` clears the scope.
   */
  roleNames: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * `set` (authoritative): the scope holds exactly `roleNames`; roles granted out of band are
   * drift and are removed on the next update. `add` (additive): `roleNames` are present and
   * other roles are left alone. Changing it updates in place.
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

  /**
   * Declares the roles of `args.loginId` in the scope.
   * @param name the unique resource name
   * @param args the user, scope, roles and mode
   * @param opts resource options
   */
  constructor(name: string, args: UserRoleAssignmentArgs, opts?: pulumi.CustomResourceOptions) {
    const props = {
      loginId: args.loginId,
      tenantId: args.tenantId,
      roleNames: args.roleNames,
      mode: args.mode,
      userId: undefined,
      liveRoleNames: undefined,
      grantedRoleNames: undefined,
      tenantName: undefined,
    };
    super(shim, name, props, opts, "descope", "UserRoleAssignment");
  }
}
