import { escapeControlChars, markdownText, quote } from "../../provider/cli/display-text";
import type { AccessReport } from "../../provider/cli/report-classify";
import { formatTable } from "../../provider/cli/report-format";
import { formatMarkdown } from "../../provider/cli/report-markdown";

describe("escapeControlChars", () => {
  it.each<[string, string, string]>([
    ["an escape sequence", "a\x1b[2Jb", "a\\x1b[2Jb"],
    ["line breaks and a tab", "a\nb\r\tc", "a\\nb\\r\\tc"],
    ["NUL and DEL", "\0\x7f", "\\x00\\x7f"],
    ["a one-byte CSI (C1)", "\u009b31m", "\\x9b31m"],
    ["a right-to-left override", "abc\u202edcba", "abc\\u202edcba"],
    ["a line separator", "a\u2028b", "a\\u2028b"],
    ["plain text with a backslash", "DOMAIN\\ada é", "DOMAIN\\ada é"],
  ])("escapes %s", (_title, input, expected) => {
    expect(escapeControlChars(input)).toBe(expected);
  });

  it("changes nothing when applied twice", () => {
    const once = escapeControlChars("x\x1b\n\u009b");
    expect(escapeControlChars(once)).toBe(once);
  });
});

describe("quote", () => {
  it("quotes with control characters escaped when the text holds some", () => {
    expect(quote("g\n\x1b")).toBe('"g\\n\\x1b"');
  });
});

describe("markdownText", () => {
  it.each<[string, string, string]>([
    ["a pipe", "a|b", "a\\|b"],
    ["HTML", "<script>&</script>", "&lt;script&gt;&amp;&lt;/script&gt;"],
    ["a backtick and a link", "`x` [y](z)", "\\`x\\` \\[y\\](z)"],
    ["a newline after control escaping", "a\n| fake |", "a\\\\n\\| fake \\|"],
    ["emphasis", "*a* _b_ ~c~", "\\*a\\* \\_b\\_ \\~c\\~"],
  ])("escapes %s", (_title, input, expected) => {
    expect(markdownText(input)).toBe(expected);
  });
});

describe("formatTable", () => {
  it("escapes the login ID, user ID, scope and roles when they hold control characters", () => {
    const report: AccessReport = {
      managed: [],
      unmanaged: [{ loginId: "m\x1b[2J\n| fake |", userId: "U\r1", tenantId: "t\n2", roleNames: ["r\x07"] }],
      missing: [],
    };
    expect(formatTable(report).split("\n").slice(0, 2)).toEqual([
      "m\\x1b[2J\\n| fake | (U\\r1)",
      "  t\\n2     unmanaged  r\\x07",
    ]);
  });
});

describe("formatMarkdown", () => {
  it("escapes the project ID and the sources when they hold Markdown or HTML", () => {
    const report: AccessReport = { managed: [], unmanaged: [], missing: [] };
    const md = formatMarkdown(report, { projectId: "P<b>", sources: ["grants file a|`b`.yaml\n# x"] });
    expect(md.split("\n")[2]).toBe("Project P&lt;b&gt;, declarations from grants file a\\|\\`b\\`.yaml\\\\n# x.");
  });
});
