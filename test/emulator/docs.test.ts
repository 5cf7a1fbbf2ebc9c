/**
 * docs/emulator.md lists every behaviour option and every limit, each with its default; every
 * behaviour option with its evidence (sections of docs/marketo-api.md) or "unverified".
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_BEHAVIOUR, DEFAULT_LIMITS } from "../../src/emulator/index.js";
import { DATA_TYPES } from "../../src/schema/index.js";

const doc = readFileSync(new URL("../../docs/emulator.md", import.meta.url), "utf8");

/** The cells of the table rows whose first cell starts with `` `key ``, by key. */
function rows(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const line of doc.split("\n")) {
    const match = /^\| `(\w+)[^|]*\|(.*)\|$/.exec(line);
    if (match === null) continue;
    found.set(
      match[1]!,
      match[2]!.split(" | ").map((cell) => cell.trim()),
    );
  }
  return found;
}

/** How a default is written in the table. */
function shown(value: unknown): string {
  if (value === DATA_TYPES) return "all 11";
  return `\`${JSON.stringify(value)}\``;
}

describe("docs/emulator.md", () => {
  const table = rows();

  it.each(Object.entries(DEFAULT_BEHAVIOUR))(
    "lists behaviour %s with its default and its evidence",
    (key, value) => {
      const cells = table.get(key);
      expect(cells, `no row for behaviour.${key}`).toBeDefined();
      expect(cells?.[0]).toContain(shown(value));
      expect(cells?.at(-1), `behaviour.${key} cites no section of docs/marketo-api.md`).toMatch(
        /\b\d(?:\.\d+)?\b|unverified/,
      );
    },
  );

  it.each(Object.entries(DEFAULT_LIMITS))("lists limit %s", (key, value) => {
    const cells = table.get(key);
    expect(cells, `no row for limits.${key}`).toBeDefined();
    if (typeof value === "boolean") expect(cells?.[0]).toBe(shown(value));
  });
});
