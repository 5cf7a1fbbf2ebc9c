/**
 * The one place the CLI turns what commands report into text: the plan as text (terminal), Markdown
 * (pull-request comment) or JSON, apply's progress and outcome (in JSON, one result document:
 * docs/apply-result.md), the synth check, retries and errors. It also decides where each goes: in
 * Markdown and JSON, stdout holds the plan (or apply's result) alone; everything else goes to stderr.
 */
import { createColors } from "picocolors";
import type { MarketoClientEvent } from "../marketo/index.js";
import {
  type ApplyEvent,
  type Colors,
  type MessageContext,
  NO_COLORS,
  renderMarkdown,
  renderText,
  serializePlans,
  type TypeResult,
} from "../reconcile/index.js";
import type { SavedPlan } from "../reconcile/plan-file.js";
import { isUserError, PROVISIONER_ENV, stableStringify } from "../schema/index.js";
import type { CliIO } from "./io.js";
import {
  APPLY_OUTCOMES,
  APPLY_RESULT_FORMAT_VERSION,
  type ApplyResultDocument,
  type Report,
  type Reporter,
  type ResultError,
} from "./report.js";
import { type CheckedManifest, formatSynthTime, STALE_FIX, staleOnes, staleSentence } from "./synth-check.js";

/** The output formats of plan and apply. */
type Format = "text" | "markdown" | "json";

/** Colours for text output: on a terminal, unless NO_COLOR is set or --no-color given. */
function colorsFor(io: CliIO, wanted: boolean): Colors {
  const enabled = wanted && io.isTTY && io.env["NO_COLOR"] === undefined && io.env["TERM"] !== "dumb";
  if (!enabled) return NO_COLORS;
  const c = createColors(true);
  return { green: c.green, yellow: c.yellow, red: c.red, cyan: c.cyan, bold: c.bold, dim: c.dim };
}

/** `provisioner` inside a cdktf provisioner (messages then offer code changes, never flags), else `cli`. */
export function messageContext(io: CliIO): MessageContext {
  const value = io.env[PROVISIONER_ENV];
  return value === "1" || value === "true" ? "provisioner" : "cli";
}

/** `250 ms`, `1.5 s`. */
function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1).replace(/\.0$/, "")} s`;
}

/**
 * The stderr line for a client event the user should see as it happens (retries, waits for a busy
 * instance, and long waits for the client's own rate limit), or undefined:
 * `instance "prod": listCustomActivityTypes: Marketo answered 604 Request time-out (attempt 1 of 6); retrying in 250 ms`,
 * `instance "prod": Marketo is busy (606 Max rate limit ...): waiting 7.3 s before retrying createCustomActivityType (attempt 3; giving up in 95 s)`.
 */
function clientEventLine(instanceId: string, event: MarketoClientEvent): string | undefined {
  // The client's own rate limit holding a call back a second or more: say so, or the run looks stuck.
  if (event.type === "limiterWait" && event.waitMs >= 1000) {
    return `instance "${instanceId}": this run has used its calls for the last 20 s: waiting ${duration(event.waitMs)} before ${event.operation}\n`;
  }
  if (event.type !== "retry") return undefined;
  const what = event.operation === "identity" ? "authentication (identity)" : event.operation;
  if (event.limit !== undefined) {
    const giveUp =
      event.giveUpInMs === undefined ? "" : `; giving up in ${Math.ceil(event.giveUpInMs / 1000)} s`;
    return `instance "${instanceId}": Marketo is busy (${event.reason}): waiting ${duration(event.delayMs)} before retrying ${what} (attempt ${event.attempt + 1}${giveUp})\n`;
  }
  const failure = event.network ?? `Marketo answered ${event.reason}`;
  return `instance "${instanceId}": ${what}: ${failure} (attempt ${event.attempt} of ${event.maxAttempts}); retrying in ${duration(event.delayMs)}\n`;
}

/** One line per manifest: when it was synthesized, or why that is not known. */
function provenanceLines(checked: readonly CheckedManifest[]): string {
  return checked
    .map(({ found, check }) => {
      if (check.status === "unknown" && check.synthesizedAt === undefined) {
        return `Manifest ${found.path}: synthesis time unknown (${check.reason}); not checked against the app's code\n`;
      }
      const at = `Manifest ${found.path}, synthesized ${formatSynthTime(check.synthesizedAt ?? "")}`;
      return check.status === "unknown"
        ? `${at} (not checked against the app's code: ${check.reason})\n`
        : `${at}\n`;
    })
    .join("");
}

/** The text warning for stale manifests before a plan, or "" when none is stale. */
function staleWarning(checked: readonly CheckedManifest[]): string {
  const stale = staleOnes(checked);
  if (stale.length === 0) return "";
  return (
    `Warning: ${staleSentence(stale)}.\n` +
    `  The plan below is the code as it was then, not as it is now. To fix: ${STALE_FIX} and plan again.\n`
  );
}

/** The stale warning as a Markdown block for a pull-request comment, or "" when none is stale. */
function staleMarkdown(checked: readonly CheckedManifest[]): string {
  const stale = staleOnes(checked);
  if (stale.length === 0) return "";
  return (
    `> [!WARNING]\n` +
    `> **Stale synth:** ${staleSentence(stale, (s) => `\`${s}\``)}. This plan shows the code as it was then. To fix: ${STALE_FIX} and plan again.\n\n`
  );
}

const PAST: Record<TypeResult["action"], string> = {
  create: "created",
  update: "updated",
  approve: "approved",
  delete: "deleted",
  noop: "unchanged",
};

const ING: Record<TypeResult["action"], string> = {
  create: "creating",
  update: "updating",
  approve: "approving",
  delete: "deleting",
  noop: "checking",
};

/**
 * One line when a type starts and one when it ends; per-call events stay with API users. A failure's
 * message and hint are given once, in apply's outcome ("Apply stopped ...", then `Hint (<apiName>):`),
 * which follows when the other types have finished: the progress line only says that it failed.
 */
function progressLine(event: ApplyEvent): string | undefined {
  switch (event.kind) {
    case "start":
      return `${event.apiName}: ${ING[event.action]} (${event.steps} ${event.steps === 1 ? "call" : "calls"})...`;
    case "step":
      return undefined;
    case "done":
      return `${event.apiName}: ${PAST[event.action]}`;
    case "failed":
      return `${event.apiName}: failed (the reason and the hint follow below)`;
  }
}

/** An error as the apply result holds it: code, message and hint, and what a program may branch on. */
function resultError(error: unknown): ResultError {
  if (!isUserError(error)) {
    return { code: "Internal", message: error instanceof Error ? error.message : String(error) };
  }
  const { retryable, requestId } = error as { retryable?: unknown; requestId?: unknown };
  return {
    code: error.code,
    message: error.message,
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    ...(typeof retryable === "boolean" ? { retryable } : {}),
    ...(typeof requestId === "string" ? { requestId } : {}),
  };
}

/** The JSON document of `apply --format json` (docs/apply-result.md), from apply's last report. */
function applyResultDocument(report: Extract<Report, { kind: "applyOutcome" }>): ApplyResultDocument {
  const planOf = (instance: string) => report.plans.find((p) => p.plan.instance.id === instance)?.plan;
  const results = report.runs.map((run): ApplyResultDocument["results"][number] => {
    if (!run.started) {
      return {
        instance: run.instance,
        outcome: "not started",
        calls: 0,
        reads: 0,
        types: (planOf(run.instance)?.types ?? []).map((type) => ({
          apiName: type.apiName,
          action: type.action,
          outcome: type.steps.length === 0 ? "unchanged" : "not started",
          steps: type.steps.length,
          stepsDone: 0,
          calls: 0,
        })),
      };
    }
    const { result, callsByType } = run;
    const plan = planOf(result.instance);
    return {
      instance: result.instance,
      outcome: result.ok ? "applied" : "failed",
      calls: result.calls,
      reads: result.reads,
      types: result.types.map((type) => ({
        apiName: type.apiName,
        action: type.action,
        outcome: type.outcome,
        steps: plan?.types.find((t) => t.apiName === type.apiName)?.steps.length ?? 0,
        stepsDone: type.stepsDone,
        calls: callsByType.get(type.apiName) ?? 0,
        ...(type.error === undefined ? {} : { error: resultError(type.error) }),
      })),
    };
  });
  const types = results.flatMap((r) => r.types);
  const counted = (outcome: TypeResult["outcome"]) => types.filter((t) => t.outcome === outcome).length;
  const { exitCode, meaning } = APPLY_OUTCOMES[report.outcome];
  return {
    formatVersion: APPLY_RESULT_FORMAT_VERSION,
    outcome: report.outcome,
    exitCode,
    meaning,
    // Each plan exactly as the plan file holds it (docs/plan-format.md).
    plans: report.plans.map((saved: SavedPlan) => JSON.parse(serializePlans([saved])) as unknown),
    results,
    totals: {
      calls: report.readCalls + results.reduce((n, r) => n + r.calls, 0),
      readCalls: report.readCalls,
      types: {
        applied: counted("applied"),
        unchanged: counted("unchanged"),
        failed: counted("failed"),
        notStarted: counted("not started"),
      },
    },
    ...(report.error === undefined ? {} : { error: resultError(report.error) }),
  };
}

/** The text of one report, and whether it goes to stdout. */
function render(
  report: Report,
  options: { readonly format: Format; readonly colors: Colors; readonly context: MessageContext },
): { readonly text: string; readonly stdout: boolean } {
  // Apply's status lines follow a text plan on stdout; after Markdown or JSON they go to stderr.
  const status = (text: string) => ({ text, stdout: options.format === "text" });
  const stderr = (text: string) => ({ text, stdout: false });
  const stdout = (text: string) => ({ text, stdout: true });
  switch (report.kind) {
    case "manifests":
      return stderr(provenanceLines(report.checked) + staleWarning(report.checked));
    case "staleApplied":
      return stderr(
        report.stale.length === 0
          ? ""
          : `Warning: ${staleSentence(report.stale)}. Applying the synthesized manifest as cdktf deploy wrote it.\n`,
      );
    case "client":
      return stderr(clientEventLine(report.instance, report.event) ?? "");
    case "plans": {
      // Apply's JSON result holds its plans (applyOutcome): stdout holds that one document.
      if (options.format === "json")
        return report.applying === true ? stdout("") : stdout(serializePlans(report.plans));
      const plans = report.plans.map((saved) => saved.plan);
      if (options.format === "markdown") {
        const stale = report.checked === undefined ? "" : staleMarkdown(report.checked);
        return stdout(stale + renderMarkdown(plans, { context: options.context }));
      }
      return stdout(renderText(plans, options.colors, { context: options.context }));
    }
    case "planSaved":
      return stderr(
        `Plan saved to ${report.file}. Apply exactly this plan with: marketo-activities apply ${report.file}\n`,
      );
    case "wouldRefuse":
      return stderr(`Apply would refuse this plan:\n${report.reasons.map((r) => `  - ${r}`).join("\n")}\n`);
    case "nothingToApply":
      return status(`Nothing to apply. API calls used: ${report.readCalls}.\n`);
    case "cancelled":
      return stderr("Apply cancelled; nothing was changed.\n");
    case "progress": {
      const line = progressLine(report.event);
      return status(line === undefined ? "" : `  ${line}\n`);
    }
    case "applied": {
      const { instance, types } = report.result;
      const failed = types.filter((t) => t.outcome === "failed" || t.outcome === "not started");
      if (failed.length === 0) {
        const done = types
          .filter((t) => t.outcome === "applied")
          .map((t) => `${t.apiName} ${PAST[t.action]}`);
        return status(`Apply complete for instance "${instance}": ${done.join(", ") || "nothing to do"}.\n`);
      }
      // "Run apply again" is said only where it helps: after a failure that may pass on a later try
      // (a busy or unreachable instance); a failure with a hint says what to do instead.
      const hints = failed.flatMap((t) =>
        isUserError(t.error) && t.error.hint !== undefined ? [`Hint (${t.apiName}): ${t.error.hint}\n`] : [],
      );
      const transient = failed.some(
        (t) => t.error !== undefined && "retryable" in t.error && t.error.retryable === true,
      );
      return status(
        `Apply stopped for instance "${instance}": ${failed.map((t) => `${t.apiName} ${t.outcome}${t.error ? ` (${t.error.message})` : ""}`).join("; ")}.\n` +
          hints.join("") +
          (transient
            ? "Anything already written stays as a draft that the next apply recognises; run apply again to finish once Marketo answers.\n"
            : "Anything already written stays as a draft that the next apply recognises.\n"),
      );
    }
    case "notStarted":
      return status(`Not started for instance "${report.instance}": an earlier instance failed.\n`);
    case "callsUsed":
      return status(`API calls used: ${report.total} (${report.read} to read).\n`);
    case "applyOutcome":
      // Text and Markdown said it all as it happened; JSON is one document, once apply is over.
      return options.format === "json"
        ? stdout(`${stableStringify(applyResultDocument(report), 2)}\n`)
        : stdout("");
    case "jsonSchema":
      return stdout(`${JSON.stringify(report.schema, null, 2)}\n`);
    case "validated": {
      const { path, manifest } = report.found;
      const types = manifest.types.length;
      return stdout(
        `${path}: valid. Instance "${manifest.instance.id}" (${manifest.instance.envPrefix}_*): ${types} ${types === 1 ? "type" : "types"}, ${manifest.retired.length} retired, limit ${manifest.instance.maxActivityTypes}.\n`,
      );
    }
  }
}

/** A reporter that writes each report to `io` in `format`. */
export function reporter(
  io: CliIO,
  options: { readonly format?: Format; readonly color?: boolean } = {},
): Reporter {
  const settings = {
    format: options.format ?? "text",
    colors: colorsFor(io, options.color ?? true),
    context: messageContext(io),
  };
  return (report) => {
    const { text, stdout } = render(report, settings);
    if (text === "") return;
    if (stdout) io.stdout(text);
    else io.stderr(text);
  };
}

/** What the CLI prints for an error that ended a command: a message and a hint, or a bug report. */
export function errorText(error: unknown, version: string): string {
  if (isUserError(error)) {
    return `Error: ${error.message}\n${error.hint === undefined ? "" : `Hint: ${error.hint}\n`}`;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return `Internal error: this is a bug in marketo-activities ${version}. Please report it with this output.\n${detail}\n`;
}
