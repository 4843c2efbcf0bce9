/**
 * Whether this deployment is a `--target` / `--exclude` run. The engine neither checks nor
 * diffs the resources a targeted run leaves out, so their declarations never reach this
 * process; its deletes must then assume that such declarations may exist. The engine does not
 * tell providers about targets, so this reads the `pulumi` command line of an ancestor process
 * (Linux `/proc`); where that cannot be read, the run counts as untargeted.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const TARGET_FLAGS = ["--target", "-t", "--exclude", "--target-dependents", "--exclude-dependents"];

/** True when a flag of `args` narrows the run to some resources. */
export function hasTargetFlag(args: readonly string[]): boolean {
  return args.some((a) => TARGET_FLAGS.includes(a) || /^--(target|exclude)=/.test(a));
}

/** The `pulumi` command line among this process's ancestors, or undefined. */
export function pulumiCommandLine(startPid = process.ppid, depth = 8): string[] | undefined {
  let pid = startPid;
  for (let i = 0; i < depth && pid > 1; i++) {
    try {
      const args = fs
        .readFileSync(`/proc/${pid}/cmdline`, "utf8")
        .split("\0")
        .filter((a) => a !== "");
      if (args.length > 0 && path.basename(args[0]) === "pulumi") return args;
      const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
      pid = Number(/^PPid:\s*(\d+)/m.exec(status)?.[1] ?? 0);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** True when the deployment that started this provider is a targeted run. */
export function isTargetedRun(): boolean {
  const args = pulumiCommandLine();
  return args !== undefined && hasTargetFlag(args.slice(1));
}
