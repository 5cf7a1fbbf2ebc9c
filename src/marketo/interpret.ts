/**
 * Reading Marketo's REST answers (docs/marketo-api.md section 2): pure functions from an HTTP status and
 * a body text to a value or a `Failure`, and from a successful envelope's `result` to what the
 * operation returns (its result shape and item schema in the endpoint table). Every body is parsed with
 * the zod schemas of `wire.ts`, never cast; HTTP 200 with `success: false` is a failure.
 */
import { z } from "zod";
import type { MarketoActivitiesError } from "../schema/errors.js";
import { answeredNotExecuted, policyForCodes } from "./codes.js";
import { ENDPOINTS, type Endpoint, type RestOperation, type ResultOf } from "./endpoints.js";
import {
  MarketoApiError,
  MarketoHttpError,
  MarketoOutcomeUnknownError,
  MarketoUnexpectedAnswerError,
} from "./errors.js";
import {
  apiFailure,
  type Context,
  detail,
  failureContext,
  httpFailure,
  type Outcome,
  serverErrorHint,
  unexpectedAnswer,
  type Verdict,
} from "./outcome.js";
import {
  customActivityTypeStatusSchema,
  envelopeSchema,
  type WireCustomActivityType,
  wireCustomActivityTypeSchema,
  wireErrorSchema,
} from "./wire.js";

/** A successful REST answer: its `result` is still unread. */
export interface RestResponse {
  readonly httpStatus: number;
  readonly requestId: string | undefined;
  /** The answer's `result`; undefined when it had none (a list answer must have one: `readResult`). */
  readonly result: readonly unknown[] | undefined;
  /**
   * Whether Marketo said it found nothing: 702 as the failure of a list call, or a 702 warning on
   * success. Such an answer is an empty list even without a `result` (docs/marketo-api.md 2.2).
   */
  readonly noData?: true;
  /** The body as answered, redacted and cut short, to quote when it cannot be used. */
  readonly bodyExcerpt: string;
}

/** A verdict, with what the `response` event reports about the answer. */
export interface Interpreted<T> {
  readonly verdict: Verdict<T>;
  readonly requestId: string | undefined;
  /** Marketo's error codes, redacted; empty on success. */
  readonly codes: readonly string[];
}

/** Any JSON object parses as an envelope: every field is optional, as in Adobe's examples. */
export const anyEnvelopeSchema = envelopeSchema(z.unknown());

/** Record-level failure fields a metadata result item might carry (docs/marketo-api.md 2.1 and 8.1). */
const itemFailureSchema = z.looseObject({
  status: z.string().optional(),
  reasons: z.array(wireErrorSchema).optional(),
  errors: z.array(wireErrorSchema).optional(),
});

/** Interprets a REST answer: envelope, status and codes (docs/marketo-api.md section 2). */
export function interpretRest(
  context: Context,
  status: number,
  text: string,
  token: string,
): Interpreted<RestResponse> {
  const excerpt = context.redactor.excerpt(text);
  let json: unknown;
  let isJson = true;
  try {
    json = JSON.parse(text);
  } catch {
    isJson = false;
  }
  const parsed = isJson ? anyEnvelopeSchema.safeParse(json) : undefined;
  const envelope = parsed?.success === true ? parsed.data : undefined;
  const errors = (envelope?.errors ?? []).map((e) => detail(context, e.code, e.message));
  const answer = (verdict: Verdict<RestResponse>): Interpreted<RestResponse> => ({
    verdict,
    requestId: envelope?.requestId,
    codes: errors.map((e) => e.code),
  });
  const http = (
    kind: Parameters<typeof httpFailure>[3],
    problem: string,
    processed: "no" | "maybe",
    hint?: string,
    limit?: "rate",
  ) => answer(httpFailure(context, status, excerpt, kind, processed, problem, hint, limit));
  const failed =
    envelope !== undefined &&
    (envelope.success === false || (envelope.success !== true && errors.length > 0));
  const codes = errors.map((e) => e.code);

  // Marketo's envelope with 6xx codes says the request was not carried out (DOC-ERR, docs/marketo-api.md
  // 2.2), whatever the status. Any other 5xx may come after the request was carried out; a 429 is a
  // gateway's refusal before any work.
  if (status >= 500 && !(failed && answeredNotExecuted(codes)))
    return http("transient", "an error status", "maybe", serverErrorHint(context));
  if (status === 429) return http("rejected", "a rate-limit status", "no", undefined, "rate");
  if (failed && isEmptyList(context, codes)) {
    return {
      verdict: {
        ok: true,
        value: {
          httpStatus: status,
          requestId: envelope.requestId,
          result: [],
          noData: true,
          bodyExcerpt: excerpt,
        },
      },
      requestId: envelope.requestId,
      codes,
    };
  }
  if (failed) return answer(apiFailure(context, status, envelope.requestId, errors, token));
  // Every envelope field is optional (Adobe's examples omit many), so any JSON object parses; only
  // a boolean `success` says Marketo answered (a proxy's `{"status":"ok"}` must not read as []).
  const notMarketo = (processed: "no" | "maybe") => {
    const { problem, hint } = unexpectedAnswer(context, status, text, isJson);
    return http("fatal", problem, processed, hint);
  };
  if (status < 200 || status > 299) return notMarketo("no");
  if (!isJson || envelope === undefined || typeof envelope.success !== "boolean") return notMarketo("maybe");
  const noData = (envelope.warnings ?? []).some(
    (w) => typeof w === "object" && w.code !== undefined && String(w.code) === "702",
  );
  return answer({
    ok: true,
    value: {
      httpStatus: status,
      requestId: envelope.requestId,
      result: envelope.result,
      ...(noData ? { noData } : {}),
      bodyExcerpt: excerpt,
    },
  });
}

/**
 * Whether a failure is Marketo's "702 No data found" for a call that returns a list: that is an empty
 * list. Marketo's list and search endpoints answer an empty result either as success with no result or
 * as 702 (docs/marketo-api.md 2.2: "many searches answer success plus a warning instead"), and a fresh
 * instance has no custom activity type to list.
 */
function isEmptyList(context: Context, codes: readonly string[]): boolean {
  const { operation } = context.call;
  if (operation === "identity" || codes.length !== 1 || codes[0] !== "702") return false;
  return ENDPOINTS[operation].result === "list";
}

/**
 * What `operation` returns, read from a successful answer by the endpoint's result shape and item
 * schema. Throws when the result does not have that shape, or when the one object a metadata call
 * returns carries a record-level failure (docs/marketo-api.md 2.1, 8.1). A result that cannot be read
 * after a call that is not repeatable may still mean the call worked: that is an outcome unknown.
 */
export function readResult<O extends RestOperation>(
  context: Context,
  operation: O,
  outcome: Outcome<RestResponse>,
): ResultOf<O> {
  const endpoint: Endpoint = ENDPOINTS[operation];
  const { call } = context;
  const shapeError = (error: z.ZodError): MarketoActivitiesError => {
    const invalid = resultShapeError(context, outcome, error);
    if (endpoint.repeatable) return invalid;
    return new MarketoOutcomeUnknownError(
      {
        operation: call.operation,
        recordCount: call.recordCount ?? 0,
        reason: "unreadable per-record results",
      },
      invalid,
    );
  };
  const { result = [] } = outcome.value;
  if (endpoint.result === "list") {
    // A list read without its list says nothing about what exists: reading it as [] would plan
    // creates for types that are there and miss unmanaged ones in the type limit. Marketo's own
    // "nothing found" (702, as a failure or as a warning) is an empty list.
    if (outcome.value.result === undefined && !outcome.value.noData && !endpoint.writes)
      throw missingList(context, outcome);
    const parsed = z.array(endpoint.item).safeParse(result);
    if (!parsed.success) throw shapeError(parsed.error);
    checkAnswer(context, outcome, endpoint, parsed.data);
    return parsed.data as ResultOf<O>;
  }
  const first = result[0];
  if (first === undefined) {
    if (endpoint.result === "oneOrNone") return undefined as ResultOf<O>;
    throw new MarketoHttpError(
      {
        ...failureContext(call, outcome.attempts),
        httpStatus: outcome.value.httpStatus,
        bodyExcerpt: "",
        retryable: false,
      },
      "success but an empty result (an activity type was expected)",
    );
  }
  const failure = itemFailureSchema.safeParse(first);
  if (failure.success) {
    const reasons = [...(failure.data.reasons ?? []), ...(failure.data.errors ?? [])];
    if (failure.data.status === "skipped" || reasons.length > 0) {
      const errors = reasons.map((r) => detail(context, r.code, r.message));
      const policy = policyForCodes(errors.map((e) => e.code));
      throw new MarketoApiError({
        ...failureContext(call, outcome.attempts),
        errors,
        requestId: outcome.value.requestId,
        httpStatus: outcome.value.httpStatus,
        retryable: policy.kind === "transient" || policy.kind === "rejected",
      });
    }
  }
  const parsed = endpoint.item.safeParse(first);
  if (!parsed.success) throw shapeError(parsed.error);
  checkAnswer(context, outcome, endpoint, [parsed.data]);
  return parsed.data as ResultOf<O>;
}

const KNOWN_STATUSES: ReadonlySet<string> = new Set(customActivityTypeStatusSchema.options);

/**
 * The one rule for believing a well-formed answer: every activity type in it must fit the request.
 * A call about one type (describe, create, update, approve, discardDraft, delete, the attribute calls)
 * must be answered about that type: a result with another `apiName` is an error. A listed type must
 * have an `apiName` (the list is matched and counted by it). And a type's status, when given, must be
 * one of the four known ones (`customActivityTypeStatusSchema`), in list and single answers alike: an
 * unknown status (`archived`) says nothing about whether a live version or a draft exists. A missing
 * status is left to the caller (the reconciler refuses to plan on it), as is a missing apiName in the
 * answer about one type. Throws `MarketoUnexpectedAnswerError` quoting the item at fault.
 */
function checkAnswer(
  context: Context,
  outcome: Outcome<RestResponse>,
  endpoint: Endpoint,
  items: readonly unknown[],
): void {
  if (endpoint.item !== wireCustomActivityTypeSchema) return;
  const { call } = context;
  const types = items as readonly WireCustomActivityType[];
  const unexpected = (index: number, problem: string, hint: string): MarketoUnexpectedAnswerError => {
    const quoted = context.redactor.excerpt(JSON.stringify(outcome.value.result?.[index]) ?? "");
    const done = endpoint.writes
      ? ` ${call.operation} may or may not have been carried out: run plan to see the instance as it is.`
      : "";
    return new MarketoUnexpectedAnswerError(
      {
        ...failureContext(call, outcome.attempts),
        httpStatus: outcome.value.httpStatus,
        requestId: outcome.value.requestId,
        answerExcerpt: quoted,
      },
      problem,
      `${hint}.${done}`,
    );
  };
  types.forEach((type, index) => {
    const at = endpoint.result === "list" ? ` at result[${index}]` : "";
    // In a list, the apiName is what a type is matched and counted by: one without it cannot be
    // told apart from a type the code declares, nor counted toward the type limit.
    if (endpoint.result === "list" && type.apiName === undefined) {
      throw unexpected(
        index,
        `an activity type without an apiName${at}`,
        "every custom activity type has an apiName, which is how a listed type is matched to the declared ones and counted toward the type limit, so the list was not used. Run the command again; if it happens again, check the type in Marketo (Admin > Marketo Custom Activities) and report it to Adobe support with the requestId",
      );
    }
    if (endpoint.result !== "list" && call.apiName !== undefined && type.apiName !== undefined) {
      if (type.apiName !== call.apiName) {
        throw unexpected(
          index,
          `an activity type named ${quote(context, type.apiName)} instead`,
          "the answer is not about the type asked for, so it was not used. Run the command again; if it happens again, a proxy or cache between this machine and Marketo may be mixing up answers: report it with the requestId",
        );
      }
    }
    if (type.status !== undefined && !KNOWN_STATUSES.has(type.status)) {
      throw unexpected(
        index,
        `an activity type status it does not know, ${quote(context, type.status)}${at}`,
        `the statuses this package knows are ${[...KNOWN_STATUSES].map((s) => `"${s}"`).join(", ")}; it builds nothing on another one. Check the type in Marketo (Admin > Marketo Custom Activities); if Marketo has added a status, report it to cdktf-marketo-activities with the requestId`,
      );
    }
  });
}

/** A list call answered with success but no `result` and no 702: nothing says what exists. */
function missingList(context: Context, outcome: Outcome<RestResponse>): MarketoUnexpectedAnswerError {
  const { call } = context;
  return new MarketoUnexpectedAnswerError(
    {
      ...failureContext(call, outcome.attempts),
      httpStatus: outcome.value.httpStatus,
      requestId: outcome.value.requestId,
      answerExcerpt: outcome.value.bodyExcerpt,
    },
    "success but no result, so it did not say what exists (an empty list is `result: []`, or 702 No data found)",
    "the answer was not used: read as no types, it would plan creates for types that exist. Run the command again; if it happens again, a proxy between this machine and Marketo may be cutting answers short, or Marketo may have changed its answer: report it to Adobe support with the requestId",
  );
}

/** A value from an answer, redacted, shortened and quoted, for a message. */
function quote(context: Context, value: string): string {
  return JSON.stringify(context.redactor.excerpt(value, 80));
}

/** A result that does not match Marketo's documented shape, naming where. */
function resultShapeError(
  context: Context,
  outcome: Outcome<RestResponse>,
  error: z.ZodError,
): MarketoHttpError {
  const issue = error.issues[0];
  const where = issue === undefined ? "" : ` (at result${issue.path.map((p) => `[${String(p)}]`).join("")})`;
  return new MarketoHttpError(
    {
      ...failureContext(context.call, outcome.attempts),
      httpStatus: outcome.value.httpStatus,
      bodyExcerpt: "",
      retryable: false,
    },
    `a result that does not match Marketo's documented shape${where}`,
    "report this with the requestId; Marketo may have changed its response format",
  );
}
