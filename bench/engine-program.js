/**
 * The Pulumi program of the engine bench (bench/engine.js), run by the tests' stack-runner
 * (.test-build/test/support/stack-runner.js) as an inline Automation API program:
 *   { kind: "ours",  assignments }  one UserRoleAssignment per assignment (this package, by name)
 *   { kind: "floor", assignments }  one trivial dynamic resource per assignment with the same
 *                                   inputs: the engine floor (what any dynamic resource costs)
 * No stack outputs, so the state holds the resources and nothing else.
 */
"use strict";

const pulumi = require("@pulumi/pulumi");

// The floor's provider: create only, the least a dynamic provider can be (the host answers
// every other method itself: check gives the news back, diff leaves it to the engine, which
// compares the inputs, read gives the stored state back, delete does nothing). No module-scope
// values, so the closure Pulumi stores per resource is as small as a dynamic provider's can be.
const echoProvider = {
  async create(inputs) {
    return { id: `${inputs.tenantId || ""}/${inputs.loginId}`, outs: inputs };
  },
};

class Echo extends pulumi.dynamic.Resource {
  constructor(name, args) {
    super(echoProvider, name, args, {}, "bench", "Echo");
  }
}

/** @param {{ kind: "ours" | "floor", assignments: Array<{ name: string, loginId: string, tenantId?: string, roleNames: string[], mode: string }> }} params */
function program(params) {
  // Required here, not at the top: the floor never loads this package.
  const Resource = params.kind === "ours" ? require("pulumi-descope-access").UserRoleAssignment : Echo;
  for (const a of params.assignments) {
    const args = { loginId: a.loginId, roleNames: a.roleNames, mode: a.mode };
    if (a.tenantId) args.tenantId = a.tenantId;
    new Resource(a.name, args);
  }
}

module.exports = { default: program };
