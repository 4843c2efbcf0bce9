/**
 * Reading the sources of `descope-access report`: each `--grants` and `--state` file, in the
 * order given, parsed and turned into declarations. The one place `report` touches files.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { MAX_GRANTS_FILE_BYTES, readGrantsFile, type Grant } from "../grants-file";
import { CliError } from "./project";
import type { DeclarationSource } from "./report-overlap";
import { declarationsFromGrants, declarationsFromState } from "./report-sources";

/** One `--grants <file>` or `--state <file>` of the command line. */
export interface SourceFlag {
  /** Which flag. */
  kind: "grants" | "state";
  /** The file as given. */
  file: string;
}

/**
 * The declarations of every source, in command-line order.
 * @throws CliError when there is no source, a file is given twice, or one cannot be read or parsed.
 */
export function readSources(flags: readonly SourceFlag[]): DeclarationSource[] {
  if (flags.length === 0) {
    throw new CliError("give at least one --grants <file> or --state <file> (see descope-access report --help)");
  }
  const seen = new Set<string>();
  for (const { kind, file } of flags) {
    const key = `${kind}:${resolve(file)}`;
    if (seen.has(key)) throw new CliError(`--${kind} ${file} is given twice`);
    seen.add(key);
  }
  return flags.map(readSource);
}

/** The declarations of one source, labelled `grants file <file>` or `state file <file>`. */
export function readSource({ kind, file }: SourceFlag): DeclarationSource {
  if (kind === "grants") {
    const label = `grants file ${file}`;
    return { label, kind, declared: declarationsFromGrants(readGrants(file, label)) };
  }
  const label = `state file ${file}`;
  const doc = parseFile(file, label, "JSON", (text) => JSON.parse(text) as unknown);
  return { label, kind, declared: declarationsFromState(doc, label) };
}

/** A grants file through the one size-capped reader the grants-file project uses too. */
function readGrants(file: string, label: string): Grant[] {
  try {
    return readGrantsFile(file, MAX_GRANTS_FILE_BYTES, label);
  } catch (err) {
    const message = (err as Error).message;
    throw new CliError(message.startsWith(label) ? message : `cannot read ${label}: ${message}`);
  }
}

function parseFile(file: string, label: string, format: string, parse: (text: string) => unknown): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new CliError(`cannot read ${label}: ${(err as Error).message}`);
  }
  try {
    return parse(text);
  } catch (err) {
    throw new CliError(`${label} is not valid ${format}: ${(err as Error).message}`);
  }
}
