/**
 * The table of Marketo's codes (src/marketo/codes.ts) against docs/marketo-api.md 2.2 and 2.3, which
 * state each code's retry class, level and whether it is counted: the code and the page must agree.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { UNCOUNTED_CODES } from "../../src/emulator/failure.js";
import {
  codeFacts,
  hintForCodes,
  isUncounted,
  MARKETO_CODES,
  messageForCode,
  policyForCodes,
} from "../../src/marketo/codes.js";
import { MarketoApiError } from "../../src/marketo/errors.js";

const page = readFileSync(new URL("../../docs/marketo-api.md", import.meta.url), "utf8");

function section(heading: string): string {
  const start = page.indexOf(`### ${heading}`);
  const end = page.indexOf("\n### ", start + 1);
  return page.slice(start, end);
}

/** `[codes, columns]` of each row of a section's table whose first cell lists codes. */
function rows(heading: string): [string[], string[]][] {
  return section(heading)
    .split("\n")
    .filter((line) => /^\| \d/.test(line))
    .map((line) => {
      const cells = line.split("|").map((cell) => cell.trim());
      return [cells[1]?.split(/,\s*/) ?? [], cells.slice(2)];
    });
}

describe("the table of Marketo's codes", () => {
  it("gives every response-level code of docs/marketo-api.md 2.2 the retry class the page states", () => {
    const table = rows("2.2");
    expect(table.length).toBeGreaterThan(20);
    for (const [codes, [, retryClass = ""]] of table) {
      const kind = /^\w+/.exec(retryClass)?.[0];
      const retries = /at most (\d+) retries/.exec(retryClass)?.[1];
      for (const code of codes) {
        expect(policyForCodes([code]), code).toStrictEqual({
          kind,
          code,
          ...(retries === undefined ? {} : { maxRetries: Number(retries) }),
        });
        if (codeFacts(code) !== undefined) expect(codeFacts(code)?.kind, code).toBe("response");
      }
    }
  });

  it("knows every record-level code of docs/marketo-api.md 2.3, each fatal", () => {
    for (const [codes] of rows("2.3")) {
      for (const code of codes) {
        expect(codeFacts(code), code).toMatchObject({ kind: "record", retry: "fatal" });
      }
    }
  });

  it("leaves out of the limits exactly the codes DOC-ERR marks, for the client and the emulator alike", () => {
    const marked = /codes\s+it\s+marks\s+\(([\d, ]+)\)/.exec(section("2.2"))?.[1]?.split(/,\s*/);
    expect(marked).toStrictEqual(["601", "602", "604", "605", "608", "611"]);
    expect(Object.keys(MARKETO_CODES).filter(isUncounted)).toStrictEqual(marked);
    expect([...UNCOUNTED_CODES]).toStrictEqual(marked);
  });

  it("answers with Marketo's text, typo included, and a generic one for a code it does not know", () => {
    expect(messageForCode("606")).toBe("Max rate limit '100' exceeded with in '20' secs");
    expect(messageForCode("615")).toBe("Concurrent access limit '10' reached");
    expect(messageForCode("1017")).toBe("Object already exists");
    expect(messageForCode("999")).toBe("Error 999");
    expect(codeFacts("toString")).toBeUndefined();
  });

  it("writes hints that start lower-case or with a name, and end without a period", () => {
    for (const [code, facts] of Object.entries(MARKETO_CODES)) {
      if (facts.hint === undefined) continue;
      expect(facts.hint, code).toMatch(/^([a-z]|Marketo)/);
      expect(facts.hint, code).not.toMatch(/\.$/);
    }
  });

  it("gives a code it does not know a generic hint: look it up, report it with the requestId", () => {
    const hint = hintForCodes(["9999"], "a#1");
    expect(hint).toBe(
      "Marketo answered a code this version of cdktf-marketo-activities does not know (9999; the codes it knows are in docs/marketo-api.md 2.2 and 2.3), so it did not retry: look it up on https://experienceleague.adobe.com/en/docs/marketo-developer/marketo/rest/error-codes, and if the call keeps failing, report it to Adobe support with the requestId a#1",
    );
    expect(hintForCodes(["9999", "8888"])).toMatch(
      /\(9999, 8888;.*look them up.*the time of the call \(Marketo sent no requestId\)$/,
    );
    // A known code's own hint wins; a known code without one still has none.
    expect(hintForCodes(["9999", "603"])).toBe(codeFacts("603")?.hint);
    expect(hintForCodes(["702"])).toBeUndefined();
    expect(hintForCodes([])).toBeUndefined();
    const error = new MarketoApiError({
      operation: "listCustomActivityTypes",
      errors: [{ code: "9999", message: "Error 9999" }],
      requestId: "e42b#1",
      httpStatus: 200,
      retryable: false,
      attempts: 1,
    });
    expect(error.message).toBe("Marketo rejected listCustomActivityTypes: 9999 Error 9999");
    expect(error.hint).toMatch(/does not know \(9999;.*the requestId e42b#1$/);
  });
});
