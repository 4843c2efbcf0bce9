/**
 * The provider object handed to `pulumi.dynamic.Resource`. Pulumi serializes it into the
 * state of every resource (`__provider`), so it holds no logic and no credentials: each method
 * loads the installed package's implementation by name when it is called. An upgrade of this
 * package therefore reaches delete and refresh of resources created by older versions.
 *
 * Keep it that way: no module-scope values, no imports used in the bodies, no `this`.
 */
import type * as pulumi from "@pulumi/pulumi";

/** The one shared provider instance. */
export const shim: pulumi.dynamic.ResourceProvider = {
  async configure(req) {
    return require("pulumi-descope-access/dist/provider/lifecycle.js").configure(req);
  },
  async check(olds, news) {
    return require("pulumi-descope-access/dist/provider/lifecycle.js").check(olds, news);
  },
  async diff(id, olds, news) {
    return require("pulumi-descope-access/dist/provider/lifecycle.js").diff(id, olds, news);
  },
  async create(inputs) {
    return require("pulumi-descope-access/dist/provider/lifecycle.js").create(inputs);
  },
  async read(id, props) {
    return require("pulumi-descope-access/dist/provider/lifecycle.js").read(id, props);
  },
  async update(id, olds, news) {
    return require("pulumi-descope-access/dist/provider/lifecycle.js").update(id, olds, news);
  },
  async delete(id, props) {
    return require("pulumi-descope-access/dist/provider/lifecycle.js").remove(id, props);
  },
};
