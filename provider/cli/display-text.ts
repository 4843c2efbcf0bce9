/**
 * Making untrusted text safe to show: login IDs, user IDs, tenant IDs, role names and file
 * names reach the terminal and Markdown documents, and any of them may hold an escape
 * sequence, a line break or HTML. Every human-readable output of `descope-access` (tables,
 * Markdown, progress and error lines) passes such text through {@link escapeControlChars};
 * Markdown cells then through {@link markdownText}. JSON output is exact data and is left to
 * `JSON.stringify`. Pure.
 */

/**
 * C0 controls, DEL, C1 controls (`\x9b` is a one-byte CSI), the line and paragraph separators,
 * and the bidirectional formatting characters (which reorder what a reader sees).
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * The text with every control character written as an escape: `\n`, `\r`, `\t`, else `\xHH`
 * (below U+0100) or `\uHHHH`. Backslashes are kept as they are, so escaping twice changes
 * nothing (a message may be escaped where it is built and again where it is printed).
 */
export function escapeControlChars(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return NAMED[c] ?? (code < 0x100 ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`);
  });
}

/** The text in double quotes with its control characters escaped: how messages quote input. */
export function quote(text: string): string {
  return `"${escapeControlChars(text)}"`;
}

/**
 * Text for a Markdown table cell or line: control characters escaped, then the characters
 * Markdown or HTML would act on made literal (backslash, pipe, backtick, `*`, `_`, `~`, `[`,
 * `]` with a backslash; `&`, `<`, `>` as entities), so a value can neither end its cell, start
 * a row, nor open a tag, a link or a code span.
 */
export function markdownText(text: string): string {
  return escapeControlChars(text)
    .replace(/[\\|`*_~[\]]/g, "\\$&")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, "0");
}
