/**
 * The package's own version, for `descope-access --version`: read from the package.json above
 * this file, which is two levels up from the sources and three from the built `dist/`.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The package name whose package.json holds the version. */
const PACKAGE_NAME = "pulumi-descope-access";

/**
 * The `version` of the nearest package.json above `from` named {@link PACKAGE_NAME}.
 * @throws Error when there is none (a broken install).
 */
export function packageVersion(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: unknown; version?: unknown };
      if (pkg.name === PACKAGE_NAME && typeof pkg.version === "string") return pkg.version;
    }
    if (dirname(dir) === dir) throw new Error(`no package.json of ${PACKAGE_NAME} above ${from}`);
  }
}
