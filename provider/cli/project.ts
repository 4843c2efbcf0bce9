/**
 * What the `descope-access` commands share: the I/O they are given, their error type, the
 * connection to the live project (settings from flags and `DESCOPE_*` variables, the key from
 * the environment only) and paging through every user.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { DescopeClient, type DescopeUser, type UserSearch } from "../client/client";
import { resolveSettings } from "../settings";
import { quote } from "./display-text";

/** Where a command writes and what environment it reads; `process` fits, tests pass buffers. */
export interface CliIO {
  /** Results: YAML, tables, JSON. */
  stdout: { write(text: string): unknown };
  /** Errors and progress, one line each. */
  stderr: { write(text: string): unknown };
  /** The environment (`DESCOPE_PROJECT_ID`, `DESCOPE_MANAGEMENT_KEY`, `DESCOPE_BASE_URL`…). */
  env: Record<string, string | undefined>;
}

/** A failure the command explains in one line; `exitCode` 1 unless said otherwise. */
export class CliError extends Error {
  /** The process exit code this failure maps to. */
  readonly exitCode: number;

  /** `message` is one line, printed after the command name. */
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

/** The connection flags every command accepts (the key is never one of them). */
export interface ConnectionFlags {
  /** `--project-id`; wins over `DESCOPE_PROJECT_ID`. */
  "project-id"?: string;
  /** `--base-url`; wins over `DESCOPE_BASE_URL`. */
  "base-url"?: string;
}

/** The `parseArgs` options of {@link ConnectionFlags}, for each command's option table. */
export const CONNECTION_OPTIONS = {
  "project-id": { type: "string" },
  "base-url": { type: "string" },
} as const;

/** Usage lines of {@link ConnectionFlags}, for each command's option list. */
export const CONNECTION_USAGE = `  --project-id <id>       Descope project ID (default: DESCOPE_PROJECT_ID)
  --base-url <url>        API base URL (default: DESCOPE_BASE_URL, else from the project ID's region)`;

/** The note on the management key, for each command's help. */
export const KEY_NOTE = "The management key is read only from DESCOPE_MANAGEMENT_KEY, never from a flag.";

/** The page size of user search (Descope's maximum). */
export const PAGE_SIZE = 100;

/** Pages past this many stop the walk: a service that never ends a listing is an error. */
const MAX_PAGES = 100_000;

/**
 * A client for the live project: the project ID and base URL from the flags, else from the
 * environment; the key from `DESCOPE_MANAGEMENT_KEY` only.
 *
 * @throws CliError when the project ID or key is missing; DescopeConfigError on a bad base URL.
 */
export function connect(flags: ConnectionFlags, env: CliIO["env"]): DescopeClient {
  const projectId = nonBlank(flags["project-id"]) ?? nonBlank(env.DESCOPE_PROJECT_ID);
  if (!projectId) throw new CliError("missing Descope project ID: set DESCOPE_PROJECT_ID or pass --project-id");
  if (!nonBlank(env.DESCOPE_MANAGEMENT_KEY)) {
    throw new CliError("missing Descope management key: set DESCOPE_MANAGEMENT_KEY (it is never taken from a flag)");
  }
  const settings = resolveSettings({ projectId, baseUrl: nonBlank(flags["base-url"]) }, env);
  return new DescopeClient(settings);
}

/**
 * Every user matching `search`, one page of {@link PAGE_SIZE} at a time (page 0, 1, …) until a
 * page comes back short or `total` is reached; `onPage(pageNumber, usersSoFar)` after each
 * page (1-based). A user seen on two pages (the listing moved under us) is kept once.
 */
export async function fetchAllUsers(
  client: Pick<DescopeClient, "searchUsers">,
  search: Omit<UserSearch, "limit" | "page">,
  onPage?: (page: number, users: number) => void,
): Promise<DescopeUser[]> {
  const byId = new Map<string, DescopeUser>();
  for (let page = 0; page < MAX_PAGES; page++) {
    const { users, total } = await client.searchUsers({ ...search, limit: PAGE_SIZE, page });
    for (const u of users) byId.set(u.userId, u);
    onPage?.(page + 1, byId.size);
    if (users.length < PAGE_SIZE || (total > 0 && (page + 1) * PAGE_SIZE >= total)) return [...byId.values()];
  }
  throw new CliError(`user search did not end after ${MAX_PAGES} pages`);
}

/** The value, trimmed, or undefined when it is missing or blank. */
export function nonBlank(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

/** The `parseArgs` option table of a command. */
export type FlagTable = NonNullable<ParseArgsConfig["options"]>;

/** The values `parseFlags` yields for a table: each flag optional, `multiple` ones as arrays. */
export type FlagValues<O extends FlagTable> = {
  -readonly [K in keyof O]?: O[K] extends { multiple: true } ? FlagValue<O[K]>[] : FlagValue<O[K]>;
};

type FlagValue<C> = C extends { type: "boolean" } ? boolean : string;

/**
 * Parses a command's flags strictly (no positionals). Refuses `--management-key` before
 * anything else, and turns `parseArgs` errors into one-line CliErrors naming the flag.
 */
export function parseFlags<O extends FlagTable>(command: string, argv: string[], options: O): FlagValues<O> {
  const end = argv.indexOf("--");
  if (
    (end === -1 ? argv : argv.slice(0, end)).some((a) => a === "--management-key" || a.startsWith("--management-key="))
  ) {
    throw new CliError(
      "--management-key is not accepted: the management key is read only from DESCOPE_MANAGEMENT_KEY, so it stays out of shell history and process lists",
    );
  }
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as FlagValues<O>;
  } catch (err) {
    throw new CliError(describeParseError(err as Error & { code?: string }, command));
  }
}

function describeParseError(err: Error & { code?: string }, command: string): string {
  const quoted = /'([^']*)'/.exec(err.message)?.[1] ?? "";
  const help = `see descope-access ${command} --help`;
  if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown option ${quoted} (${help})`;
  if (err.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") return `unexpected argument ${quote(quoted)} (${help})`;
  return `${err.message.split(/\.\s|\n/)[0]} (${help})`;
}

/**
 * The values of the `names` flags in command-line order, each with its flag (`parseFlags`
 * groups repeated flags by name, losing how they interleave). Call after `parseFlags`.
 */
export function flagsInOrder<N extends string>(
  argv: string[],
  options: FlagTable,
  names: readonly N[],
): { name: N; value: string }[] {
  const { tokens } = parseArgs({ args: argv, options, strict: true, allowPositionals: false, tokens: true });
  return tokens.flatMap((t) =>
    t.kind === "option" && (names as readonly string[]).includes(t.name) && typeof t.value === "string"
      ? [{ name: t.name as N, value: t.value }]
      : [],
  );
}
