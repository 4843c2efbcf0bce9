/**
 * An emulator on loopback plus a throwaway stack running the grants program against it: the
 * shape of every end-to-end test of UserRoleAssignment.
 */
import { startEmulator, type EmulatorHandle, type EmulatorSeed } from "../../emulator";
import { baseSeed } from "./emulator-state";
import { TestStack } from "./pulumi";

// The engine-free helpers, re-exported so engine tests import one module.
export { READ_POSTS, baseSeed, mutations, outOfBand, projectRoles, tenantRoles } from "./emulator-state";

/** Stack config pointing the provider at the emulator (the key as a secret, as users set it). */
export function configFor(emu: EmulatorHandle) {
  return {
    "descope:projectId": { value: emu.projectId },
    "descope:managementKey": { value: emu.managementKey, secret: true },
    "descope:baseUrl": { value: emu.url },
  };
}

/** A running emulator and a stack of the grants program configured for it. */
export interface Scenario {
  emu: EmulatorHandle;
  stack: TestStack;
  dispose(): Promise<void>;
}

/** Starts an emulator with `seed` and a fresh stack of `program` (under test/programs) configured for it. */
export async function startScenario(seed: EmulatorSeed = baseSeed(), program = "grants"): Promise<Scenario> {
  const emu = await startEmulator({ seed, warn: () => undefined });
  const stack = await TestStack.create({ program, config: configFor(emu) });
  return {
    emu,
    stack,
    async dispose() {
      await stack.dispose();
      await emu.close();
    },
  };
}
