import { describe, expect, it } from "vitest";
import {
  type ActivityTypeDefinition,
  canonicalize,
  checkActivityType,
  DATA_TYPES,
  definitionLeaves,
  parseActivityType,
  stableStringify,
} from "../../src/schema/index.js";
import { webinar } from "../helpers/constructs.js";

describe("activityTypeSchema", () => {
  it("fills Marketo's defaults: primary dataType string, no attributes, no destructive changes", () => {
    const result = checkActivityType({ ...webinar, attributes: undefined });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.definition.primaryAttribute.dataType).toBe("string");
    expect(result.definition.attributes).toStrictEqual([]);
    expect(result.definition.allowDestructiveChanges).toBe(false);
  });

  it("accepts every one of the 11 data types, for the primary and for secondary attributes", () => {
    expect(DATA_TYPES).toHaveLength(11);
    const attributes = DATA_TYPES.map((dataType, i) => ({ apiName: `a${i}`, name: `A ${i}`, dataType }));
    for (const dataType of DATA_TYPES) {
      const result = checkActivityType({
        ...webinar,
        primaryAttribute: { ...webinar.primaryAttribute, dataType },
        attributes,
      });
      expect(result.ok).toBe(true);
    }
  });

  it("accepts 20 secondary attributes and an apiName of 255 characters", () => {
    const attributes = Array.from({ length: 20 }, (_, i) => ({
      apiName: `a${i}`,
      name: `A${i}`,
      dataType: "string",
    }));
    expect(checkActivityType({ ...webinar, apiName: `a${"b".repeat(254)}`, attributes }).ok).toBe(true);
  });

  it("fails when a definition has several problems, listing every one in one error", () => {
    expect(() =>
      parseActivityType({ ...webinar, apiName: "bad name", name: "", attributes: [{ apiName: "x" }] }),
    ).toThrowErrorMatchingInlineSnapshot(`
      [DefinitionError: activity type "bad name" has 4 problems:
        - apiName: got "bad name"; apiName may contain only letters and digits (A-Z, a-z, 0-9), with at least one letter. Fix: remove spaces, underscores and punctuation, e.g. "webinarAttended"
        - name: got ""; name must not be empty. Fix: write one, e.g. "Webinar Attended"
        - attributes[0].name: got nothing; name is required. Fix: add it, e.g. "Minutes Watched"
        - attributes[0].dataType: got nothing; dataType is required; allowed: string, boolean, integer, float, link, email, currency, date, datetime, phone, text. Fix: add one, e.g. dataType: "string"]
    `);
  });
});

describe("canonical form and hash", () => {
  const a = parseActivityType({
    ...webinar,
    attributes: [
      { apiName: "zeta", name: "Zeta", dataType: "string" },
      { apiName: "alpha", name: "Alpha", dataType: "integer", description: undefined },
    ],
  });
  const b: ActivityTypeDefinition = { ...a, attributes: [...a.attributes].reverse() };

  it("sorts attributes and drops undefined properties, so equal meanings give equal bytes", () => {
    expect(canonicalize(a).attributes.map((x) => x.apiName)).toStrictEqual(["alpha", "zeta"]);
    expect(stableStringify(canonicalize(a))).toBe(stableStringify(canonicalize(b)));
    expect(Object.keys(canonicalize(a).attributes[0]!)).not.toContain("description");
  });

  it("has one trigger leaf per field, under dotted keys", () => {
    expect(definitionLeaves(a)).toStrictEqual({
      allowDestructiveChanges: "false",
      apiName: "webinarAttended",
      "attributes.alpha.dataType": "integer",
      "attributes.alpha.name": "Alpha",
      "attributes.zeta.dataType": "string",
      "attributes.zeta.name": "Zeta",
      filterName: "Attended Webinar",
      name: "Webinar Attended",
      "primaryAttribute.apiName": "webinarName",
      "primaryAttribute.dataType": "string",
      "primaryAttribute.name": "Webinar Name",
      triggerName: "Attends Webinar",
    });
  });
});
