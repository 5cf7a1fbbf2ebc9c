import { describe, expect, it } from "vitest";
import {
  type Colors,
  diff,
  NO_COLORS,
  type Plan,
  parsePlans,
  renderMarkdown,
  renderText,
  serializePlans,
  stepToWire,
  summarize,
} from "../../src/reconcile/index.js";
import type { SavedPlan } from "../../src/reconcile/plan-file.js";
import type { LiveState } from "../../src/reconcile/types.js";
import type { ActivityTypeDefinition } from "../../src/schema/index.js";
import {
  approved,
  approvedWithDraft,
  define,
  ENDPOINT,
  listedOnly,
  liveState,
  manifest,
  minimal,
  shuffled,
  signup,
} from "./helpers.js";

const minutesWatched = { apiName: "minutesWatched", name: "Minutes Watched", dataType: "integer" } as const;
const platform = { apiName: "platform", name: "Platform", dataType: "string" } as const;
const registered = { apiName: "registered", name: "Registered", dataType: "boolean" } as const;

const against = (desired: ActivityTypeDefinition, live: ActivityTypeDefinition) =>
  diff(manifest({ types: [desired] }), liveState([approved(live)]), { endpoint: ENDPOINT });

/** Representative plans, as a reviewer meets them. */
const plans = {
  firstDeploy: diff(
    manifest({ types: [define(), signup()] }),
    liveState([], [listedOnly("legacyDownload", "approved", "Legacy Download")]),
    { endpoint: ENDPOINT },
  ),
  safeChange: against(
    define({ description: "Who attended", attributes: [minutesWatched, platform, registered] }),
    define(),
  ),
  riskyRename: against(define({ name: "Webinar Joined" }), define()),
  destructiveChange: against(define({ attributes: [minutesWatched] }), define()),
  allowedDestructive: against(
    define({ attributes: [minutesWatched], allowDestructiveChanges: true }),
    define(),
  ),
  foreignDraft: diff(
    manifest({ types: [define()] }),
    liveState([approvedWithDraft(define(), define({ name: "Webinar Visited" }))]),
    { endpoint: ENDPOINT },
  ),
  approveOnly: diff(
    manifest({ types: [define({ name: "Webinar Joined" })] }),
    liveState([approvedWithDraft(define(), define({ name: "Webinar Joined" }))]),
    { endpoint: ENDPOINT },
  ),
  tombstone: diff(manifest({ retired: ["oldSignup"] }), liveState([], [listedOnly("oldSignup")]), {
    endpoint: ENDPOINT,
  }),
  overLimit: diff(
    manifest({ types: [minimal("alpha"), minimal("bravo")], instance: { maxActivityTypes: 2 } }),
    liveState([], [listedOnly("legacyDownload")]),
    { endpoint: ENDPOINT },
  ),
  noChanges: diff(
    manifest({ types: [define()], retired: ["oldSignup"] }),
    liveState([approved(define())], [listedOnly("legacyDownload", "approved", "Legacy Download")]),
    { endpoint: ENDPOINT },
  ),
} satisfies Record<string, Plan>;

const text = (plan: Plan) => renderText([plan]);
const ESC = String.fromCharCode(27);

describe("renderText", () => {
  it("renders a first deploy", () => {
    expect(text(plans.firstDeploy)).toMatchInlineSnapshot(`
      "Marketo instance "prod" (https://123-ABC-456.mktorest.com, credentials from MARKETO_*)

        + newsletterSignup will be created
            + name                      = "Newsletter Signup"
            + triggerName               = "Signs Up For Newsletter"
            + filterName                = "Signed Up For Newsletter"
            + primaryAttribute.apiName  = "newsletter"
            + primaryAttribute.name     = "Newsletter"
            + primaryAttribute.dataType = "string"
        + webinarAttended will be created
            + name                      = "Webinar Attended"
            + triggerName               = "Attends Webinar"
            + filterName                = "Attended Webinar"
            + primaryAttribute.apiName  = "webinarName"
            + primaryAttribute.name     = "Webinar Name"
            + primaryAttribute.dataType = "string"
            + attributes.minutesWatched = "Minutes Watched (integer)"
            + attributes.platform       = "Platform (string)"

        Unmanaged (in Marketo, not in code; never touched): legacyDownload (approved)
        Limit: 3 of 10 custom activity types after apply (1 unmanaged).
        API calls: 1 to read, 5 to apply.

      Plan: 2 to create.
      "
    `);
  });

  it("renders a safe change", () => {
    expect(text(plans.safeChange)).toMatchInlineSnapshot(`
      "Marketo instance "prod" (https://123-ABC-456.mktorest.com, credentials from MARKETO_*)

        ~ webinarAttended will be updated
            + description           = "Who attended"
            + attributes.registered = "Registered (boolean)"
        Limit: 1 of 10 custom activity types after apply (0 unmanaged).
        API calls: 2 to read, 3 to apply.

      Plan: 1 to update.
      "
    `);
  });

  it("renders a destructive change that the definition does not allow", () => {
    expect(text(plans.destructiveChange)).toMatchInlineSnapshot(`
      "Marketo instance "prod" (https://123-ABC-456.mktorest.com, credentials from MARKETO_*)

        ~ webinarAttended will be updated [destructive]
            - attributes.platform = "Platform (string)" -> (removed)  # destructive: deletes the attribute; Marketo also removes it from smart list filters
            ! destructive changes are not allowed: set allowDestructiveChanges: true on the type, or pass --allow-destructive
        Limit: 1 of 10 custom activity types after apply (0 unmanaged).
        API calls: 2 to read, 2 to apply.

      Plan: 1 to update.
      "
    `);
  });

  it("renders a foreign draft", () => {
    expect(text(plans.foreignDraft)).toMatchInlineSnapshot(`
      "Marketo instance "prod" (https://123-ABC-456.mktorest.com, credentials from MARKETO_*)

        ~ webinarAttended will be updated
            ! conflict: the draft in Marketo has edits that are neither live nor in your code (name = "Webinar Visited"); someone may be editing this type in Marketo Admin (or an earlier apply with approve: false, or one that was interrupted, left it and the code has changed since). Fold their change into the code, or discard the draft with --discard-foreign-drafts
        Limit: 1 of 10 custom activity types after apply (0 unmanaged).
        API calls: 3 to read, 1 to apply.

      Plan: 1 to update.
      "
    `);
  });

  it("renders no changes", () => {
    expect(text(plans.noChanges)).toMatchInlineSnapshot(`
      "Marketo instance "prod" (https://123-ABC-456.mktorest.com, credentials from MARKETO_*)

          oldSignup is up to date
            note: retired and already absent from the instance
          webinarAttended is up to date

        Unmanaged (in Marketo, not in code; never touched): legacyDownload (approved)
        Limit: 2 of 10 custom activity types after apply (1 unmanaged).
        API calls: 2 to read, 0 to apply.

      No changes. The instance matches the code.
      "
    `);
  });

  const lines: { name: string; plan: Plan; contains: string[] }[] = [
    {
      name: "+ for a create",
      plan: plans.firstDeploy,
      contains: ["  + newsletterSignup will be created", "  + webinarAttended will be created"],
    },
    {
      name: "~ for an update, + for an added field",
      plan: plans.safeChange,
      contains: [
        "  ~ webinarAttended will be updated\n",
        '      + description           = "Who attended"',
        '      + attributes.registered = "Registered (boolean)"',
      ],
    },
    {
      name: "before -> after with a risky tag for a rename",
      plan: plans.riskyRename,
      contains: [
        "  ~ webinarAttended will be updated [risky]",
        '      ~ name = "Webinar Attended" -> "Webinar Joined"  # risky: Marketo may reject renaming a published type that is in use',
      ],
    },
    {
      name: "- for a removed field, with the destructive tag and the way to allow it",
      plan: plans.destructiveChange,
      contains: [
        "  ~ webinarAttended will be updated [destructive]",
        '      - attributes.platform = "Platform (string)" -> (removed)  # destructive: deletes the attribute; Marketo also removes it from smart list filters',
        "      ! destructive changes are not allowed: set allowDestructiveChanges: true on the type, or pass --allow-destructive",
      ],
    },
    {
      name: "- for a tombstone delete",
      plan: plans.tombstone,
      contains: ["  - oldSignup will be deleted [destructive]", '      - type = "oldSignup" -> (removed)'],
    },
    {
      name: "^ for approving a draft of ours",
      plan: plans.approveOnly,
      contains: [
        "  ^ webinarAttended will be approved (publishes a draft)",
        "      note: publishes the draft, which matches the code (left by an earlier apply, or made in Marketo Admin)",
        "Plan: 1 to approve.",
      ],
    },
    {
      name: "the conflict line for a foreign draft",
      plan: plans.foreignDraft,
      contains: [
        '      ! conflict: the draft in Marketo has edits that are neither live nor in your code (name = "Webinar Visited")',
      ],
    },
    {
      name: "unmanaged types with their status",
      plan: plans.firstDeploy,
      contains: ["  Unmanaged (in Marketo, not in code; never touched): legacyDownload (approved)"],
    },
    {
      name: "the limit and that apply refuses when over it",
      plan: plans.overLimit,
      contains: [
        "  Limit: 3 of 2 custom activity types after apply (1 unmanaged). Over the limit: apply refuses.",
      ],
    },
    {
      name: "the calls used",
      plan: plans.safeChange,
      contains: ["  API calls: 2 to read, 3 to apply."],
    },
    {
      name: "the instance and where its credentials come from, never the credentials",
      plan: plans.noChanges,
      contains: [`Marketo instance "prod" (${ENDPOINT}, credentials from MARKETO_*)`],
    },
  ];

  it.each(lines)("shows $name", (row) => {
    const out = text(row.plan);
    for (const line of row.contains) expect(out).toContain(line);
  });

  it("tags no risk on safe changes and on up-to-date types", () => {
    expect(text(plans.safeChange)).not.toMatch(/\[(safe|risky|destructive)\]|# (safe|risky|destructive)/);
    expect(text(plans.noChanges)).not.toContain("[");
  });

  it("says No changes only when nothing changes", () => {
    for (const [name, plan] of Object.entries(plans)) {
      const out = text(plan);
      const empty = plan.types.every((t) => t.action === "noop");
      expect(out.includes("No changes. The instance matches the code."), name).toBe(empty);
      expect(out.endsWith(empty ? "No changes. The instance matches the code.\n" : ".\n"), name).toBe(true);
    }
  });

  it("sums up several instances in one headline", () => {
    const dev = diff(
      manifest({ types: [define()], instance: { id: "dev", envPrefix: "MARKETO_DEV" } }),
      liveState([]),
      {
        endpoint: "https://999-XYZ-999.mktorest.com",
      },
    );
    const out = renderText([plans.safeChange, dev]);
    expect(out).toContain('Marketo instance "prod"');
    expect(out).toContain(
      'Marketo instance "dev" (https://999-XYZ-999.mktorest.com, credentials from MARKETO_DEV_*)',
    );
    expect(out.trimEnd().split("\n").at(-1)).toBe("Plan: 1 to create, 1 to update.");
  });

  it("contains no ANSI escapes with NO_COLORS (the default)", () => {
    for (const plan of Object.values(plans)) {
      expect(renderText([plan], NO_COLORS)).not.toContain(ESC);
      expect(renderText([plan])).toBe(renderText([plan], NO_COLORS));
    }
  });

  it("colours by meaning when colours are on: green create, yellow update, red delete and destructive, dim noop", () => {
    const tag =
      (name: string) =>
      (s: string): string =>
        `<${name}>${s}</${name}>`;
    const tags: Colors = {
      green: tag("green"),
      yellow: tag("yellow"),
      red: tag("red"),
      cyan: tag("cyan"),
      bold: tag("bold"),
      dim: tag("dim"),
    };
    expect(renderText([plans.firstDeploy], tags)).toContain(
      "<green>  + webinarAttended will be created</green>",
    );
    expect(renderText([plans.tombstone], tags)).toContain(
      "<red>  - oldSignup will be deleted [destructive]</red>",
    );
    expect(renderText([plans.noChanges], tags)).toContain("<dim>    webinarAttended is up to date</dim>");
    expect(renderText([plans.noChanges], tags)).toContain(
      "<bold>No changes. The instance matches the code.</bold>",
    );
    const destructive = renderText([plans.destructiveChange], tags);
    expect(destructive).toContain("<yellow>  ~ webinarAttended will be updated [destructive]</yellow>");
    expect(destructive).toContain("      <red>-</red> attributes.platform");
    expect(destructive).toContain("<red>  # destructive: deletes the attribute");
    expect(renderText([plans.riskyRename], tags)).toContain("<yellow>  # risky: ");
    expect(renderText([plans.overLimit], tags)).toContain("Over the limit: apply refuses.</red>");
    // With a real ANSI palette the escapes are there: the NO_COLORS check above can fail.
    const ansi: Colors = { ...tags, green: (s) => `${ESC}[32m${s}${ESC}[39m` };
    expect(renderText([plans.firstDeploy], ansi)).toContain(ESC);
  });
});

const tableHeader = "| Type | Action | Risk |";
const withoutRawJson = (md: string) => md.slice(0, md.indexOf("<details><summary>Raw plan (JSON)"));
const rawJson = (md: string): unknown => {
  const start = md.indexOf("```json\n");
  const end = md.indexOf("\n```", start + 8);
  expect(start, "raw JSON block").toBeGreaterThan(-1);
  return JSON.parse(md.slice(start + 8, end));
};

describe("renderMarkdown", () => {
  it("renders a destructive change for a pull request comment", () => {
    expect(withoutRawJson(renderMarkdown([plans.destructiveChange]))).toMatchInlineSnapshot(`
      "### Marketo activity types: Plan: 1 to update.

      **Needs attention**

      - 🛑 **prod / webinarAttended**: destructive change (\`attributes.platform\`) not allowed. Apply will refuse. If it is intended, set \`allowDestructiveChanges: true\` on the type in this pull request.

      #### Instance \`prod\` (https://123-ABC-456.mktorest.com)

      | Type | Action | Risk | Changes |
      | --- | --- | --- | --- |
      | \`webinarAttended\` | ✏️ update | 🛑 destructive | 1 |

      <details open><summary><code>webinarAttended</code>: ✏️ update, 1 field</summary>

      | Field | Before | After | Risk |
      | --- | --- | --- | --- |
      | \`attributes.platform\` | \`Platform (string)\` | _(none)_ | 🛑 destructive: deletes the attribute; Marketo also removes it from smart list filters |

      </details>

      **Limit:** 1 of 10 custom activity types after apply. **API calls:** 2 to read, 2 to apply.

      <details><summary>API calls apply will make (raw)</summary>

      \`\`\`json
      {
        "instance": "prod",
        "fingerprint": "6ec0a4176ced2c35c9238b409d0463f4e4da2950a93d4830a071aaae4f63298b",
        "steps": {
          "webinarAttended": [
            {
              "op": "deleteAttributes",
              "apiNames": [
                "platform"
              ]
            },
            {
              "op": "approve"
            }
          ]
        }
      }
      \`\`\`

      </details>"
    `);
  });

  it("renders no changes", () => {
    expect(withoutRawJson(renderMarkdown([plans.noChanges]))).toMatchInlineSnapshot(`
      "### Marketo activity types: No changes. The instance matches the code.

      #### Instance \`prod\` (https://123-ABC-456.mktorest.com)

      No changes: 2 declared types match the instance.

      **Unmanaged types** (in Marketo, not in code; never touched): \`legacyDownload\` (approved)

      **Limit:** 2 of 10 custom activity types after apply. **API calls:** 2 to read, 0 to apply."
    `);
  });

  const headlines: [keyof typeof plans, string][] = [
    ["firstDeploy", "### Marketo activity types: Plan: 2 to create."],
    ["safeChange", "### Marketo activity types: Plan: 1 to update."],
    ["approveOnly", "### Marketo activity types: Plan: 1 to approve."],
    ["tombstone", "### Marketo activity types: Plan: 1 to delete."],
    ["noChanges", "### Marketo activity types: No changes. The instance matches the code."],
  ];
  it.each(headlines)("starts %s with its headline", (key, headline) => {
    expect(renderMarkdown([plans[key]]).split("\n")[0]).toBe(headline);
  });

  it("has a Type / Action / Risk table when something changes, and none otherwise", () => {
    const md = renderMarkdown([plans.safeChange]);
    expect(md).toContain(`${tableHeader} Changes |`);
    expect(md).toContain("| `webinarAttended` | ✏️ update | safe | 2 |");
    expect(renderMarkdown([plans.noChanges])).not.toContain(tableHeader);
    expect(renderMarkdown([plans.noChanges])).toContain("No changes: 2 declared types match the instance.");
  });

  const attention: { name: string; plan: Plan; item: string }[] = [
    {
      name: "a destructive change that is not allowed",
      plan: plans.destructiveChange,
      item: "- 🛑 **prod / webinarAttended**: destructive change (`attributes.platform`) not allowed. Apply will refuse. If it is intended, set `allowDestructiveChanges: true` on the type in this pull request.",
    },
    {
      name: "an allowed destructive change",
      plan: plans.allowedDestructive,
      item: "- 🛑 **prod / webinarAttended**: destructive change (allowed by the definition). Activity history may be lost; review carefully.",
    },
    {
      name: "a tombstone delete",
      plan: plans.tombstone,
      item: "- 🛑 **prod / oldSignup**: destructive change (deletes the type). Activity history may be lost; review carefully.",
    },
    {
      name: "a foreign draft",
      plan: plans.foreignDraft,
      item: '- ⚠️ **prod / webinarAttended**: the draft in Marketo has edits that are neither live nor in your code (name = "Webinar Visited")',
    },
    {
      name: "the limit",
      plan: plans.overLimit,
      item: "- 🛑 **prod**: 3 types after apply, over the limit of 2. Apply will refuse.",
    },
  ];

  it.each(attention)("puts $name under Needs attention, before the table", (row) => {
    const md = renderMarkdown([row.plan]);
    const needs = md.indexOf("**Needs attention**");
    expect(needs).toBeGreaterThan(0);
    expect(md).toContain(row.item);
    expect(md.indexOf(row.item)).toBeGreaterThan(needs);
    expect(needs).toBeLessThan(md.indexOf(tableHeader));
  });

  it.each(["firstDeploy", "safeChange", "riskyRename", "approveOnly", "noChanges"] as const)(
    "has no Needs attention section for %s",
    (key) => {
      expect(renderMarkdown([plans[key]])).not.toContain("Needs attention");
    },
  );

  it("opens the details of risky and destructive types, and keeps safe ones collapsed", () => {
    expect(renderMarkdown([plans.safeChange])).toContain(
      "<details><summary><code>webinarAttended</code>: ✏️ update, 2 fields</summary>",
    );
    expect(renderMarkdown([plans.riskyRename])).toContain(
      "<details open><summary><code>webinarAttended</code>: ✏️ update, 1 field</summary>",
    );
  });

  it("shows field changes as a before / after table", () => {
    expect(renderMarkdown([plans.riskyRename])).toContain(
      "| `name` | `Webinar Attended` | `Webinar Joined` | ⚠️ risky: Marketo may reject renaming a published type that is in use |",
    );
    expect(renderMarkdown([plans.safeChange])).toContain("| `description` | _(none)_ | `Who attended` |  |");
  });

  it("escapes pipes and backticks in values so the table stays a table", () => {
    const plan = against(define({ description: "A | B `c`" }), define());
    expect(renderMarkdown([plan])).toContain("| `description` | _(none)_ | `A \\| B 'c'` |  |");
  });

  it("lists unmanaged types, the limit and the calls", () => {
    const md = renderMarkdown([plans.firstDeploy]);
    expect(md).toContain(
      "**Unmanaged types** (in Marketo, not in code; never touched): `legacyDownload` (approved)",
    );
    expect(md).toContain(
      "**Limit:** 3 of 10 custom activity types after apply. **API calls:** 1 to read, 5 to apply.",
    );
  });

  it.each(Object.keys(plans) as (keyof typeof plans)[])(
    "ends %s with the API calls apply will make in a collapsed section",
    (key) => {
      const plan = plans[key];
      const md = renderMarkdown([plan]);
      if (plan.types.every((t) => t.steps.length === 0)) {
        expect(md).not.toContain("API calls apply will make");
        return;
      }
      expect(md).toContain("<details><summary>API calls apply will make (raw)</summary>");
      expect(rawJson(md)).toStrictEqual({
        instance: plan.instance.id,
        fingerprint: plan.fingerprint,
        steps: Object.fromEntries(
          plan.types.filter((t) => t.steps.length > 0).map((t) => [t.apiName, t.steps.map(stepToWire)]),
        ),
      });
    },
  );
});

/** A plan as `plan --out` saves it; its digest and state are checked in replan.test.ts, not here. */
const saved = (plan: Plan, state: LiveState = liveState([])): SavedPlan => ({
  plan,
  manifestDigest: "d".repeat(64),
  state,
});

/** A plan as the file holds it: every step under its `op` name, with what it was made from. */
const onWire = (plan: Plan) => ({
  ...plan,
  formatVersion: 2,
  manifestDigest: "d".repeat(64),
  state: liveState([]),
  types: plan.types.map((t) => ({ ...t, steps: t.steps.map(stepToWire) })),
});

describe("serializePlans", () => {
  it.each(Object.keys(plans) as (keyof typeof plans)[])("parses %s back to the plan", (key) => {
    const json = serializePlans([saved(plans[key])]);
    expect(json.endsWith("}\n")).toBe(true);
    expect(JSON.parse(json)).toStrictEqual(onWire(plans[key]));
  });

  it("names each step by its format-version-1 op, not by the client operation (docs/plan-format.md)", () => {
    const steps = (plan: Plan) =>
      (
        JSON.parse(serializePlans([saved(plan)])) as {
          types: { apiName: string; steps: Record<string, unknown>[] }[];
        }
      ).types.flatMap((t) => t.steps.map((step) => `${t.apiName}: ${step["op"]} ${Object.keys(step)}`));
    expect(steps(plans.firstDeploy)).toStrictEqual([
      "newsletterSignup: createType op,request",
      "newsletterSignup: approve op",
      "webinarAttended: createType op,request",
      "webinarAttended: createAttributes attributes,op",
      "webinarAttended: approve op",
    ]);
    expect(steps(plans.foreignDraft)).toStrictEqual(["webinarAttended: discardDraft op"]);
    expect(steps(plans.tombstone)).toStrictEqual(["oldSignup: deleteType op"]);
    expect(steps(plans.destructiveChange)).toStrictEqual([
      "webinarAttended: deleteAttributes apiNames,op",
      "webinarAttended: approve op",
    ]);
  });

  it("refuses a plan file whose step names an op this format does not have", () => {
    const json = JSON.parse(serializePlans([saved(plans.firstDeploy)])) as {
      types: { steps: { op: string }[] }[];
    };
    json.types[0]!.steps[0]!.op = "createCustomActivityType";
    expect(() => parsePlans(json, "plan.json")).toThrow("plan.json is not a plan written by this version");
  });

  it.each(Object.keys(plans) as (keyof typeof plans)[])("is read back unchanged by parsePlans: %s", (key) => {
    expect(parsePlans(JSON.parse(serializePlans([saved(plans[key])])), "plan.json")).toStrictEqual([
      saved(plans[key]),
    ]);
  });

  it("is read back unchanged by parsePlans for several instances", () => {
    const several = [plans.safeChange, plans.foreignDraft, plans.tombstone].map((plan) => saved(plan));
    expect(parsePlans(JSON.parse(serializePlans(several)), "plan.json")).toStrictEqual(several);
  });

  it("wraps several plans as { formatVersion, plans }", () => {
    const json = serializePlans([saved(plans.safeChange), saved(plans.firstDeploy)]);
    expect(JSON.parse(json)).toStrictEqual({
      formatVersion: 2,
      plans: [onWire(plans.safeChange), onWire(plans.firstDeploy)],
    });
  });

  it("writes sorted keys, so the same plan always gives the same bytes", () => {
    const json = serializePlans([saved(plans.destructiveChange)]);
    const parsed = JSON.parse(json) as Record<string, unknown>;
    expect(Object.keys(parsed)).toStrictEqual(Object.keys(parsed).sort());
    const type = (parsed["types"] as Record<string, unknown>[])[0]!;
    expect(Object.keys(type)).toStrictEqual(Object.keys(type).sort());
    // The same instance read in another order renders to the same bytes.
    const state = liveState([approved(define())], [listedOnly("b"), listedOnly("a"), listedOnly("c")]);
    const m = manifest({ types: [define({ attributes: [minutesWatched] })] });
    const again = { ...state, listed: shuffled(state.listed, 9) };
    expect(serializePlans([saved(diff(m, again, { endpoint: ENDPOINT }), again)])).toBe(
      serializePlans([saved(diff(m, state, { endpoint: ENDPOINT }), state)]),
    );
  });

  it("contains the endpoint but no credential", () => {
    const json = serializePlans([saved(plans.firstDeploy)]);
    expect(json).toContain(ENDPOINT);
    expect(json).not.toMatch(/secret|client_?id|access_token/i);
  });
});

describe("summarize", () => {
  it("counts actions, risks, conflicts, limits and calls across plans", () => {
    expect(
      summarize([
        plans.firstDeploy,
        plans.destructiveChange,
        plans.foreignDraft,
        plans.tombstone,
        plans.overLimit,
        plans.noChanges,
      ]),
    ).toStrictEqual({
      create: 4,
      update: 2,
      approve: 0,
      delete: 1,
      unchanged: 2,
      destructive: 2,
      blocked: 1,
      conflicts: 1,
      changes: 7,
      readCalls: 1 + 2 + 3 + 1 + 1 + 2,
      applyCalls: 5 + 2 + 1 + 1 + 4 + 0,
      limitsExceeded: 1,
    });
  });
});

describe("renderMarkdown golden files (what a reviewer reads in the pull request)", () => {
  const golden = {
    "first-deploy": [plans.firstDeploy],
    "safe-change": [plans.safeChange],
    "destructive-change": [plans.destructiveChange],
    "foreign-draft": [plans.foreignDraft],
    "no-changes": [plans.noChanges],
    "two-instances": [
      plans.safeChange,
      { ...plans.tombstone, instance: { ...plans.tombstone.instance, id: "sandbox" } },
    ],
  } as const;
  it.each(Object.keys(golden) as (keyof typeof golden)[])("matches golden/%s.md", async (name) => {
    await expect(renderMarkdown(golden[name])).toMatchFileSnapshot(`golden/${name}.md`);
  });
});
