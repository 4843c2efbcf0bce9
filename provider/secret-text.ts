/**
 * Keeping secret inputs out of messages: the engine shows only an error's message, so every
 * message that may carry a secret input's value (or a value derived from it) goes through
 * {@link hideSecretValues} before it leaves the provider.
 */

/** Replaces each whole occurrence of each value with `[secret]`. */
export function hideSecretValues(text: string, values: readonly (string | null | undefined)[]): string {
  let out = text;
  const sorted = [...new Set(values.filter((v): v is string => typeof v === "string" && v.length > 0))].sort(
    (a, b) => b.length - a.length,
  );
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
