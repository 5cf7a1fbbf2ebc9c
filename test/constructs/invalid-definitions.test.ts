import { TerraformStack, TerraformVariable, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import {
  CustomActivityType,
  type CustomActivityTypeProps,
  RetiredActivityType,
} from "../../src/constructs/index.js";
import { synthInstance, webinar } from "../helpers/constructs.js";

const other = {
  ...webinar,
  apiName: "trialStarted",
  name: "Trial Started",
  triggerName: "Starts Trial",
  filterName: "Started Trial",
};
const many = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ apiName: `f${i}`, name: `F${i}`, dataType: "string" }));

/** Each case declares something invalid; the table's messages are snapshotted below. */
const cases: Record<string, () => ReturnType<typeof synthInstance>> = {};
const oneType = (name: string, props: Record<string, unknown>) => {
  cases[name] = () =>
    synthInstance((prod) => new CustomActivityType(prod, "t", props as unknown as CustomActivityTypeProps));
};

oneType("apiName with a space", { ...webinar, apiName: "webinar attended" });
oneType("apiName empty", { ...webinar, apiName: "" });
oneType("apiName digits only", { ...webinar, apiName: "12345" });
oneType("apiName with an underscore", { ...webinar, apiName: "webinar_attended" });
oneType("apiName too long", { ...webinar, apiName: "a".repeat(256) });
oneType("apiName missing", { ...webinar, apiName: undefined });
oneType("name with punctuation", { ...webinar, name: "Webinar: Attended!" });
oneType("name digits only", { ...webinar, name: "2024" });
oneType("name missing", { ...webinar, name: undefined });
oneType("triggerName empty", { ...webinar, triggerName: "" });
oneType("triggerName with surrounding spaces", { ...webinar, triggerName: " Attends Webinar " });
oneType("filterName missing", { ...webinar, filterName: undefined });
oneType("description not text", { ...webinar, description: 42 });
oneType("primaryAttribute missing", { ...webinar, primaryAttribute: undefined });
oneType("primary dataType unknown", {
  ...webinar,
  primaryAttribute: { ...webinar.primaryAttribute, dataType: "varchar" },
});
oneType("primary apiName invalid", {
  ...webinar,
  primaryAttribute: { apiName: "webinar-name", name: "Webinar Name" },
});
oneType("attribute dataType missing", { ...webinar, attributes: [{ apiName: "minutes", name: "Minutes" }] });
oneType("attribute dataType unknown", {
  ...webinar,
  attributes: [{ apiName: "minutes", name: "Minutes", dataType: "number" }],
});
oneType("attribute name empty", {
  ...webinar,
  attributes: [{ apiName: "minutes", name: "", dataType: "integer" }],
});
oneType("attribute unknown property", {
  ...webinar,
  attributes: [{ apiName: "minutes", name: "Minutes", type: "integer" }],
});
oneType("attribute apiName twice", {
  ...webinar,
  attributes: [
    { apiName: "minutes", name: "Minutes", dataType: "integer" },
    { apiName: "minutes", name: "Minutes again", dataType: "integer" },
  ],
});
oneType("attribute apiName equal to the primary's", {
  ...webinar,
  attributes: [{ apiName: "webinarName", name: "Name", dataType: "string" }],
});
oneType("21 secondary attributes", { ...webinar, attributes: many(21) });
oneType("attributes not a list", { ...webinar, attributes: { apiName: "x" } });
oneType("unknown property on the type", { ...webinar, displayName: "Webinar" });
oneType("allowDestructiveChanges not a boolean", { ...webinar, allowDestructiveChanges: "yes" });
oneType("many problems at once", { apiName: "bad name", name: "Bad!", primaryAttribute: { apiName: "x" } });
oneType("description over Marketo's 1 MB request limit", { ...webinar, description: "é".repeat(500_001) });
oneType("attribute descriptions over 1 MB in one request", {
  ...webinar,
  attributes: Array.from({ length: 20 }, (_, i) => ({
    apiName: `f${i}`,
    name: `F${i}`,
    dataType: "string",
    description: "x".repeat(i === 7 ? 60_000 : 50_000),
  })),
});
oneType("a cdktf token in the description", {
  ...webinar,
  description: `Costs ${new TerraformVariable(new TerraformStack(Testing.app(), "vars"), "price", {}).stringValue}`,
});
cases["two types with one apiName"] = () =>
  synthInstance((prod) => {
    new CustomActivityType(prod, "a", webinar);
    new CustomActivityType(prod, "b", { ...other, apiName: webinar.apiName });
  });
cases["two types with one triggerName"] = () =>
  synthInstance((prod) => {
    new CustomActivityType(prod, "a", webinar);
    new CustomActivityType(prod, "b", { ...other, triggerName: webinar.triggerName });
  });
cases["two types with one filterName"] = () =>
  synthInstance((prod) => {
    new CustomActivityType(prod, "a", webinar);
    new CustomActivityType(prod, "b", { ...other, filterName: webinar.filterName });
  });
cases["a type both declared and retired"] = () =>
  synthInstance((prod) => {
    new CustomActivityType(prod, "a", webinar);
    new RetiredActivityType(prod, "old", { apiName: webinar.apiName });
  });
cases["a type retired twice"] = () =>
  synthInstance((prod) => {
    new RetiredActivityType(prod, "old", { apiName: "oldSignup" });
    new RetiredActivityType(prod, "old2", { apiName: "oldSignup" });
  });
cases["retired apiName invalid"] = () =>
  synthInstance((prod) => {
    new RetiredActivityType(prod, "old", { apiName: "old signup" });
  });
cases["more types than maxActivityTypes"] = () =>
  synthInstance(
    (prod) => {
      new CustomActivityType(prod, "a", webinar);
      new CustomActivityType(prod, "b", other);
    },
    { resourceKind: "terraform_data", maxActivityTypes: 1 },
  );
cases["envPrefix in lower case"] = () => synthInstance(() => {}, { envPrefix: "marketo_prod" });
cases["maxActivityTypes zero"] = () => synthInstance(() => {}, { maxActivityTypes: 0 });
cases["resourceKind unknown"] = () =>
  synthInstance(() => {}, { resourceKind: "aws_instance" as "terraform_data" });
cases["resourceKind context unknown"] = () =>
  synthInstance(() => {}, {}, { "marketo-activities:resourceKind": "null" });

describe("invalid definitions fail synth with every problem, where, what was received, and the fix", () => {
  it.each(Object.keys(cases))("fails when %s", (name) => {
    const { errors } = cases[name]!();
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) expect(error).toMatch(/^\[stack\/prod.*\] .+ has \d+ problems?:\n {2}- /);
  });

  it.each(Object.keys(cases))(
    "synthesizes no resource and no provisioner for the instance when %s",
    (name) => {
      const { json } = cases[name]!();
      expect(json.resource ?? {}).toStrictEqual({});
      expect(JSON.stringify(json)).not.toContain("local-exec");
    },
  );

  it("covers at least 25 cases", () => {
    expect(Object.keys(cases).length).toBeGreaterThanOrEqual(25);
  });

  it("reports these messages", () => {
    const rendered = Object.entries(cases)
      .map(([name, run]) => `# ${name}\n${run().errors.join("\n")}`)
      .join("\n\n");
    expect(`\n${rendered}\n`).toMatchInlineSnapshot(`
      "
      # apiName with a space
      [stack/prod/t] activity type "webinar attended" has 1 problem:
        - apiName: got "webinar attended"; apiName may contain only letters and digits (A-Z, a-z, 0-9), with at least one letter. Fix: remove spaces, underscores and punctuation, e.g. "webinarAttended"

      # apiName empty
      [stack/prod/t] activity type "t" (no valid apiName) has 1 problem:
        - apiName: got ""; apiName may contain only letters and digits (A-Z, a-z, 0-9), with at least one letter. Fix: remove spaces, underscores and punctuation, e.g. "webinarAttended"

      # apiName digits only
      [stack/prod/t] activity type "12345" has 1 problem:
        - apiName: got "12345"; apiName may contain only letters and digits (A-Z, a-z, 0-9), with at least one letter. Fix: remove spaces, underscores and punctuation, e.g. "webinarAttended"

      # apiName with an underscore
      [stack/prod/t] activity type "webinar_attended" has 1 problem:
        - apiName: got "webinar_attended"; apiName may contain only letters and digits (A-Z, a-z, 0-9), with at least one letter. Fix: remove spaces, underscores and punctuation, e.g. "webinarAttended"

      # apiName too long
      [stack/prod/t] activity type "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa..." has 1 problem:
        - apiName: got "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...; apiName may have at most 255 characters. Fix: shorten it

      # apiName missing
      [stack/prod/t] activity type "t" (no valid apiName) has 1 problem:
        - apiName: got nothing; apiName is required. Fix: add it, e.g. "webinarAttended"

      # name with punctuation
      [stack/prod/t] activity type "webinarAttended" has 1 problem:
        - name: got "Webinar: Attended!"; name may contain only letters and digits (of any language), spaces and underscores, with at least one letter. Fix: remove other characters, e.g. "Webinar Attended"

      # name digits only
      [stack/prod/t] activity type "webinarAttended" has 1 problem:
        - name: got "2024"; name may contain only letters and digits (of any language), spaces and underscores, with at least one letter. Fix: remove other characters, e.g. "Webinar Attended"

      # name missing
      [stack/prod/t] activity type "webinarAttended" has 1 problem:
        - name: got nothing; name is required. Fix: add it, e.g. "Webinar Attended"

      # triggerName empty
      [stack/prod/t] activity type "webinarAttended" has 1 problem:
        - triggerName: got ""; triggerName must not be empty. Fix: write one, e.g. "Attends Webinar"

      # triggerName with surrounding spaces
      [stack/prod/t] activity type "webinarAttended" has 1 problem:
        - triggerName: got " Attends Webinar "; triggerName must not start or end with spaces. Fix: remove the surrounding spaces

      # filterName missing
      [stack/prod/t] activity type "webinarAttended" has 1 problem:
        - filterName: got nothing; filterName is required. Fix: add it, e.g. "Attended Webinar"

      # description not text
      [stack/prod/t] activity type "webinarAttended" has 1 problem:
        - description: got 42; description must be text. Fix: write it as a string, or leave it out

      # primaryAttribute missing
      [stack/prod/t] activity type "webinarAttended" has 1 problem:
        - primaryAttribute: got nothing; primaryAttribute is required. Fix: write { apiName: "webinarName", name: "Webinar Name" }

      # primary dataType unknown
      [stack/prod/t] activity type "webinarAttended" has 1 problem:
        - primaryAttribute.dataType: got "varchar"; dataType must be one of string, boolean, integer, float, link, email, currency, date, datetime, phone, text. Fix: use one of these Marketo data types

      # primary apiName invalid
      [stack/prod/t] activity type "webinarAttended" has 1 problem:
        - primaryAttribute.apiName: got "webinar-name"; apiName may contain only letters and digits (A-Z, a-z, 0-9), with at least one letter. Fix: remove spaces, underscores and punctuation, e.g. "minutesWatched"

      # attribute dataType missing
      [stack/prod/t] activity type "webinarAttended" has 1 problem:
        - attributes[0].dataType: got nothing; dataType is required; allowed: string, boolean, integer, float, link, email, currency, date, datetime, phone, text. Fix: add one, e.g. dataType: "string"

      # attribute dataType unknown
      [stack/prod/t] activity type "webinarAttended" has 1 problem:
        - attributes[0].dataType: got "number"; dataType must be one of string, boolean, integer, float, link, email, currency, date, datetime, phone, text. Fix: use one of these Marketo data types

      # attribute name empty
      [stack/prod/t] activity type "webinarAttended" has 1 problem:
        - attributes[0].name: got ""; name must not be empty. Fix: write one, e.g. "Minutes Watched"

      # attribute unknown property
      [stack/prod/t] activity type "webinarAttended" has 2 problems:
        - attributes[0].dataType: got nothing; dataType is required; allowed: string, boolean, integer, float, link, email, currency, date, datetime, phone, text. Fix: add one, e.g. dataType: "string"
        - attributes[0].type: got "integer"; is not a known property; allowed: apiName, name, dataType, description. Fix: remove it or check the spelling

      # attribute apiName twice
      [stack/prod/t] activity type "webinarAttended" has 1 problem:
        - attributes[1].apiName: got "minutes"; attribute apiNames must be unique within a type, the primary attribute's included; attributes[0] already uses it. Fix: rename one of them

      # attribute apiName equal to the primary's
      [stack/prod/t] activity type "webinarAttended" has 1 problem:
        - attributes[0].apiName: got "webinarName"; attribute apiNames must be unique within a type, the primary attribute's included; primaryAttribute already uses it. Fix: rename one of them

      # 21 secondary attributes
      [stack/prod/t] activity type "webinarAttended" has 1 problem:
        - attributes: got [{"apiName":"f0","name":"F0","dataType":"string"},{"apiName":"f1","name":"F1"...; a type may have at most 20 secondary attributes (Marketo code 1028). Fix: remove attributes, or split the activity into two types

      # attributes not a list
      [stack/prod/t] activity type "webinarAttended" has 1 problem:
        - attributes: got {"apiName":"x"}; attributes must be a list. Fix: write attributes: [ ... ]

      # unknown property on the type
      [stack/prod/t] activity type "webinarAttended" has 1 problem:
        - displayName: got "Webinar"; is not a known property; allowed: apiName, name, triggerName, filterName, description, primaryAttribute, attributes, allowDestructiveChanges. Fix: remove it or check the spelling

      # allowDestructiveChanges not a boolean
      [stack/prod/t] activity type "webinarAttended" has 1 problem:
        - allowDestructiveChanges: got "yes"; allowDestructiveChanges must be true or false. Fix: write true or false

      # many problems at once
      [stack/prod/t] activity type "bad name" has 5 problems:
        - apiName: got "bad name"; apiName may contain only letters and digits (A-Z, a-z, 0-9), with at least one letter. Fix: remove spaces, underscores and punctuation, e.g. "webinarAttended"
        - name: got "Bad!"; name may contain only letters and digits (of any language), spaces and underscores, with at least one letter. Fix: remove other characters, e.g. "Webinar Attended"
        - triggerName: got nothing; triggerName is required. Fix: add it, e.g. "Attends Webinar"
        - filterName: got nothing; filterName is required. Fix: add it, e.g. "Attended Webinar"
        - primaryAttribute.name: got nothing; name is required. Fix: add it, e.g. "Minutes Watched"

      # description over Marketo's 1 MB request limit
      [stack/prod/t] activity type "webinarAttended" has 1 problem:
        - description: is 1,000,004 bytes as JSON, the largest field of the request that creates or updates the type (1,000,242 bytes); Marketo refuses a request over 1 MB (HTTP 413), and this package sends at most 1,000,000 bytes. Fix: shorten it by at least 242 bytes (UTF-8)

      # attribute descriptions over 1 MB in one request
      [stack/prod/t] activity type "webinarAttended" has 1 problem:
        - attributes[7].description: is 60,002 bytes as JSON, the largest field of the request that creates or updates the attributes (1,011,458 bytes); Marketo refuses a request over 1 MB (HTTP 413), and this package sends at most 1,000,000 bytes. Fix: shorten it by at least 11,458 bytes (UTF-8)

      # a cdktf token in the description
      [stack/prod/t] activity type "webinarAttended" has 1 problem:
        - description: is a cdktf token, a value Terraform knows only when it runs (an attribute of another resource, a variable); a definition must be known at synth, where its manifest is written. Fix: write the value itself as text

      # two types with one apiName
      [stack/prod] MarketoInstance "prod" has 1 problem:
        - apiName: got "webinarAttended"; is declared by 2 activity types (stack/prod/a, stack/prod/b); it must be unique within an instance. Fix: remove the duplicate declaration or give it another apiName

      # two types with one triggerName
      [stack/prod] MarketoInstance "prod" has 1 problem:
        - triggerName: got "Attends Webinar"; is declared by 2 activity types (stack/prod/a, stack/prod/b); it must be unique within an instance. Fix: give each type its own triggerName, e.g. "Attends Webinar"

      # two types with one filterName
      [stack/prod] MarketoInstance "prod" has 1 problem:
        - filterName: got "Attended Webinar"; is declared by 2 activity types (stack/prod/a, stack/prod/b); it must be unique within an instance. Fix: give each type its own filterName, e.g. "Attended Webinar"

      # a type both declared and retired
      [stack/prod] MarketoInstance "prod" has 1 problem:
        - RetiredActivityType: got "webinarAttended"; is both declared and retired. Fix: remove the CustomActivityType to delete the type, or remove the RetiredActivityType to keep it

      # a type retired twice
      [stack/prod] MarketoInstance "prod" has 1 problem:
        - RetiredActivityType: got "oldSignup"; is retired twice. Fix: remove one of them

      # retired apiName invalid
      [stack/prod/old] RetiredActivityType "old" has 1 problem:
        - apiName: got "old signup"; apiName may contain only letters and digits (A-Z, a-z, 0-9), with at least one letter. Fix: remove spaces, underscores and punctuation, e.g. "oldSignup"

      # more types than maxActivityTypes
      [stack/prod] MarketoInstance "prod" has 1 problem:
        - maxActivityTypes: got 2; declared activity types exceed the subscription limit of 1 (Marketo code 1027). Fix: remove types, or raise maxActivityTypes if your subscription allows more

      # envPrefix in lower case
      [stack/prod] MarketoInstance "prod" has 1 problem:
        - envPrefix: got "marketo_prod"; envPrefix may contain only upper-case letters, digits and underscores, starting with a letter. Fix: write it like "MARKETO_PROD"

      # maxActivityTypes zero
      [stack/prod] MarketoInstance "prod" has 1 problem:
        - maxActivityTypes: got 0; maxActivityTypes must be at least 1. Fix: write the limit of your subscription, e.g. 10

      # resourceKind unknown
      [stack/prod] MarketoInstance "prod" has 1 problem:
        - resourceKind: got "aws_instance"; resourceKind must be "null_resource" or "terraform_data". Fix: use "terraform_data" (the default, built into Terraform) unless you need null_resource

      # resourceKind context unknown
      [stack/prod] MarketoInstance "prod" has 1 problem:
        - context "marketo-activities:resourceKind": got "null"; must be "null_resource" or "terraform_data". Fix: correct the context value in cdktf.json
      "
    `);
  });
});
