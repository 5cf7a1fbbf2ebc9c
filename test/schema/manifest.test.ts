import { describe, expect, it } from "vitest";
import { CustomActivityType, RetiredActivityType } from "../../src/constructs/index.js";
import { diff } from "../../src/reconcile/index.js";
import {
  type ActivityTypeInput,
  buildManifest,
  checkManifest,
  formatIssue,
  largestRequests,
  MAX_REQUEST_BYTES,
  manifestDigest,
  parseActivityType,
  parseManifest,
  serializeManifest,
} from "../../src/schema/index.js";
import { synthInstance, webinar } from "../helpers/constructs.js";

const trial: ActivityTypeInput = {
  apiName: "trialStarted",
  name: "Trial Started",
  triggerName: "Starts Trial",
  filterName: "Started Trial",
  primaryAttribute: { apiName: "productName", name: "Product Name" },
};

/** A valid manifest as synth writes it, parsed back as plain JSON so tests can edit it like a file. */
function written(): Record<string, unknown> & { types: Record<string, unknown>[]; retired: unknown[] } {
  const manifest = buildManifest({
    instance: { id: "prod", envPrefix: "MARKETO", maxActivityTypes: 10, approve: true },
    types: [parseActivityType(webinar), parseActivityType(trial)],
    retired: ["oldSignup"],
  });
  return JSON.parse(serializeManifest(manifest));
}

/** A type of a written manifest by apiName (types are sorted: trialStarted is types[0]). */
const type = (m: ReturnType<typeof written>, apiName: string) =>
  m.types.find((t) => t["apiName"] === apiName)!;

/** The problems `checkManifest` finds after `edit`, one line each. */
function problems(edit: (m: ReturnType<typeof written>) => void): string[] {
  const m = written();
  edit(m);
  const result = checkManifest(m);
  return result.ok ? [] : result.issues.map(formatIssue);
}

const big = (bytes: number) => "x".repeat(bytes);

describe("checkManifest", () => {
  it("accepts what synth writes", () => {
    expect(checkManifest(written())).toMatchObject({ ok: true });
  });

  const cases: Record<string, (m: ReturnType<typeof written>) => void> = {
    "an apiName both declared and retired": (m) => {
      m.retired = ["oldSignup", "webinarAttended"];
    },
    "an apiName retired twice": (m) => {
      m.retired = ["oldSignup", "oldSignup"];
    },
    "two types with one apiName": (m) => {
      type(m, "trialStarted")["apiName"] = "webinarAttended";
    },
    "two types with one triggerName": (m) => {
      type(m, "trialStarted")["triggerName"] = "Attends Webinar";
    },
    "two types with one filterName": (m) => {
      type(m, "trialStarted")["filterName"] = "Attended Webinar";
    },
    "more types than maxActivityTypes": (m) => {
      (m["instance"] as Record<string, unknown>)["maxActivityTypes"] = 1;
    },
    "a type whose create request is over 1 MB": (m) => {
      type(m, "webinarAttended")["description"] = big(MAX_REQUEST_BYTES);
    },
    "a type whose attributes request is over 1 MB": (m) => {
      type(m, "webinarAttended")["attributes"] = Array.from({ length: 20 }, (_, i) => ({
        apiName: `a${i}`,
        name: `A${i}`,
        dataType: "string",
        description: big(60_000),
      }));
    },
    "unknown keys at every level": (m) => {
      m["owner"] = "marketing";
      (m["instance"] as Record<string, unknown>)["baseUrl"] = "https://example.com";
      m.types[0]!["approved"] = true;
      (m.types[1]!["primaryAttribute"] as Record<string, unknown>)["isPrimary"] = true;
    },
    "wrong types": (m) => {
      const instance = m["instance"] as Record<string, unknown>;
      instance["maxActivityTypes"] = "100";
      instance["approve"] = "yes";
      instance["id"] = "../prod";
      m.types[1]!["allowDestructiveChanges"] = "true";
      m.retired = "oldSignup" as unknown as unknown[];
    },
    "types not a list, instance missing, another formatVersion": (m) => {
      m["types"] = { webinarAttended: {} } as unknown as Record<string, unknown>[];
      delete m["instance"];
      m["formatVersion"] = 2;
    },
  };

  it.each(Object.keys(cases))("refuses %s, naming the path and the rule", (name) => {
    expect(problems(cases[name]!).length).toBeGreaterThan(0);
  });

  it("words every problem with its path, the value and the fix", () => {
    const report = Object.entries(cases)
      .map(([name, edit]) => [`# ${name}`, ...problems(edit).map((p) => `- ${p}`)].join("\n"))
      .join("\n")
      .replace(/x{20,}/g, "xxx...");
    expect(report).toMatchInlineSnapshot(`
      "# an apiName both declared and retired
      - retired[1]: got "webinarAttended"; is both declared and retired. Fix: remove the CustomActivityType to delete the type, or remove the RetiredActivityType to keep it
      # an apiName retired twice
      - retired[1]: got "oldSignup"; is retired twice. Fix: remove one of them
      # two types with one apiName
      - types[1].apiName: got "webinarAttended"; is declared by 2 activity types (types[0], types[1]); it must be unique within an instance. Fix: remove the duplicate declaration or give it another apiName
      # two types with one triggerName
      - types[1].triggerName: got "Attends Webinar"; is declared by 2 activity types (types[0], types[1]); it must be unique within an instance. Fix: give each type its own triggerName, e.g. "Attends Webinar"
      # two types with one filterName
      - types[1].filterName: got "Attended Webinar"; is declared by 2 activity types (types[0], types[1]); it must be unique within an instance. Fix: give each type its own filterName, e.g. "Attended Webinar"
      # more types than maxActivityTypes
      - instance.maxActivityTypes: got 2; declared activity types exceed the subscription limit of 1 (Marketo code 1027). Fix: remove types, or raise maxActivityTypes if your subscription allows more
      # a type whose create request is over 1 MB
      - types[1].description: is 1,000,002 bytes as JSON, the largest field of the request that creates or updates the type (1,000,240 bytes); Marketo refuses a request over 1 MB (HTTP 413), and this package sends at most 1,000,000 bytes. Fix: shorten it by at least 240 bytes (UTF-8)
      # a type whose attributes request is over 1 MB
      - types[1].attributes[0].description: is 60,002 bytes as JSON, the largest field of the request that creates or updates the attributes (1,201,458 bytes); Marketo refuses a request over 1 MB (HTTP 413), and this package sends at most 1,000,000 bytes. Fix: shorten the fields of that request by at least 201,458 bytes (UTF-8) in all; this is the largest of them
      # unknown keys at every level
      - instance.baseUrl: got "https://example.com"; is not a known property; allowed: id, envPrefix, maxActivityTypes, approve. Fix: remove it or check the spelling
      - types[0].approved: got true; is not a known property; allowed: apiName, name, triggerName, filterName, description, primaryAttribute, attributes, allowDestructiveChanges. Fix: remove it or check the spelling
      - types[1].primaryAttribute.isPrimary: got true; is not a known property; allowed: apiName, name, dataType, description. Fix: remove it or check the spelling
      - owner: got "marketing"; is not a known property; allowed: formatVersion, instance, types, retired. Fix: remove it or check the spelling
      # wrong types
      - instance.id: got "../prod"; the instance id may contain only letters, digits, underscores and hyphens, starting with a letter. Fix: use an id such as "prod" or "sandbox"; it names the manifest file and Terraform addresses
      - instance.maxActivityTypes: got "100"; maxActivityTypes must be a number. Fix: write the limit of your subscription, e.g. 10
      - instance.approve: got "yes"; approve must be true or false. Fix: write true or false
      - types[1].allowDestructiveChanges: got "true"; allowDestructiveChanges must be true or false. Fix: write true or false
      - retired: got "oldSignup"; retired must be a list of apiNames. Fix: write "retired": [ ... ], or [] when none is retired
      # types not a list, instance missing, another formatVersion
      - formatVersion: got 2; this manifest format is not supported; this version reads formatVersion 1. Fix: synthesize again with the installed version of cdktf-marketo-activities
      - instance: got nothing; instance is required. Fix: write { "id": "prod", "envPrefix": "MARKETO", "maxActivityTypes": 10, "approve": true }
      - types: got {"webinarAttended":{}}; types must be a list of activity type definitions. Fix: write "types": [ ... ]"
    `);
  });

  it("throws one error naming the file and every problem", () => {
    const m = written();
    m.retired = ["webinarAttended"];
    type(m, "trialStarted")["triggerName"] = "Attends Webinar";
    expect(() => parseManifest(m, "cdktf.out/stacks/marketing/marketo-activities.prod.json")).toThrow(
      /^manifest cdktf\.out\/stacks\/marketing\/marketo-activities\.prod\.json has 2 problems:\n {2}- types\[1\]\.triggerName: got "Attends Webinar"; is declared by 2 activity types \(types\[0\], types\[1\]\).*\n {2}- retired\[0\]: got "webinarAttended"; is both declared and retired/,
    );
  });
});

describe("largestRequests", () => {
  it("is never below the bodies apply sends for the type", () => {
    const definition = parseActivityType({
      ...webinar,
      description: "Wätched ä webinar \u{1F600}",
      attributes: [
        { apiName: "minutesWatched", name: "Minutes Watched", dataType: "integer" },
        { apiName: "host", name: "Host", dataType: "string", description: 'Who hosted "it"' },
      ],
    });
    const manifest = buildManifest({
      instance: { id: "prod", envPrefix: "MARKETO", maxActivityTypes: 10, approve: true },
      types: [definition],
      retired: [],
    });
    const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length;
    const plan = diff(manifest, { listed: [], described: [], calls: 1 }, { endpoint: "h" });
    const sent = plan.types[0]!.steps.flatMap((step) => {
      const { operation, ...body } = step;
      return operation === "approveCustomActivityType" ? [] : [bytes(body)];
    });
    const [typeRequest, attributesRequest] = largestRequests(definition).map((r) => bytes(r.body));
    expect(sent).toHaveLength(2);
    expect(sent[0]).toBeLessThanOrEqual(typeRequest!);
    expect(sent[1]).toBeLessThanOrEqual(attributesRequest!);
  });
});

describe("the cross-type rules are one definition", () => {
  it("holds the constructs to the request-size rule too", () => {
    const { errors } = synthInstance((prod) => {
      new CustomActivityType(prod, "a", { ...webinar, description: big(MAX_REQUEST_BYTES) });
    });
    const inManifest = problems((m) => {
      type(m, "webinarAttended")["description"] = big(MAX_REQUEST_BYTES);
    });
    expect(inManifest).toHaveLength(1);
    expect(errors.join("\n")).toContain(inManifest[0]!.replace(/^types\[1\]\./, ""));
  });

  it("words a declared-and-retired apiName alike in a construct and in a manifest", () => {
    const { errors } = synthInstance((prod) => {
      new CustomActivityType(prod, "a", webinar);
      new RetiredActivityType(prod, "old", { apiName: webinar.apiName });
    });
    const inManifest = problems((m) => {
      m.retired = ["webinarAttended"];
    });
    expect(errors.join("\n")).toContain(inManifest[0]!.replace(/^retired\[0\]/, "RetiredActivityType"));
  });
});

describe("manifestDigest", () => {
  it("is the same for the same declarations in any order, and differs for any change", () => {
    const m = parseManifest(written(), "a.json");
    const reordered = { ...m, types: [...m.types].reverse() };
    expect(manifestDigest(reordered)).toBe(manifestDigest(m));
    expect(manifestDigest(m)).toMatch(/^[0-9a-f]{64}$/);
    const renamed = { ...m, types: m.types.map((t, i) => (i === 0 ? { ...t, name: `${t.name} X` } : t)) };
    expect(manifestDigest(renamed)).not.toBe(manifestDigest(m));
    const limit = { ...m, instance: { ...m.instance, maxActivityTypes: 11 } };
    expect(manifestDigest(limit)).not.toBe(manifestDigest(m));
  });
});
