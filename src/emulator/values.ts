/**
 * How the emulator quotes a value in Marketo's 1001 message. What each data type takes is one rule for
 * the typed client and the emulator, in src/schema/values.ts (docs/marketo-api.md 5.1).
 */

/** How a value is quoted in a 1001 message. */
export function showValue(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 100 ? `${text.slice(0, 97)}...` : text;
}
