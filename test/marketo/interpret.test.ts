/**
 * The interpreters are pure: an HTTP status and a body text in, a value or a failure out, with the
 * error the call would raise. No fetch, no clock, no client.
 */
import { describe, expect, it } from "vitest";
import { OPTION_NAMES } from "../../src/marketo/credentials.js";
import {
  MarketoApiError,
  MarketoAuthError,
  MarketoHttpError,
  MarketoNetworkError,
  MarketoOutcomeUnknownError,
  MarketoQuotaError,
  MarketoUnexpectedAnswerError,
} from "../../src/marketo/errors.js";
import { identityUrl, interpretIdentity } from "../../src/marketo/identity.js";
import { interpretRest, readResult } from "../../src/marketo/interpret.js";
import { networkFailure } from "../../src/marketo/network.js";
import type { Call, Context, Failure, Verdict } from "../../src/marketo/outcome.js";
import { Redactor } from "../../src/marketo/redactor.js";
import { T0 } from "../helpers/clock.js";
import { activityType, networkError, SECRET, TOKEN, timeoutError } from "./helpers.js";

const describeCall: Call = {
  operation: "describeCustomActivityType",
  apiName: "webinarAttended",
  repeatable: true,
  timeoutMs: 30_000,
};

function contextOf(call: Call = describeCall, baseUrl = "https://123-abc-456.mktorest.com"): Context {
  return { call, names: OPTION_NAMES, baseUrl, redactor: new Redactor(), now: () => T0 };
}

function failureOf<T>(verdict: Verdict<T>): Failure {
  if (verdict.ok) throw new Error("expected a failure");
  return verdict.failure;
}

const body = (value: unknown) => JSON.stringify(value);

function thrown(fn: () => unknown): Error & { hint?: string } {
  try {
    fn();
  } catch (error) {
    return error as Error & { hint?: string };
  }
  throw new Error("expected a throw");
}

describe("interpretRest", () => {
  it("reads a success envelope, telling a result Marketo did not send from an empty one", () => {
    const text = body({ requestId: "a#1", success: true });
    const answer = interpretRest(contextOf(), 200, text, TOKEN);
    expect(answer).toStrictEqual({
      verdict: {
        ok: true,
        value: { httpStatus: 200, requestId: "a#1", result: undefined, bodyExcerpt: text },
      },
      requestId: "a#1",
      codes: [],
    });
  });

  it("reads 702 No data found on a list, as a failure or as a warning, as Marketo finding nothing", () => {
    const list = contextOf({ operation: "listCustomActivityTypes", repeatable: true, timeoutMs: 30_000 });
    const failure = body({ requestId: "a#1", success: false, errors: [{ code: "702", message: "No data" }] });
    const warning = body({ requestId: "a#1", success: true, warnings: [{ code: 702, message: "No data" }] });
    for (const text of [failure, warning]) {
      const { verdict } = interpretRest(list, 200, text, TOKEN);
      expect(verdict.ok && verdict.value.noData, text).toBe(true);
    }
  });

  it("reads success: false with HTTP 200 as a failure whose codes decide what happens", () => {
    const text = body({ requestId: "b#2", success: false, errors: [{ code: "606", message: "Max rate" }] });
    const answer = interpretRest(contextOf(), 200, text, TOKEN);
    expect(answer.codes).toStrictEqual(["606"]);
    expect(failureOf(answer.verdict)).toMatchObject({
      kind: "rejected",
      processed: "no",
      label: "606 Max rate",
      retryKey: "606",
      token: TOKEN,
    });
  });

  it("turns 607 into the quota error, with the reset computed from the context's clock", () => {
    const text = body({ success: false, errors: [{ code: "607", message: "Daily quota reached" }] });
    const error = failureOf(interpretRest(contextOf(), 200, text, TOKEN).verdict).toError({
      attempts: 1,
      afterAmbiguousAttempt: false,
    });
    expect(error).toBeInstanceOf(MarketoQuotaError);
    expect((error as MarketoQuotaError).resetAt).toBe("2026-01-16T06:00:00.000Z");
  });

  it("treats a 5xx as transient and possibly carried out, and a proxy's JSON as no answer from Marketo", () => {
    const gateway = failureOf(interpretRest(contextOf(), 502, "<html>Bad Gateway</html>", TOKEN).verdict);
    expect(gateway).toMatchObject({ kind: "transient", processed: "maybe", label: "HTTP 502" });
    const proxy = failureOf(interpretRest(contextOf(), 200, body({ status: "ok" }), TOKEN).verdict);
    expect(proxy).toMatchObject({ kind: "fatal", processed: "maybe" });
    const error = proxy.toError({ attempts: 1, afterAmbiguousAttempt: false });
    expect(error).toBeInstanceOf(MarketoHttpError);
    expect(error.message).toContain("JSON that is not Marketo's response envelope");
    expect(error.hint).toMatch(
      /^check baseUrl \(https:\/\/123-abc-456\.mktorest\.com\): it should be the REST host root/,
    );
  });

  it("redacts what it quotes from the body", () => {
    const context = contextOf();
    context.redactor.add(SECRET);
    const failure = failureOf(interpretRest(context, 404, `not found: ${SECRET}`, TOKEN).verdict);
    const error = failure.toError({ attempts: 1, afterAmbiguousAttempt: false }) as MarketoHttpError;
    expect(error.bodyExcerpt).toBe("not found: [REDACTED]");
  });
});

describe("readResult", () => {
  const outcome = (result: unknown[] | undefined, noData?: true) => ({
    value: {
      httpStatus: 200,
      requestId: "c#3",
      result,
      ...(noData ? { noData } : {}),
      bodyExcerpt: JSON.stringify({ requestId: "c#3", success: true, result }),
    },
    attempts: 2,
  });

  it("reads each shape of the endpoint table", () => {
    const context = contextOf();
    expect(readResult(context, "describeCustomActivityType", outcome([activityType()]))).toMatchObject({
      apiName: "webinarAttended",
    });
    expect(
      readResult(context, "listCustomActivityTypes", outcome([activityType(), activityType("b")])),
    ).toHaveLength(2);
    expect(readResult(context, "approveCustomActivityType", outcome([]))).toBeUndefined();
    expect(() => readResult(context, "describeCustomActivityType", outcome([]))).toThrow(MarketoHttpError);
  });

  it("refuses a list answered without its result, but for Marketo's 702 No data found", () => {
    const context = contextOf({ operation: "listCustomActivityTypes", repeatable: true, timeoutMs: 30_000 });
    const error = thrown(() => readResult(context, "listCustomActivityTypes", outcome(undefined)));
    expect(error).toBeInstanceOf(MarketoUnexpectedAnswerError);
    expect(error.message).toBe(
      'Marketo answered listCustomActivityTypes with success but no result, so it did not say what exists (an empty list is `result: []`, or 702 No data found) (requestId c#3): {"requestId":"c#3","success":true}',
    );
    expect(error.hint).toMatch(/^the answer was not used: read as no types, it would plan creates/);
    const types = contextOf({ operation: "listActivityTypes", repeatable: true, timeoutMs: 30_000 });
    expect(() => readResult(types, "listActivityTypes", outcome(undefined))).toThrow(
      MarketoUnexpectedAnswerError,
    );
    // 702, as a failure or as a warning with result [] or none: an empty list.
    expect(readResult(context, "listCustomActivityTypes", outcome(undefined, true))).toStrictEqual([]);
    expect(readResult(context, "listCustomActivityTypes", outcome([], true))).toStrictEqual([]);
    expect(readResult(context, "listCustomActivityTypes", outcome([]))).toStrictEqual([]);
    // A call about one type that may answer none is unchanged (docs/marketo-api.md 8.8).
    expect(readResult(contextOf(), "approveCustomActivityType", outcome(undefined))).toBeUndefined();
    expect(() => readResult(contextOf(), "describeCustomActivityType", outcome(undefined))).toThrow(
      MarketoHttpError,
    );
  });

  it("refuses a listed custom activity type without an apiName, quoting it", () => {
    const context = contextOf({ operation: "listCustomActivityTypes", repeatable: true, timeoutMs: 30_000 });
    const { apiName: _, ...nameless } = activityType("b", { status: "approved" });
    const error = thrown(() =>
      readResult(context, "listCustomActivityTypes", outcome([activityType("a"), nameless])),
    );
    expect(error).toBeInstanceOf(MarketoUnexpectedAnswerError);
    expect(error.message).toMatch(
      /^Marketo answered listCustomActivityTypes with an activity type without an apiName at result\[1\] \(requestId c#3\): \{"id":100001,"name":"Webinar Attended",/,
    );
    expect(error.hint).toMatch(/counted toward the type limit, so the list was not used/);
    // Standard types in listActivityTypes are not matched by apiName.
    const types = contextOf({ operation: "listActivityTypes", repeatable: true, timeoutMs: 30_000 });
    expect(readResult(types, "listActivityTypes", outcome([{ id: 1, name: "Visit Webpage" }]))).toHaveLength(
      1,
    );
  });

  it("raises the record-level failure of the one object a metadata call returns", () => {
    const skipped = { status: "skipped", reasons: [{ code: "1017", message: "Object already exists" }] };
    const error = (() => {
      try {
        readResult(contextOf(), "describeCustomActivityType", outcome([skipped]));
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(MarketoApiError);
    expect(error).toMatchObject({ codes: ["1017"], attempts: 2, requestId: "c#3", retryable: false });
  });

  it("calls an unreadable result of a call that is not repeatable an outcome unknown", () => {
    const add: Call = {
      operation: "addCustomActivities",
      recordCount: 2,
      repeatable: false,
      timeoutMs: 90_000,
    };
    expect(() =>
      readResult(contextOf(add), "addCustomActivities", outcome([{ id: "not a number" }])),
    ).toThrow(MarketoOutcomeUnknownError);
    expect(() =>
      readResult(contextOf(), "listCustomActivityTypes", outcome([{ id: "not a number" }])),
    ).toThrow(/does not match Marketo's documented shape \(at result\[0\]\[id\]\)/);
  });
});

describe("interpretIdentity", () => {
  const identity: Call = { operation: "identity", repeatable: true, timeoutMs: 30_000 };

  it("reads a token and teaches the redactor to hide it", () => {
    const context = contextOf(identity);
    const verdict = interpretIdentity(context, 200, body({ access_token: TOKEN, expires_in: 3599 }));
    expect(verdict).toStrictEqual({ ok: true, value: { accessToken: TOKEN, expiresInSeconds: 3599 } });
    expect(context.redactor.redact(`Bearer x ${TOKEN}`)).not.toContain(TOKEN);
  });

  it("refuses bad credentials for good, naming the settings and never the secret", () => {
    const text = body({ error: "invalid_client", error_description: "Bad client credentials" });
    const failure = failureOf(interpretIdentity(contextOf(identity), 401, text));
    expect(failure).toMatchObject({ kind: "fatal", processed: "no", label: "invalid_client" });
    const error = failure.toError({ attempts: 1, afterAmbiguousAttempt: false });
    expect(error).toBeInstanceOf(MarketoAuthError);
    expect(error.message).toBe(
      "Marketo refused the client credentials for 123-abc-456.mktorest.com (HTTP 401 invalid_client: Bad client credentials). Check clientId and clientSecret",
    );
  });

  it("puts the credentials in the query string, as the swagger does", () => {
    const url = new URL(identityUrl("https://123-abc-456.mktorest.com", "id", SECRET));
    expect(url.pathname).toBe("/identity/oauth/token");
    expect(Object.fromEntries(url.searchParams)).toStrictEqual({
      grant_type: "client_credentials",
      client_id: "id",
      client_secret: SECRET,
    });
  });
});

describe("networkFailure", () => {
  it("tells a refused connection on this machine (is the emulator running?) from a timeout", () => {
    const local = contextOf(describeCall, "http://127.0.0.1:8799");
    const refused = networkFailure(local, networkError("ECONNREFUSED"), false);
    expect(refused.code).toBe("ECONNREFUSED");
    expect(refused.failure).toMatchObject({
      kind: "rejected",
      processed: "no",
      network: "could not connect to 127.0.0.1:8799 (ECONNREFUSED)",
    });
    const error = refused.failure.toError({ attempts: 6, afterAmbiguousAttempt: false });
    expect(error).toBeInstanceOf(MarketoNetworkError);
    expect(error.hint).toMatch(/^nothing answers at http:\/\/127\.0\.0\.1:8799 on this machine/);

    const late = networkFailure(contextOf(), timeoutError(), false).failure;
    expect(late).toMatchObject({ kind: "transient", processed: "maybe", label: "no answer within 30000 ms" });
  });

  it("never treats a failure after the response started as not sent", () => {
    const { failure } = networkFailure(contextOf(), networkError("ECONNREFUSED"), true);
    expect(failure).toMatchObject({ kind: "transient", processed: "maybe" });
  });
});
