/**
 * Keeping secret inputs out of messages: the engine shows only an error's message, so every
 * message that may carry a secret input's value (or a value derived from it) goes through
 * {@link hideSecretValues} before it leaves the provider.
 */
import { capText, MAX_QUOTED_CHARS } from "./quote";

/**
 * Replaces each whole occurrence of each value with `[secret]`, and of the capped form a
 * message quotes a long value in (`quote`), so a cut value is hidden too.
 */
export function hideSecretValues(text: string, values: readonly (string | null | undefined)[]): string {
  let out = text;
  const given = values.filter((v): v is string => typeof v === "string" && v.length > 0);
  const capped = given.filter((v) => v.length > MAX_QUOTED_CHARS).map((v) => capText(v));
  const sorted = [...new Set([...given, ...capped])].sort((a, b) => b.length - a.length);
  for (const value of sorted) {
    const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    out = out.replace(new RegExp(`(?<![\\w@.-])${escaped}(?![\\w@.-])`, "g"), "[secret]");
  }
  return out;
}

/** Rewrites an error's message (and stack) with {@link hideSecretValues}; returns the error. */
export function hideSecretsIn(err: unknown, values: readonly (string | null | undefined)[]): unknown {
  if (!(err instanceof Error) || values.length === 0) return err;
  err.message = hideSecretValues(err.message, values);
  if (err.stack) err.stack = hideSecretValues(err.stack, values);
  return err;
}
