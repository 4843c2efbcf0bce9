/**
 * UserRoleAssignments in the shapes the engine treats specially: children of components (two
 * of one name), a login ID that comes from another resource (so the assignment registers late
 * when that resource is replaced in the run), protected resources and deleteBeforeReplace.
 */
import * as pulumi from "@pulumi/pulumi";
import { UserRoleAssignment } from "pulumi-descope-access";

/** An echo whose `value` output is known only after its create; a changed `generation` replaces it. */
const echoProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    // A slow create keeps what depends on it registering late, after the rest of the run's steps.
    await new Promise((resolve) => setTimeout(resolve, Number(inputs.delayMs ?? 0)));
    return { id: `echo-${inputs.generation}`, outs: { value: inputs.value, generation: inputs.generation } };
  },
  async diff(_id, olds, news) {
    const replace = olds.generation !== news.generation;
    return { changes: replace || olds.value !== news.value, replaces: replace ? ["generation"] : [] };
  },
  async update(_id, _olds, news) {
    return { outs: { value: news.value, generation: news.generation } };
  },
};

class Echo extends pulumi.dynamic.Resource {
  declare readonly value: pulumi.Output<string>;
  constructor(name: string, args: { value: string; generation: number; delayMs?: number }) {
    super(echoProvider, name, args, {});
  }
}

/** One assignment of the program. */
export interface Spec {
  name: string;
  loginId: string;
  /** Take loginId from the echo of this name (declared in `echoes`). */
  loginIdFrom?: string;
  tenantId?: string;
  roleNames: string[];
  mode?: "set" | "add";
  /** The component (of type test:<parent>) to parent it to. */
  parent?: string;
  protect?: boolean;
  deleteBeforeReplace?: boolean;
  aliases?: string[];
}

/** An echo: a changed generation replaces it; its create takes delayMs. */
export interface EchoSpec {
  name: string;
  generation: number;
  delayMs?: number;
}

export default function program(params: { resources: Spec[]; echoes?: EchoSpec[] }) {
  const echoes = new Map<string, Echo>();
  const groups = new Map<string, pulumi.ComponentResource>();
  const group = (name: string) => {
    // A type per component: children of one name under components of one type would share a URN.
    if (!groups.has(name)) groups.set(name, new pulumi.ComponentResource(`test:${name}`, name));
    return groups.get(name)!;
  };
  const out: Record<string, unknown> = {};
  for (const r of params.resources) {
    let loginId: pulumi.Input<string> = r.loginId;
    if (r.loginIdFrom) {
      const e = params.echoes?.find((x) => x.name === r.loginIdFrom);
      if (!echoes.has(r.loginIdFrom))
        echoes.set(
          r.loginIdFrom,
          new Echo(r.loginIdFrom, { value: r.loginId, generation: e?.generation ?? 0, delayMs: e?.delayMs }),
        );
      loginId = echoes.get(r.loginIdFrom)!.value;
    }
    const res = new UserRoleAssignment(
      r.name,
      { loginId, tenantId: r.tenantId, roleNames: r.roleNames, mode: r.mode },
      {
        parent: r.parent ? group(r.parent) : undefined,
        protect: r.protect,
        deleteBeforeReplace: r.deleteBeforeReplace,
        aliases: (r.aliases ?? []).map((name) => ({ name })),
      },
    );
    out[r.parent ? `${r.parent}/${r.name}` : r.name] = res.urn;
  }
  return out;
}
