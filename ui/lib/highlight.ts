/**
 * A small code highlighter: one left-to-right scan that marks comments, strings, numbers and
 * keywords. It knows no grammar, which is enough to make code in answers easy to read and keeps
 * the page light. Output is escaped HTML with `<span class="tok-…">` wrappers.
 */

const HASH_COMMENT_LANGUAGES = new Set([
  "py",
  "python",
  "sh",
  "bash",
  "shell",
  "zsh",
  "console",
  "yaml",
  "yml",
  "toml",
  "ruby",
  "rb",
  "r",
  "perl",
  "dockerfile",
  "makefile",
  "make",
  "ini",
  "conf",
  "nix",
  "elixir",
]);
const MARKUP_LANGUAGES = new Set(["html", "xml", "svg", "vue", "markdown", "md"]);
const DASH_COMMENT_LANGUAGES = new Set(["sql", "lua", "haskell", "hs", "psql", "mysql"]);
const PLAIN_LANGUAGES = new Set(["text", "txt", "plain", "plaintext", "output", "log"]);

const KEYWORDS = new Set(
  (
    "abstract and as assert async await break case catch class const continue def defer del do " +
    "elif else enum except export extends false final finally fn for from func function go if " +
    "impl implements import in instanceof interface is lambda let loop match mod module mut new " +
    "nil none None not null of or package pass private protected pub public raise return self " +
    "static struct super switch this throw throws trait true True False try type typeof union " +
    "unsafe use var void where while with yield select from where insert update delete create " +
    "table int float double char bool boolean string str void u8 u16 u32 u64 i32 i64 usize " +
    "echo then fi esac done local readonly"
  ).split(" "),
);

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) =>
      ch === "&"
        ? "&amp;"
        : ch === "<"
        ? "&lt;"
        : ch === ">"
        ? "&gt;"
        : ch === '"'
        ? "&quot;"
        : "&#39;",
  );
}

function tokenPattern(language: string): RegExp {
  const comment = HASH_COMMENT_LANGUAGES.has(language)
    ? String.raw`#[^\n]*`
    : MARKUP_LANGUAGES.has(language)
    ? String.raw`<!--[\s\S]*?(?:-->|$)`
    : DASH_COMMENT_LANGUAGES.has(language)
    ? String.raw`--[^\n]*`
    : String.raw`\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$)`;
  const string = String
    .raw`"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|\x60(?:[^\x60\\]|\\[\s\S])*\x60?`;
  const number = String.raw`\b(?:0x[\da-fA-F_]+|\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?)\b`;
  const word = String.raw`[A-Za-z_$][\w$]*`;
  return new RegExp(`(${comment})|(${string})|(${number})|(${word})`, "g");
}

/** Highlights `code` written in `language` (the fence's info string; may be empty). */
export function highlight(code: string, language: string): string {
  const lang = language.trim().toLowerCase();
  if (PLAIN_LANGUAGES.has(lang)) return escapeHtml(code);
  const pattern = tokenPattern(lang);
  let html = "";
  let last = 0;
  for (const match of code.matchAll(pattern)) {
    const [text, comment, string, number, word] = match;
    const start = match.index;
    html += escapeHtml(code.slice(last, start));
    last = start + text.length;
    const kind = comment
      ? "c"
      : string
      ? "s"
      : number
      ? "n"
      : word && KEYWORDS.has(word)
      ? "k"
      : word && /^[A-Z]/.test(word)
      ? "t"
      : null;
    html += kind ? `<span class="tok-${kind}">${escapeHtml(text)}</span>` : escapeHtml(text);
  }
  return html + escapeHtml(code.slice(last));
}
