/**
 * TypeScript text for values read from Marketo: string literals that hold any text as it is,
 * identifiers made from apiNames, and the column width a formatter measures.
 */

/**
 * Characters written as `\uXXXX` although a string literal could hold them raw: control characters,
 * line and paragraph separators (line terminators in comments, invisible in editors), the bidirectional
 * controls a reader cannot see (CVE-2021-42574, "Trojan Source") and lone surrogates. The value is the
 * same either way; only the reader sees the difference.
 */
function escapedCodePoint(codePoint: number): boolean {
  return (
    codePoint < 0x20 ||
    (codePoint >= 0x7f && codePoint <= 0x9f) ||
    codePoint === 0x2028 ||
    codePoint === 0x2029 ||
    codePoint === 0x061c ||
    codePoint === 0x200e ||
    codePoint === 0x200f ||
    (codePoint >= 0x202a && codePoint <= 0x202e) ||
    (codePoint >= 0x2066 && codePoint <= 0x2069) ||
    (codePoint >= 0xd800 && codePoint <= 0xdfff)
  );
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

/** `value` between `quote`s, escaped: what the quotes enclose reads back as exactly `value`. */
function quoted(value: string, quote: '"' | "'"): string {
  let out = quote;
  // for-of walks code points; a lone surrogate comes as one unit of its own.
  for (const char of value) {
    const short = SHORT_ESCAPES[char];
    if (short !== undefined) out += short;
    else if (char === quote) out += `\\${quote}`;
    else {
      const codePoint = char.codePointAt(0)!;
      out += escapedCodePoint(codePoint) ? `\\u${codePoint.toString(16).padStart(4, "0")}` : char;
    }
  }
  return out + quote;
}

/**
 * A TypeScript string literal of `value`: double quotes, unless the text holds more double quotes
 * than single ones, where single quotes need fewer escapes (the choice Biome and Prettier make, so a
 * formatter leaves the literal as it is). Never a template literal, so `${` is plain text.
 */
export function stringLiteral(value: string): string {
  let double = 0;
  let single = 0;
  for (const char of value) {
    if (char === '"') double++;
    else if (char === "'") single++;
  }
  return quoted(value, double > single ? "'" : '"');
}

/** A value quoted for a message or a comment, shortened to about `max` characters: `"Webinar Watched"`. */
export function shortLiteral(value: string, max = 60): string {
  const chars = [...value];
  const shown = chars.length > max ? `${chars.slice(0, max - 3).join("")}...` : value;
  return quoted(shown, '"');
}

/**
 * Words a binding may not be named in a module (strict mode): JavaScript's reserved words, the
 * strict-mode ones, `await` (reserved in modules), `eval` and `arguments`.
 */
const RESERVED = new Set([
  "arguments",
  "await",
  "break",
  "case",
  "catch",
  "class",
  "const",
  "continue",
  "debugger",
  "default",
  "delete",
  "do",
  "else",
  "enum",
  "eval",
  "export",
  "extends",
  "false",
  "finally",
  "for",
  "function",
  "if",
  "implements",
  "import",
  "in",
  "instanceof",
  "interface",
  "let",
  "new",
  "null",
  "package",
  "private",
  "protected",
  "public",
  "return",
  "static",
  "super",
  "switch",
  "this",
  "throw",
  "true",
  "try",
  "typeof",
  "var",
  "void",
  "while",
  "with",
  "yield",
]);

/**
 * One constant name per apiName (apiNames are letters and digits): the apiName itself where it is a
 * name a module may bind and not one of `taken` (the module's own names); else `type<apiName>` when it
 * starts with a digit, `<apiName>Type` when it is reserved or taken, numbered when even that is the
 * apiName of another type. The same apiNames always give the same names.
 */
export function constantNames(apiNames: readonly string[], taken: readonly string[]): Map<string, string> {
  const used = new Set<string>(taken);
  const names = new Map<string, string>();
  const usable = (name: string) => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) && !RESERVED.has(name);
  // First every apiName that is a usable name as it is, so a fallback never takes one of them.
  for (const apiName of apiNames) {
    if (usable(apiName) && !used.has(apiName)) {
      names.set(apiName, apiName);
      used.add(apiName);
    }
  }
  for (const apiName of apiNames) {
    if (names.has(apiName)) continue;
    const base = /^[0-9]/.test(apiName) ? `type${apiName}` : `${apiName}Type`;
    let name = base;
    for (let n = 2; used.has(name) || apiNames.includes(name); n++) name = `${base}${n}`;
    names.set(apiName, name);
    used.add(name);
  }
  return names;
}

/**
 * Characters Unicode gives two columns (East Asian Wide and Fullwidth): CJK, Hangul, kana, fullwidth
 * forms and emoji shown as emoji. Regional indicators (flags are pairs of them) are neutral: one each.
 */
const WIDE =
  /(?![\u{1f1e6}-\u{1f1ff}])[\p{Emoji_Presentation}\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6\u{16fe0}-\u{18cff}\u{1b000}-\u{1b2ff}\u{20000}-\u{3fffd}]/u;
/**
 * Characters that take no column: non-spacing and enclosing marks (a spacing mark, as in हि, takes
 * one), format characters such as the zero-width joiner (but the soft hyphen), and Hangul's medial
 * and final jamo.
 */
const ZERO = /(?!\u00ad)[\p{Mn}\p{Me}\p{Cf}\u1160-\u11ff]/u;

/**
 * Columns a formatter gives a character on a line: 0, 1 or 2 (Unicode's East Asian Width, as Biome
 * measures a line, one character at a time). It only decides where a line too long breaks.
 */
function charWidth(char: string): number {
  if (ZERO.test(char)) return 0;
  return WIDE.test(char) ? 2 : 1;
}

/** The columns `text` takes on one line (see `charWidth`). */
export function textWidth(text: string): number {
  let width = 0;
  for (const char of text) width += charWidth(char);
  return width;
}
