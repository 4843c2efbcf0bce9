/**
 * The provider object handed to `pulumi.dynamic.Resource`. Pulumi serializes it into the
 * state of every resource (`__provider`), so it holds no logic and no credentials: one method,
 * `configure`, which the dynamic-provider host calls before any other method. It loads the
 * installed package's implementation by name and attaches its methods (check, diff, create,
 * read, update, delete) to this very object. An upgrade of this package therefore reaches
 * delete and refresh of resources created by older versions, and the stored text stays a few
 * hundred bytes (seven delegating methods would serialize to more than 2 KB).
 *
 * Keep it that way: no module-scope values, no imports used in the body.
 */
import type * as pulumi from "@pulumi/pulumi";

/** The one shared provider instance. */
export const shim = {
  configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    return require("pulumi-descope-access/lifecycle").attach(this, req);
  },
} as unknown as pulumi.dynamic.ResourceProvider;
