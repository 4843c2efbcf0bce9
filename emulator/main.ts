/** Entry point of the `descope-emulator` command (bin/descope-emulator.js requires the compiled file). */
import { runCli } from "./cli";

void runCli(process.argv.slice(2));
