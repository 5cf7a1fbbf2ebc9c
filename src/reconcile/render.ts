import { type FieldChange, type Plan, stepToWire, type TypePlan } from "./plan.js";
import { conflictText, destructiveRemedy, type MessageContext } from "./remedies.js";

/** Colour functions; the CLI passes picocolors, or identity functions when colour is off. */
export interface Colors {
  readonly green: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly red: (s: string) => string;
  readonly cyan: (s: string) => string;
  readonly bold: (s: string) => string;
  readonly dim: (s: string) => string;
}

const same = (s: string) => s;
/** No colour. */
export const NO_COLORS: Colors = { green: same, yellow: same, red: same, cyan: same, bold: same, dim: same };

const SYMBOL: Record<TypePlan["action"], string> = {
  create: "+",
  update: "~",
  approve: "^",
  delete: "-",
  noop: " ",
};
const VERB: Record<TypePlan["action"], string> = {
  create: "will be created",
  update: "will be updated",
  approve: "will be approved (publishes a draft)",
  delete: "will be deleted",
  noop: "is up to date",
};

/** Counts of a plan, for headlines and exit codes. */
export function summarize(plans: readonly Plan[]) {
  const types = plans.flatMap((p) => p.types);
  const count = (action: TypePlan["action"]) => types.filter((t) => t.action === action).length;
  return {
    create: count("create"),
    update: count("update"),
    approve: count("approve"),
    delete: count("delete"),
    unchanged: count("noop"),
    destructive: types.filter((t) => t.risk === "destructive" && t.action !== "noop").length,
    blocked: types.filter((t) => t.destructiveNotAllowed === true || t.forbidden !== undefined).length,
    conflicts: types.filter((t) => t.conflict !== undefined).length,
    changes: types.filter((t) => t.action !== "noop").length,
    readCalls: plans.reduce((n, p) => n + p.calls.read, 0),
    applyCalls: plans.reduce((n, p) => n + p.calls.apply, 0),
    limitsExceeded: plans.filter((p) => !p.limits.ok).length,
  };
}

function headline(plans: readonly Plan[]): string {
  const s = summarize(plans);
  if (s.changes === 0)
    return `No changes. ${plans.length === 1 ? "The instance matches" : "The instances match"} the code.`;
  const parts = [
    s.create > 0 ? `${s.create} to create` : "",
    s.update > 0 ? `${s.update} to update` : "",
    s.approve > 0 ? `${s.approve} to approve` : "",
    s.delete > 0 ? `${s.delete} to delete` : "",
  ].filter(Boolean);
  return `Plan: ${parts.join(", ")}.`;
}

const quote = (value: string | undefined) => (value === undefined ? "(none)" : JSON.stringify(value));

/** `path = value`, `path = before -> (removed)`, `path: before -> after`; paths padded to `width`. */
function changeLine(change: FieldChange, width: number): string {
  const path = change.path.padEnd(width);
  if (change.kind === "add") return `${path} = ${quote(change.after)}`;
  if (change.kind === "remove") return `${path} = ${quote(change.before)} -> (removed)`;
  return `${path} = ${quote(change.before)} -> ${quote(change.after)}`;
}

function instanceLabel(plan: Plan): string {
  return `instance "${plan.instance.id}" (${plan.instance.endpoint}, credentials from ${plan.instance.envPrefix}_*)`;
}

/** Terraform-like text: `+ create`, `~ update`, `- delete`, per field `before -> after`. */
export function renderText(
  plans: readonly Plan[],
  c: Colors = NO_COLORS,
  options: { readonly context?: MessageContext } = {},
): string {
  const lines: string[] = [];
  for (const plan of plans) {
    lines.push(c.bold(`Marketo ${instanceLabel(plan)}`), "");
    for (const type of plan.types) {
      const color =
        type.action === "create"
          ? c.green
          : type.action === "delete"
            ? c.red
            : type.action === "noop"
              ? c.dim
              : c.yellow;
      const risk = type.action !== "noop" && type.risk !== "safe" ? ` [${type.risk}]` : "";
      lines.push(color(`  ${SYMBOL[type.action]} ${type.apiName} ${VERB[type.action]}${risk}`));
      const width = Math.max(0, ...type.changes.map((c) => c.path.length));
      for (const change of type.changes) {
        const mark =
          change.kind === "add" ? c.green("+") : change.kind === "remove" ? c.red("-") : c.yellow("~");
        const tag =
          change.risk === "safe"
            ? ""
            : (change.risk === "destructive" ? c.red : c.yellow)(
                `  # ${change.risk}${change.note ? `: ${change.note}` : ""}`,
              );
        lines.push(`      ${mark} ${changeLine(change, width)}${tag}`);
      }
      if (type.forbidden !== undefined)
        lines.push(c.red(`      ! not allowed by Marketo: ${type.forbidden}`));
      if (type.conflict !== undefined)
        lines.push(c.red(`      ! conflict: ${conflictText(type, options.context)}`));
      if (type.destructiveNotAllowed === true) {
        lines.push(
          c.red(
            options.context === "provisioner"
              ? `      ! destructive changes are not allowed: ${destructiveRemedy("provisioner")}`
              : "      ! destructive changes are not allowed: set allowDestructiveChanges: true on the type, or pass --allow-destructive",
          ),
        );
      }
      for (const note of type.notes) lines.push(c.dim(`      note: ${note}`));
    }
    if (plan.unmanaged.length > 0) {
      lines.push(
        "",
        `  Unmanaged (in Marketo, not in code; never touched): ${plan.unmanaged.map((u) => `${u.apiName} (${u.status})`).join(", ")}`,
      );
    }
    const limit = `  Limit: ${plan.limits.afterApply} of ${plan.limits.maxActivityTypes} custom activity types after apply (${plan.unmanaged.length} unmanaged).`;
    lines.push(plan.limits.ok ? limit : c.red(`${limit} Over the limit: apply refuses.`));
    lines.push(`  API calls: ${plan.calls.read} to read, ${plan.calls.apply} to apply.`, "");
  }
  lines.push(c.bold(headline(plans)));
  return `${lines.join("\n")}\n`;
}

const RISK_BADGE: Record<string, string> = { safe: "safe", risky: "⚠️ risky", destructive: "🛑 destructive" };
const ACTION_LABEL: Record<TypePlan["action"], string> = {
  create: "➕ create",
  update: "✏️ update",
  approve: "✅ approve draft",
  delete: "🗑️ delete",
  noop: "no change",
};
/** One line: a newline typed into a description would end a table row or a list item. */
const oneLine = (text: string) => text.replace(/\s*[\r\n]+\s*/g, " ");
const cell = (value: string | undefined) =>
  value === undefined ? "_(none)_" : `\`${oneLine(value).replace(/`/g, "'").replace(/\|/g, "\\|")}\``;

/**
 * Markdown for a pull-request comment: headline, what needs attention first, a table of type /
 * action / risk, per-type field changes, unmanaged types and limits, calls, and the raw plan in
 * a collapsed section.
 */
export function renderMarkdown(
  plans: readonly Plan[],
  options: { readonly context?: MessageContext } = {},
): string {
  const out: string[] = [`### Marketo activity types: ${headline(plans)}`, ""];
  const attention: string[] = [];
  for (const plan of plans) {
    for (const type of plan.types) {
      if (type.forbidden !== undefined) {
        attention.push(
          `🛑 **${plan.instance.id} / ${type.apiName}**: not allowed by Marketo: ${oneLine(type.forbidden)}. Apply will refuse.`,
        );
      }
      if (type.destructiveNotAllowed === true) {
        const paths = type.changes.filter((c) => c.risk === "destructive").map((c) => `\`${c.path}\``);
        attention.push(
          `🛑 **${plan.instance.id} / ${type.apiName}**: destructive change (${paths.join(", ")}) not allowed. Apply will refuse. If it is intended, set \`allowDestructiveChanges: true\` on the type in this pull request.`,
        );
      }
      if (type.conflict !== undefined) {
        attention.push(
          `⚠️ **${plan.instance.id} / ${type.apiName}**: ${options.context === "provisioner" ? oneLine(conflictText(type, "provisioner") ?? "") : oneLine(type.conflict).replace("--discard-foreign-drafts", "`--discard-foreign-drafts`")}. Apply will refuse until then.`,
        );
      }
      if (type.risk === "destructive" && type.destructiveNotAllowed !== true && type.action !== "noop") {
        attention.push(
          `🛑 **${plan.instance.id} / ${type.apiName}**: destructive change (${type.action === "delete" ? "deletes the type" : "allowed by the definition"}). Activity history may be lost; review carefully.`,
        );
      }
    }
    if (!plan.limits.ok) {
      attention.push(
        `🛑 **${plan.instance.id}**: ${plan.limits.afterApply} types after apply, over the limit of ${plan.limits.maxActivityTypes}. Apply will refuse.`,
      );
    }
  }
  if (attention.length > 0) out.push("**Needs attention**", "", ...attention.map((a) => `- ${a}`), "");

  for (const plan of plans) {
    out.push(`#### Instance \`${plan.instance.id}\` (${plan.instance.endpoint})`, "");
    const changed = plan.types.filter((t) => t.action !== "noop");
    if (changed.length === 0) {
      out.push(
        `No changes: ${plan.types.length} declared ${plan.types.length === 1 ? "type matches" : "types match"} the instance.`,
        "",
      );
    } else {
      out.push("| Type | Action | Risk | Changes |", "| --- | --- | --- | --- |");
      for (const type of plan.types) {
        out.push(
          `| \`${type.apiName}\` | ${ACTION_LABEL[type.action]} | ${type.action === "noop" ? "" : RISK_BADGE[type.risk]} | ${type.changes.length} |`,
        );
      }
      out.push("");
      for (const type of changed) {
        out.push(
          `<details${type.risk === "safe" ? "" : " open"}><summary><code>${type.apiName}</code>: ${ACTION_LABEL[type.action]}, ${type.changes.length} field${type.changes.length === 1 ? "" : "s"}</summary>`,
          "",
        );
        if (type.changes.length > 0) {
          out.push("| Field | Before | After | Risk |", "| --- | --- | --- | --- |");
          for (const change of type.changes) {
            out.push(
              `| \`${change.path}\` | ${cell(change.before)} | ${cell(change.after)} | ${change.risk === "safe" ? "" : `${RISK_BADGE[change.risk]}${change.note ? `: ${change.note}` : ""}`} |`,
            );
          }
          out.push("");
        }
        for (const note of type.notes) out.push(`_Note: ${note}._`, "");
        out.push("</details>", "");
      }
    }
    if (plan.unmanaged.length > 0) {
      out.push(
        `**Unmanaged types** (in Marketo, not in code; never touched): ${plan.unmanaged.map((u) => `\`${u.apiName}\` (${u.status})`).join(", ")}`,
        "",
      );
    }
    out.push(
      `**Limit:** ${plan.limits.afterApply} of ${plan.limits.maxActivityTypes} custom activity types after apply. **API calls:** ${plan.calls.read} to read, ${plan.calls.apply} to apply.`,
      "",
    );
  }
  out.push(...rawDetail(plans));
  return out.join("\n");
}

/** GitHub rejects comments over 65,536 characters; the raw detail gives way first. */
const RAW_DETAIL_LIMIT = 30_000;

/** The REST calls apply will make, per instance and type, in a collapsed section. */
function rawDetail(plans: readonly Plan[]): string[] {
  if (plans.every((plan) => plan.types.every((t) => t.steps.length === 0))) return [];
  const detail = plans.map((plan) => ({
    instance: plan.instance.id,
    fingerprint: plan.fingerprint,
    steps: Object.fromEntries(
      plan.types.filter((t) => t.steps.length > 0).map((t) => [t.apiName, t.steps.map(stepToWire)]),
    ),
  }));
  let json = JSON.stringify(plans.length === 1 ? detail[0] : detail, null, 2);
  if (json.length > RAW_DETAIL_LIMIT) {
    json = `${json.slice(0, RAW_DETAIL_LIMIT)}\n... (truncated: the whole plan is in the plan.json artifact)`;
  }
  return [
    "<details><summary>API calls apply will make (raw)</summary>",
    "",
    "```json",
    json,
    "```",
    "",
    "</details>",
    "",
  ];
}
