/**
 * The smallest program that proves the engine chain: one dynamic resource whose throwaway
 * provider echoes its input. Its closure is serialized into state like any dynamic provider's.
 */
import * as pulumi from "@pulumi/pulumi";

const echoProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return { id: `echo-${inputs.message}`, outs: { message: inputs.message, length: String(inputs.message).length } };
  },
  async diff(_id, olds, news) {
    return { changes: olds.message !== news.message, replaces: olds.message !== news.message ? ["message"] : [] };
  },
};

class Echo extends pulumi.dynamic.Resource {
  declare readonly message: pulumi.Output<string>;
  declare readonly length: pulumi.Output<number>;
  constructor(name: string, args: { message: pulumi.Input<string> }) {
    super(echoProvider, name, { message: args.message, length: undefined }, {});
  }
}

export default function program(params: { message: string }) {
  const echo = new Echo("greeting", { message: params.message });
  return { message: echo.message, length: echo.length };
}
