/**
 * `probe`: a short, self-cleaning experiment that settles the open questions of docs/marketo-api.md
 * section 8 against one instance (docs/probe.md). It creates one type under the `mkaProbe` marker,
 * asks each question of `QUESTIONS` with the calls of `STEPS`, and deletes what it made, also after
 * a stop; a later run deletes every `mkaProbe*` type it finds (and those its journal names).
 *
 * Every answer is read from the raw HTTP exchange (a recording `fetch`), not from the client's
 * parsed result: the questions are about the wire (a key absent or `null`, `result: []`).
 */
import { randomInt } from "node:crypto";
import type { FetchLike, MarketoClient, MarketoClientSettings } from "../marketo/index.js";
import { Redactor } from "../marketo/redactor.js";
import { MarketoActivitiesError } from "../schema/index.js";
import { BUDGET, QUESTIONS, type StepName, UNSETTLED } from "./questions.js";

/** The marker every probe type's apiName starts with. */
export const PROBE_PREFIX = "mkaProbe";

/** One request and its answer, redacted. */
export interface Evidence {
  readonly step: string;
  readonly request: string;
  readonly requestBody?: unknown;
  readonly httpStatus: number;
  readonly answer: unknown;
}

/** What the probe found for one option. */
export interface Finding {
  readonly option: string;
  readonly section: string;
  readonly status: "settled" | "not settled";
  readonly value?: unknown;
  readonly emulatorDefault: unknown;
  readonly matchesDefault?: boolean;
  readonly how: string;
  readonly note?: string;
  readonly evidence: readonly Evidence[];
}

/** The probe's report (`probe --format json`). */
export interface ProbeReport {
  readonly instance: string;
  readonly outcome: "completed" | "stopped" | "at type limit";
  readonly apiNames: readonly string[];
  readonly budget: { readonly min: number; readonly max: number; readonly leftovers: number };
  readonly calls: number;
  readonly findings: readonly Finding[];
  readonly unsettled: readonly { readonly option: string; readonly why: string }[];
  readonly removedLeftovers: readonly string[];
  /** Probe types still in the instance after the run: a rerun removes them. */
  readonly leftovers: readonly string[];
  readonly error?: { readonly message: string; readonly hint?: string };
}

/** Remembers the apiNames a run created until they are deleted (a file for the CLI). */
export interface ProbeJournal {
  load(): readonly string[];
  save(apiNames: readonly string[]): void;
}

export interface ProbeOptions {
  /** Makes the client; the probe adds its recording `fetch` to `settings`. */
  readonly client: (settings: MarketoClientSettings) => MarketoClient;
  readonly settings?: MarketoClientSettings;
  /** Types the instance may hold (not deleted). Default 10. */
  readonly maxActivityTypes?: number;
  readonly journal?: ProbeJournal;
  /** Resolves when the user interrupts: the probe stops before its next call and cleans up. */
  readonly interrupted?: Promise<void>;
  /** Called before the first call with the budget, and after each call. */
  readonly progress?: (line: string) => void;
  /** Secrets to remove from the evidence (the client secret). */
  readonly secrets?: readonly (string | undefined)[];
  /** Defaults of the emulator, to compare with (the caller passes `DEFAULT_BEHAVIOUR`). */
  readonly defaults: Readonly<Record<string, unknown>>;
}

interface Answer {
  readonly success: boolean;
  readonly code: string | undefined;
  readonly result: readonly Record<string, unknown>[];
  readonly envelope: Record<string, unknown>;
  readonly evidence: Evidence;
}

class ProbeStop extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

const letters = (n: number): string =>
  Array.from({ length: n }, (_, i) => String.fromCharCode((i === 0 ? 65 : 97) + randomInt(26))).join("");

const PRIMARY = { apiName: "mkaProbeKey", name: "MKA Probe key", dataType: "string" } as const;
const SECONDARY = { apiName: "mkaProbeSecond", name: "MKA Probe second", dataType: "string" } as const;

function typeBody(apiName: string) {
  const tail = apiName.slice(PROBE_PREFIX.length);
  return {
    apiName,
    name: `MKA Probe ${tail}`,
    triggerName: `MKA Probe ${tail} happens`,
    filterName: `MKA Probe ${tail} happened`,
    description: "x",
    primaryAttribute: { ...PRIMARY },
  };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Runs the probe; never throws for what the instance answers (the report says it). */
export async function runProbe(options: ProbeOptions): Promise<ProbeReport> {
  const redactor = new Redactor();
  for (const secret of options.secrets ?? []) if (secret !== undefined) redactor.add(secret);
  const exchanges: Evidence[] = [];
  let calls = 0;
  let interrupted = false;
  void options.interrupted?.then(() => {
    interrupted = true;
  });
  const inner: FetchLike = options.settings?.fetch ?? ((url, init) => globalThis.fetch(url, init));
  const recording: FetchLike = async (url, init) => {
    const parsed = new URL(url);
    const rest = !parsed.pathname.startsWith("/identity");
    if (rest) calls++;
    const response = await inner(url, init);
    if (rest) {
      const text = await response.clone().text();
      let answer: unknown = redactor.excerpt(text, 400);
      try {
        answer = JSON.parse(redactor.redact(text));
      } catch {}
      const body = typeof init?.body === "string" ? init.body : undefined;
      let requestBody: unknown;
      if (body !== undefined) {
        try {
          requestBody = JSON.parse(redactor.redact(body));
        } catch {
          requestBody = redactor.excerpt(body);
        }
      }
      parsed.searchParams.delete("access_token");
      exchanges.push({
        step: "",
        request: `${init?.method ?? "GET"} ${parsed.pathname}${parsed.search}`,
        ...(requestBody === undefined ? {} : { requestBody }),
        httpStatus: response.status,
        answer,
      });
    }
    return response;
  };
  const client = options.client({ ...options.settings, fetch: recording });
  const instance = new URL(client.baseUrl).hostname;
  const journal = options.journal;
  const maxTypes = options.maxActivityTypes ?? 10;
  const found = new Map<string, { value?: unknown; note?: string; evidence: Evidence[] }>();
  const settle = (
    option: string,
    value: unknown,
    evidence: Evidence | readonly Evidence[],
    note?: string,
  ) => {
    found.set(option, {
      value,
      evidence: Array.isArray(evidence) ? [...evidence] : [evidence as Evidence],
      ...(note === undefined ? {} : { note }),
    });
  };
  const unsettledNotes = new Map<string, string>();
  /** apiNames that may exist because of this run (created, or a create without an answer). */
  const mine = new Set<string>();
  const removedLeftovers: string[] = [];
  const remember = () => journal?.save([...mine]);

  const progress = options.progress ?? (() => {});

  /** Makes one call and reads its raw answer; `must` stops the probe when it is not a success. */
  async function step(
    name: StepName | "cleanup",
    run: () => Promise<unknown>,
    must: boolean,
  ): Promise<Answer> {
    if (interrupted && name !== "cleanup")
      throw new ProbeStop("interrupted: the probe stopped and cleans up");
    const before = exchanges.length;
    let thrown: unknown;
    try {
      await run();
    } catch (error) {
      thrown = error;
    }
    const last = exchanges.length > before ? exchanges[exchanges.length - 1] : undefined;
    const envelope = last?.answer;
    if (last === undefined || !isObject(envelope) || typeof envelope["success"] !== "boolean") {
      const why = thrown instanceof Error ? thrown.message : "no answer";
      throw new ProbeStop(
        `${name}: the instance gave no answer the probe can read (${why})`,
        "check the instance is reachable and the credentials are right, then run probe again: it removes what this run left",
      );
    }
    const evidence: Evidence = { ...last, step: name };
    exchanges[exchanges.length - 1] = evidence;
    const errors = Array.isArray(envelope["errors"]) ? envelope["errors"] : [];
    const first = errors.find(isObject);
    const code = first === undefined ? undefined : String(first["code"]);
    const result = Array.isArray(envelope["result"]) ? envelope["result"].filter(isObject) : [];
    const success = envelope["success"] === true;
    progress(`  ${name}: ${evidence.request} → ${success ? "success" : `error ${code ?? "without code"}`}`);
    if (must && !success) {
      throw new ProbeStop(
        `${name}: the instance refused ${evidence.request} with ${code ?? "no code"}${first?.["message"] === undefined ? "" : ` ${String(first["message"])}`}; the probe needs this call to succeed`,
        "the instance answers differently from every documented guess: the evidence is in the report (--format json); nothing the probe made is left behind",
      );
    }
    return { success, code, result, envelope, evidence };
  }

  const listEntries = (a: Answer) => a.result;
  const settleListAttributes = (a: Answer) => {
    if (found.has("listIncludesAttributes")) return;
    const entry = listEntries(a).find((e) => e["status"] !== "deleted");
    if (entry !== undefined)
      settle("listIncludesAttributes", isObject(entry["primaryAttribute"]), a.evidence);
  };

  async function remove(apiName: string): Promise<boolean> {
    try {
      const a = await step("cleanup", () => client.deleteCustomActivityType(apiName), false);
      if (a.success) return true;
      // Refused: it does not exist (a create that never happened), or it is deleted already.
      return true;
    } catch {
      return false;
    }
  }

  let error: ProbeReport["error"];
  let outcome: ProbeReport["outcome"] = "completed";
  const leftovers: string[] = [];
  let leftoverBudget = 0;
  const apiNames: string[] = [];
  try {
    progress(
      `Budget: ${BUDGET.min} to ${BUDGET.max} REST calls (one more per leftover of an earlier run), plus one token request.`,
    );
    // ---- leftovers and the type limit ----
    const list0 = await step("list", () => client.listCustomActivityTypes(), true);
    const entries = listEntries(list0);
    const live = entries.filter((e) => e["status"] !== "deleted");
    const listedProbes = live
      .map((e) => String(e["apiName"] ?? ""))
      .filter((n) => n.startsWith(PROBE_PREFIX));
    const deletedNames = new Set(
      entries.filter((e) => e["status"] === "deleted").map((e) => String(e["apiName"] ?? "")),
    );
    const journaled = (journal?.load() ?? []).filter(
      (n) => n.startsWith(PROBE_PREFIX) && !listedProbes.includes(n) && !deletedNames.has(n),
    );
    const toRemove = [...listedProbes, ...journaled];
    leftoverBudget = toRemove.length;
    settleListAttributes(list0);
    const others = live.length - listedProbes.length;
    if (others >= maxTypes) {
      outcome = "at type limit";
      throw new ProbeStop(
        `the instance holds ${others} activity types (not deleted), the limit is ${maxTypes}: the probe needs one free slot and wrote nothing`,
        "delete a type you no longer need, or pass --max-activity-types with your subscription's limit if it is higher",
      );
    }
    for (const name of toRemove) {
      mine.add(name);
      if (await remove(name)) {
        mine.delete(name);
        removedLeftovers.push(name);
      }
      remember();
    }
    if (mine.size > 0) throw new ProbeStop(`could not remove leftovers: ${[...mine].join(", ")}`);

    // ---- create ----
    let apiName = `${PROBE_PREFIX}${letters(6)}`;
    apiNames.push(apiName);
    mine.add(apiName);
    remember();
    let create = await step(
      "create",
      () => client.createCustomActivityType({ ...typeBody(apiName), attributes: [] }),
      false,
    );
    if (create.success) settle("attributesOnCreate", "ignore", create.evidence);
    else {
      const first = create;
      create = await step("create again", () => client.createCustomActivityType(typeBody(apiName)), true);
      settle("attributesOnCreate", "reject", [first.evidence, create.evidence], `refused with ${first.code}`);
    }
    const created = create.result[0] ?? {};
    settle("createResponseOmitsIds", typeof created["id"] !== "number", create.evidence);
    const hasErrors = Array.isArray(create.envelope["errors"]);
    const hasWarnings = Array.isArray(create.envelope["warnings"]);
    if (hasErrors === hasWarnings) settle("emptyErrorsAndWarnings", hasErrors, create.evidence);
    else
      unsettledNotes.set(
        "emptyErrorsAndWarnings",
        `the success envelope has ${hasErrors ? "errors" : "warnings"} only, which no option reproduces`,
      );

    const list1 = await step("list after create", () => client.listCustomActivityTypes(), true);
    settle(
      "listIncludesDrafts",
      listEntries(list1).some((e) => e["apiName"] === apiName),
      list1.evidence,
    );
    settleListAttributes(list1);

    const d1 = await step(
      "describe draft",
      () => client.describeCustomActivityType(apiName, { draft: true }),
      true,
    );
    const type1 = d1.result[0] ?? {};
    const primary1 = isObject(type1["primaryAttribute"]) ? type1["primaryAttribute"] : {};
    settle("absentFields", "description" in primary1 ? "null" : "omit", d1.evidence);
    const attrs1 = Array.isArray(type1["attributes"]) ? type1["attributes"].filter(isObject) : undefined;
    const listsPrimary = attrs1?.some((a) => a["apiName"] === PRIMARY.apiName) ?? false;
    settle("primaryInAttributesList", listsPrimary, d1.evidence);
    if (listsPrimary)
      unsettledNotes.set(
        "omitEmptyAttributes",
        "attributes[] always holds the primary here, so an empty list is never answered (either value reproduces it)",
      );
    else settle("omitEmptyAttributes", attrs1 === undefined, d1.evidence);

    const d2 = await step(
      "describe live",
      () => client.describeCustomActivityType(apiName, { draft: false }),
      false,
    );
    settle("describeMissingVersion", d2.success ? "fallback" : "error", d2.evidence);

    const empty: string[] = [];
    const emptyEvidence: Evidence[] = [];
    const noteEmpty = (op: string, a: Answer) => {
      emptyEvidence.push(a.evidence);
      if (a.result.length === 0) empty.push(op);
    };
    let discardSeen = false;
    const g1 = await step("discard only draft", () => client.discardCustomActivityTypeDraft(apiName), false);
    settle("discardDraftOnDraftOnly", g1.success ? "deleteType" : "error", g1.evidence);
    if (g1.success) {
      discardSeen = true;
      noteEmpty("discardCustomActivityTypeDraft", g1);
      mine.delete(apiName);
      apiName = `${PROBE_PREFIX}${letters(6)}`;
      apiNames.push(apiName);
      mine.add(apiName);
      remember();
      await step("create after discard", () => client.createCustomActivityType(typeBody(apiName)), true);
    } else settle("discardWithoutDraftCode", g1.code, g1.evidence);
    if (g1.success)
      unsettledNotes.set(
        "discardWithoutDraftCode",
        "discardDraft of the never-approved type succeeded, so no refusal code was seen",
      );

    const e2 = await step(
      "empty description",
      () => client.updateCustomActivityType(apiName, { description: "" }),
      true,
    );
    const type2 = e2.result[0] ?? {};
    const description = type2["description"];
    settle(
      "emptyDescription",
      !("description" in type2)
        ? "omit"
        : description === null
          ? "null"
          : description === ""
            ? "store"
            : "ignore",
      e2.evidence,
      description === null
        ? 'under absentFields "null", emptyDescription "omit" answers the same'
        : undefined,
    );

    const j1 = await step(
      "update without name",
      () =>
        client.updateCustomActivityTypeAttributes(apiName, [{ apiName: PRIMARY.apiName, description: "y" }]),
      false,
    );
    settle("attributeNameRequired", !j1.success, j1.evidence);
    if (!j1.success) settle("missingFieldCode", j1.code, j1.evidence);

    await step("add attribute", () => client.createCustomActivityTypeAttributes(apiName, [SECONDARY]), true);
    const i2 = await step(
      "add it again",
      () => client.createCustomActivityTypeAttributes(apiName, [SECONDARY]),
      false,
    );
    if (i2.success)
      unsettledNotes.set("duplicateAttributeCode", "the instance accepted the duplicate attribute");
    else settle("duplicateAttributeCode", i2.code, i2.evidence);
    const j2 = await step(
      "update missing",
      () =>
        client.updateCustomActivityTypeAttributes(apiName, [
          { apiName: "mkaProbeMissing", name: "MKA Probe missing", dataType: "string" },
        ]),
      false,
    );
    if (j2.success)
      unsettledNotes.set("unknownAttributeCode", "the instance accepted the update of a missing attribute");
    else settle("unknownAttributeCode", j2.code, j2.evidence);

    const f1 = await step("approve", () => client.approveCustomActivityType(apiName), true);
    noteEmpty("approveCustomActivityType", f1);
    const f2 = await step("approve again", () => client.approveCustomActivityType(apiName), false);
    if (f2.success)
      unsettledNotes.set("approveWithoutDraftCode", "the instance accepted approve without a draft");
    else settle("approveWithoutDraftCode", f2.code, f2.evidence);

    const j3 = await step(
      "change dataType",
      () => client.updateCustomActivityTypeAttributes(apiName, [{ ...SECONDARY, dataType: "integer" }]),
      false,
    );
    settle("dataTypeChangeAfterApproval", j3.success ? "allow" : "reject", j3.evidence);
    if (j3.success) {
      const g = await step(
        "discard dataType draft",
        () => client.discardCustomActivityTypeDraft(apiName),
        true,
      );
      discardSeen = true;
      noteEmpty("discardCustomActivityTypeDraft", g);
    }
    const j4 = await step(
      "demote primary",
      () => client.updateCustomActivityTypeAttributes(apiName, [{ ...PRIMARY, isPrimary: false }]),
      false,
    );
    settle("primaryChangeAfterApproval", j4.success ? "allow" : "reject", j4.evidence);
    if (j4.success) {
      const g = await step(
        "discard primary draft",
        () => client.discardCustomActivityTypeDraft(apiName),
        true,
      );
      discardSeen = true;
      noteEmpty("discardCustomActivityTypeDraft", g);
      if (!j3.success) settle("immutableFieldCode", j3.code, j3.evidence);
    } else settle("immutableFieldCode", j4.code, j4.evidence);
    if (j3.success && j4.success)
      unsettledNotes.set("immutableFieldCode", "the dataType change and the demotion were both accepted");

    const a1 = await step("activity types", () => client.listActivityTypes(), true);
    const name = typeBody(apiName).name;
    const mineListed = a1.result.find((e) => e["name"] === name);
    if (mineListed === undefined)
      unsettledNotes.set(
        "activityTypesIncludeApiName",
        "GET activities/types.json did not show the approved probe type",
      );
    else settle("activityTypesIncludeApiName", mineListed["apiName"] === apiName, a1.evidence);
    const ids = a1.result.map((e) => e["id"]).filter((id): id is number => typeof id === "number");
    const ascending = ids.every((id, i) => i === 0 || id > ids[i - 1]!);
    const descending = ids.every((id, i) => i === 0 || id < ids[i - 1]!);
    if (ids.length >= 2 && (ascending || descending))
      settle("listOrder", ascending ? "id" : "reverse", a1.evidence);
    else unsettledNotes.set("listOrder", "the activity types were in neither id order");

    const c2 = await step(
      "create duplicate",
      () => client.createCustomActivityType(typeBody(apiName)),
      false,
    );
    if (c2.success)
      unsettledNotes.set("duplicateApiNameCode", "the instance accepted a second create of the apiName");
    else settle("duplicateApiNameCode", c2.code, c2.evidence);
    const none = `${PROBE_PREFIX}None${letters(6)}`;
    const u = await step("describe unknown", () => client.describeCustomActivityType(none), false);
    if (u.success)
      unsettledNotes.set("unknownTypeCode", `the instance described ${none}, which was never created`);
    else settle("unknownTypeCode", u.code, u.evidence);

    const h1 = await step("delete", () => client.deleteCustomActivityType(apiName), true);
    mine.delete(apiName);
    remember();
    noteEmpty("deleteCustomActivityType", h1);
    const l2 = await step("list after delete", () => client.listCustomActivityTypes(), true);
    settle(
      "listIncludesDeleted",
      listEntries(l2).some((e) => e["apiName"] === apiName && e["status"] === "deleted"),
      l2.evidence,
    );
    settleListAttributes(l2);
    mine.add(apiName);
    remember();
    const c3 = await step(
      "create after delete",
      () => client.createCustomActivityType(typeBody(apiName)),
      false,
    );
    settle("deletedApiNameReusable", c3.success, c3.evidence);
    if (c3.success) {
      const h2 = await step("delete again", () => client.deleteCustomActivityType(apiName), true);
      noteEmpty("deleteCustomActivityType", h2);
    }
    mine.delete(apiName);
    remember();
    settle(
      "emptyResultOn",
      [...new Set(empty)].sort(),
      emptyEvidence,
      discardSeen ? undefined : "no discardDraft succeeded: its answer is taken to hold the type",
    );
    if (!found.has("listIncludesAttributes"))
      unsettledNotes.set(
        "listIncludesAttributes",
        "no list the probe read showed a type that is not deleted",
      );
  } catch (caught) {
    if (outcome === "completed") outcome = "stopped";
    error =
      caught instanceof ProbeStop || caught instanceof MarketoActivitiesError
        ? { message: caught.message, ...(caught.hint === undefined ? {} : { hint: caught.hint }) }
        : { message: caught instanceof Error ? caught.message : String(caught) };
  } finally {
    for (const name of [...mine]) {
      if (await remove(name)) mine.delete(name);
      remember();
    }
    leftovers.push(...mine);
  }
  progress(`Calls used: ${calls} REST calls.`);

  const findings: Finding[] = QUESTIONS.map((question) => {
    const f = found.get(question.option);
    const emulatorDefault = options.defaults[question.option];
    if (f === undefined) {
      return {
        option: question.option,
        section: question.section,
        status: "not settled",
        emulatorDefault,
        how: question.how,
        note:
          unsettledNotes.get(question.option) ??
          (error === undefined ? "no answer settled it" : "the probe stopped before it"),
        evidence: [],
      };
    }
    return {
      option: question.option,
      section: question.section,
      status: "settled",
      value: f.value,
      emulatorDefault,
      matchesDefault: JSON.stringify(f.value) === JSON.stringify(emulatorDefault),
      how: question.how,
      ...(f.note === undefined ? {} : { note: f.note }),
      evidence: f.evidence,
    };
  });
  return {
    instance,
    outcome,
    apiNames,
    budget: { min: BUDGET.min, max: BUDGET.max, leftovers: leftoverBudget },
    calls,
    findings,
    unsettled: UNSETTLED,
    removedLeftovers,
    leftovers,
    ...(error === undefined ? {} : { error }),
  };
}

/** The emulator config (`{ behaviour }`) that reproduces what the probe settled. */
export function emulatorConfig(report: ProbeReport): { behaviour: Record<string, unknown> } {
  const behaviour: Record<string, unknown> = {};
  for (const f of report.findings) if (f.status === "settled") behaviour[f.option] = f.value;
  return { behaviour };
}
