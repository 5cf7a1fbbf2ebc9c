/**
 * Transport and trust (docs/client.md): redirects are never followed, answers are checked against the
 * request, and every server-side failure is one message with a hint saying what to check. A scripted
 * fetch on a virtual clock; `redirect-server.test.ts` checks redirects with Node's own fetch.
 */
import { describe, expect, it } from "vitest";
import {
  MarketoApiError,
  MarketoHttpError,
  MarketoOutcomeUnknownError,
  MarketoUnexpectedAnswerError,
} from "../../src/marketo/errors.js";
import { MarketoClient, type MarketoClientEvent, type RestOperation } from "../../src/marketo/index.js";
import { isUserError } from "../../src/schema/errors.js";
import { virtualClock } from "../helpers/clock.js";
import {
  activityType,
  BASE_URL,
  CLIENT_ID,
  json,
  ok,
  type Recorded,
  rejection,
  SECRET,
  scriptedFetch,
  setup,
  TOKEN,
} from "./helpers.js";

const record = {
  leadId: 1,
  activityDate: "2026-01-15T12:00:00Z",
  activityTypeId: 100001,
  primaryAttributeValue: "x",
  attributes: [],
};

/** Everything of an error and the events a user or a log could see. */
function visible(error: Error, events: readonly MarketoClientEvent[] = []): string {
  const hint = (error as { hint?: unknown }).hint;
  return [error.message, String(hint), JSON.stringify(error), error.stack, JSON.stringify(events)].join("\n");
}

/** One message and a hint, as the CLI prints a user error: no stack trace, nothing multi-line. */
function expectOneMessageAndHint(error: Error): void {
  expect(isUserError(error)).toBe(true);
  expect(error.message).not.toContain("\n");
  expect((error as { hint?: string }).hint ?? "").not.toBe("");
}

function redirect(status: number, location?: string): Response {
  return new Response("moved", { status, headers: location === undefined ? {} : { location } });
}

describe("redirects", () => {
  it("asks fetch not to follow them, for identity and REST calls alike", async () => {
    const clock = virtualClock();
    const stub = scriptedFetch(clock);
    const seen: RequestInit["redirect"][] = [];
    stub.reply("listCustomActivityTypes", ok());
    const client = new MarketoClient({
      baseUrl: BASE_URL,
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      fetch: async (url, init) => {
        seen.push(init.redirect);
        return stub.fetch(url, init);
      },
      now: clock.now,
      sleep: clock.sleep,
    });
    await client.listCustomActivityTypes();
    expect(stub.operations()).toStrictEqual(["identity", "listCustomActivityTypes"]);
    expect(seen).toStrictEqual(["manual", "manual"]);
  });

  it("fails on a 307 to another origin, naming where it pointed, without retrying", async () => {
    // GIVEN a REST call answered with a redirect to another origin whose query carries data
    const { client, stub, events } = setup();
    stub.reply(
      "describeCustomActivityType",
      redirect(
        307,
        "https://collector.example.net/rest/v1/activities/external/type/webinarAttended/describe.json?leads=1,2,3",
      ),
    );
    // WHEN the call is made
    const error = await rejection(client.describeCustomActivityType("webinarAttended"));
    // THEN it fails at once with one message and a hint; the redirect was not followed
    expect(error).toBeInstanceOf(MarketoHttpError);
    expect(error).toMatchObject({ httpStatus: 307, retryable: false, attempts: 1 });
    expect(error.message).toBe(
      'Marketo answered describeCustomActivityType for "webinarAttended" with HTTP 307 and a redirect to https://collector.example.net/rest/v1/activities/external/type/webinarAttended/describe.json, which the client does not follow',
    );
    expect((error as MarketoHttpError).hint).toBe(
      "the client sends credentials, activity type definitions and lead ids only to baseUrl (https://123-abc-456.mktorest.com), never where a redirect points. If https://collector.example.net is your instance's REST endpoint (Admin > Integration > Web Services), set baseUrl to it; otherwise a proxy or a login page between this machine and Marketo is answering",
    );
    expectOneMessageAndHint(error);
    expect(stub.requests.map((r) => new URL(r.url).host)).toStrictEqual([
      "123-abc-456.mktorest.com",
      "123-abc-456.mktorest.com",
    ]);
    expect(events.filter((e) => e.type === "retry")).toStrictEqual([]);
    expect(
      events.find((e) => e.type === "response" && e.operation === "describeCustomActivityType"),
    ).toMatchObject({
      httpStatus: 307,
    });
  });

  it("fails on a redirect of the identity call without showing the secret its URL and the Location carry", async () => {
    // GIVEN an identity endpoint that redirects back to itself elsewhere, echoing the query
    const { client, stub, events } = setup();
    stub.reply("identity", (request: Recorded) =>
      redirect(302, `https://login.example.net/identity/oauth/token?${request.query.toString()}`),
    );
    const error = await rejection(client.listCustomActivityTypes());
    expect(error).toBeInstanceOf(MarketoHttpError);
    expect(error.message).toBe(
      "Marketo answered identity with HTTP 302 and a redirect to https://login.example.net/identity/oauth/token, which the client does not follow",
    );
    expect(stub.requests).toHaveLength(1);
    expect(visible(error, events)).not.toContain(SECRET);
    expect(visible(error, events)).not.toContain("client_secret");
  });

  it.each([301, 302, 307, 308])(
    "does not resend records answered %i, and says they were not stored",
    async (status) => {
      const { client, stub } = setup();
      stub.reply("addCustomActivities", redirect(status, "/elsewhere/activities/external.json"));
      const error = await rejection(client.addCustomActivities([record]));
      expect(error).toBeInstanceOf(MarketoHttpError);
      expect(error.message).toContain(
        `with HTTP ${status} and a redirect to https://123-abc-456.mktorest.com/elsewhere/activities/external.json`,
      );
      expect(stub.rest()).toHaveLength(1);
    },
  );

  it("reports the outcome of records answered 303 (See Other) as unknown: the request may have been handled", async () => {
    const { client, stub } = setup();
    stub.reply("addCustomActivities", redirect(303, "https://other.example.net/result"));
    const error = await rejection(client.addCustomActivities([record]));
    expect(error).toBeInstanceOf(MarketoOutcomeUnknownError);
    expect((error as MarketoOutcomeUnknownError).reason).toBe(
      "HTTP 303 redirect to https://other.example.net/result",
    );
    expect(stub.rest()).toHaveLength(1);
  });

  it("never shows credentials a Location carries in its user info", async () => {
    const { client, stub } = setup();
    stub.reply(
      "listCustomActivityTypes",
      redirect(308, "https://admin:hunter2@proxy.example.net:8443/types.json"),
    );
    const error = await rejection(client.listCustomActivityTypes());
    expect(error.message).toContain("a redirect to https://proxy.example.net:8443/types.json, which");
    expect(visible(error)).not.toContain("hunter2");
    expect(visible(error)).not.toContain("admin");
  });

  it("fails on a redirect without a Location", async () => {
    const { client, stub } = setup();
    stub.reply("listCustomActivityTypes", redirect(301));
    const error = await rejection(client.listCustomActivityTypes());
    expect(error.message).toContain("with HTTP 301 and a redirect to nowhere (no Location header)");
    expectOneMessageAndHint(error);
  });

  it("fails on an answer a custom fetch got by following a redirect anyway", async () => {
    const clock = virtualClock();
    const stub = scriptedFetch(clock);
    stub.reply("listCustomActivityTypes", ok());
    const following = async (url: string, init: RequestInit) => {
      const response = await stub.fetch(url, init);
      if (new URL(url).pathname.startsWith("/identity")) return response;
      Object.defineProperty(response, "redirected", { value: true });
      Object.defineProperty(response, "url", { value: "https://cache.example.net/types.json?token=abc" });
      return response;
    };
    const client = new MarketoClient({
      baseUrl: BASE_URL,
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      fetch: following,
      now: clock.now,
      sleep: clock.sleep,
    });
    const error = await rejection(client.listCustomActivityTypes());
    expect(error).toBeInstanceOf(MarketoHttpError);
    expect(error.message).toBe(
      "Marketo answered listCustomActivityTypes with HTTP 200 and an answer from https://cache.example.net/types.json after a redirect, which the fetch function followed although the client asked it not to",
    );
    expect((error as MarketoHttpError).hint).toContain('pass a fetch that honours redirect: "manual"');
  });
});

describe("answers checked against the request", () => {
  const otherType = activityType("someoneElsesType", { status: "approved" });
  const cases: [string, RestOperation, (client: MarketoClient) => Promise<unknown>][] = [
    ["describe", "describeCustomActivityType", (c) => c.describeCustomActivityType("webinarAttended")],
    ["create", "createCustomActivityType", (c) => c.createCustomActivityType({ apiName: "webinarAttended" })],
    [
      "update",
      "updateCustomActivityType",
      (c) => c.updateCustomActivityType("webinarAttended", { name: "W" }),
    ],
    ["approve", "approveCustomActivityType", (c) => c.approveCustomActivityType("webinarAttended")],
    [
      "discardDraft",
      "discardCustomActivityTypeDraft",
      (c) => c.discardCustomActivityTypeDraft("webinarAttended"),
    ],
    ["delete", "deleteCustomActivityType", (c) => c.deleteCustomActivityType("webinarAttended")],
    [
      "attributes create",
      "createCustomActivityTypeAttributes",
      (c) => c.createCustomActivityTypeAttributes("webinarAttended", [{ apiName: "a", name: "A" }]),
    ],
    [
      "attributes update",
      "updateCustomActivityTypeAttributes",
      (c) => c.updateCustomActivityTypeAttributes("webinarAttended", [{ apiName: "a", name: "A" }]),
    ],
    [
      "attributes delete",
      "deleteCustomActivityTypeAttributes",
      (c) => c.deleteCustomActivityTypeAttributes("webinarAttended", ["a"]),
    ],
  ];

  it.each(cases)("fails when a %s answer is about another type, quoting it", async (_, operation, call) => {
    const { client, stub } = setup();
    stub.reply(operation, ok([otherType]));
    const error = await rejection(call(client));
    expect(error).toBeInstanceOf(MarketoUnexpectedAnswerError);
    expect(error).toMatchObject({ code: "MarketoUnexpected", operation, apiName: "webinarAttended" });
    expect(error.message).toContain(
      `Marketo answered ${operation} for "webinarAttended" with an activity type named "someoneElsesType" instead (requestId e42b#14272d07d78): {"id":100001,"apiName":"someoneElsesType",`,
    );
    expectOneMessageAndHint(error);
    expect(stub.rest()).toHaveLength(1);
  });

  it("says a write may have been carried out, and a read only that the answer was not used", async () => {
    const { client, stub } = setup();
    stub.reply("describeCustomActivityType", ok([otherType]));
    stub.reply("approveCustomActivityType", ok([otherType]));
    const read = await rejection(client.describeCustomActivityType("webinarAttended", { draft: true }));
    const write = await rejection(client.approveCustomActivityType("webinarAttended"));
    expect((read as MarketoUnexpectedAnswerError).hint).toBe(
      "the answer is not about the type asked for, so it was not used. Run the command again; if it happens again, a proxy or cache between this machine and Marketo may be mixing up answers: report it with the requestId.",
    );
    expect((write as MarketoUnexpectedAnswerError).hint).toMatch(
      / approveCustomActivityType may or may not have been carried out: run plan to see the instance as it is\.$/,
    );
  });

  it("accepts an answer that leaves the apiName out", async () => {
    const { client, stub } = setup();
    const { apiName: _, ...nameless } = activityType("x", { status: "draft" });
    stub.reply("describeCustomActivityType", ok([nameless]));
    await expect(client.describeCustomActivityType("webinarAttended")).resolves.toMatchObject({
      name: "Webinar Attended",
    });
  });

  it("fails when a list gives a status it does not know, quoting the entry", async () => {
    const { client, stub } = setup();
    stub.reply(
      "listCustomActivityTypes",
      ok([activityType("a", { status: "approved" }), activityType("b", { status: "archived" })]),
    );
    const error = await rejection(client.listCustomActivityTypes());
    expect(error).toBeInstanceOf(MarketoUnexpectedAnswerError);
    expect(error.message).toMatch(
      /^Marketo answered listCustomActivityTypes with an activity type status it does not know, "archived" at result\[1\] \(requestId e42b#14272d07d78\): \{"id":100001,"apiName":"b",/,
    );
    expect((error as MarketoUnexpectedAnswerError).hint).toBe(
      'the statuses this package knows are "draft", "approved", "approved with draft", "deleted"; it builds nothing on another one. Check the type in Marketo (Admin > Marketo Custom Activities); if Marketo has added a status, report it to cdktf-marketo-activities with the requestId.',
    );
    expect((error as MarketoUnexpectedAnswerError).answerExcerpt.length).toBeLessThanOrEqual(200);
  });

  it("fails when a describe gives a status it does not know", async () => {
    const { client, stub } = setup();
    stub.reply("describeCustomActivityType", ok([activityType("webinarAttended", { status: "Published" })]));
    const error = await rejection(client.describeCustomActivityType("webinarAttended"));
    expect(error).toBeInstanceOf(MarketoUnexpectedAnswerError);
    expect(error.message).toContain('with an activity type status it does not know, "Published" (requestId');
  });

  it("accepts the four known statuses, and a missing one (the reconciler decides about that)", async () => {
    const { client, stub } = setup();
    const { status: _, ...statusless } = activityType("e");
    const listed = [
      activityType("a", { status: "draft" }),
      activityType("b", { status: "approved" }),
      activityType("c", { status: "approved with draft" }),
      activityType("d", { status: "deleted" }),
      statusless,
    ];
    stub.reply("listCustomActivityTypes", ok(listed));
    expect((await client.listCustomActivityTypes()).map((t) => t.status)).toStrictEqual([
      "draft",
      "approved",
      "approved with draft",
      "deleted",
      undefined,
    ]);
  });

  it("redacts what it quotes from the answer", async () => {
    const { client, stub } = setup();
    stub.reply(
      "describeCustomActivityType",
      ok([{ description: `token ${TOKEN} secret ${SECRET}`, ...activityType("other") }]),
    );
    const error = await rejection(client.describeCustomActivityType("webinarAttended"));
    expect(error).toBeInstanceOf(MarketoUnexpectedAnswerError);
    expect(visible(error)).not.toContain(TOKEN);
    expect(visible(error)).not.toContain(SECRET);
    expect(error.message).toContain("[REDACTED]");
  });
});

describe("server-side failures say what to check", () => {
  const loginPage =
    '<!DOCTYPE html><html><head><title>Sign in</title></head><body><form action="/login"></form></body></html>';

  it("fails on an HTML page with HTTP 200, naming the status and the base URL to check", async () => {
    const { client, stub } = setup({ envPrefix: "MARKETO_PROD" });
    stub.reply(
      "listCustomActivityTypes",
      new Response(loginPage, { status: 200, headers: { "content-type": "text/html" } }),
    );
    const error = await rejection(client.listCustomActivityTypes());
    expect(error).toBeInstanceOf(MarketoHttpError);
    expect(error.message).toBe(
      `Marketo answered listCustomActivityTypes with HTTP 200 and an HTML page instead of Marketo's JSON answer: ${JSON.stringify(loginPage)}`,
    );
    expect((error as MarketoHttpError).hint).toBe(
      "MARKETO_PROD_BASE_URL (https://123-abc-456.mktorest.com) may point at something other than Marketo's REST host (the Marketo app's address, a proxy, a login or captive-portal page): set it to the REST API endpoint of Admin > Integration > Web Services, such as https://123-ABC-456.mktorest.com",
    );
    expectOneMessageAndHint(error);
    expect(stub.rest()).toHaveLength(1);
  });

  it("fails on an HTML page with another status the same way", async () => {
    const { client, stub } = setup();
    stub.reply("listCustomActivityTypes", new Response(loginPage, { status: 400 }));
    const error = await rejection(client.listCustomActivityTypes());
    expect(error.message).toMatch(
      /^Marketo answered listCustomActivityTypes with HTTP 400 and an HTML page, not Marketo's JSON answer: /,
    );
    expect((error as MarketoHttpError).hint).toMatch(
      /^baseUrl \(https:\/\/123-abc-456\.mktorest\.com\) may point at something other than Marketo's REST host/,
    );
  });

  it("fails on a gateway's HTML error page after the retries, saying it is usually temporary", async () => {
    const { client, stub } = setup({ retry: { maxAttempts: 2 } });
    const page = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    stub.reply(
      "listCustomActivityTypes",
      new Response(page, { status: 502 }),
      new Response(page, { status: 502 }),
    );
    const error = await rejection(client.listCustomActivityTypes());
    expect(error.message).toBe(
      `Marketo answered listCustomActivityTypes with HTTP 502 and an error status (after 2 attempts): ${JSON.stringify(page)}`,
    );
    expect((error as MarketoHttpError).hint).toBe(
      "Marketo, or a gateway in front of it, failed with a server error; this is usually temporary: try again in a few minutes. If it persists, check baseUrl (https://123-abc-456.mktorest.com) and Adobe's status page (https://status.adobe.com)",
    );
  });

  it("fails on success: false without error codes, saying so and to retry or report with the requestId", async () => {
    const { client, stub } = setup();
    stub.reply("createCustomActivityType", json({ requestId: "5e1a#19c0c0ffee1", success: false }));
    const error = await rejection(client.createCustomActivityType({ apiName: "webinarAttended" }));
    expect(error).toBeInstanceOf(MarketoApiError);
    expect(error).toMatchObject({ codes: [], requestId: "5e1a#19c0c0ffee1", retryable: false });
    expect(error.message).toBe(
      'Marketo answered createCustomActivityType for "webinarAttended" with success: false but no error code, so it did not say why it failed (requestId 5e1a#19c0c0ffee1)',
    );
    expect((error as MarketoApiError).hint).toBe(
      "Marketo did not say why: try again, and if it fails the same way, report it to Adobe support with the requestId 5e1a#19c0c0ffee1",
    );
    expectOneMessageAndHint(error);
    expect(stub.rest()).toHaveLength(1);
  });

  it("fails on success: false with an empty errors array and no requestId, saying what to report instead", async () => {
    const { client, stub } = setup();
    stub.reply("listCustomActivityTypes", json({ success: false, errors: [] }));
    const error = await rejection(client.listCustomActivityTypes());
    expect(error.message).toBe(
      "Marketo answered listCustomActivityTypes with success: false but no error code, so it did not say why it failed (and no requestId)",
    );
    expect((error as MarketoApiError).hint).toBe(
      "Marketo did not say why: try again, and if it fails the same way, report it to Adobe support with the time of the call (Marketo sent no requestId)",
    );
  });

  it("fails on a skipped result without reasons with a hint as well", async () => {
    const { client, stub } = setup();
    stub.reply("createCustomActivityType", ok([{ status: "skipped" }]));
    const error = await rejection(client.createCustomActivityType({ apiName: "webinarAttended" }));
    expect(error).toBeInstanceOf(MarketoApiError);
    expect(error.message).toBe(
      'Marketo rejected createCustomActivityType for "webinarAttended": no error code given (requestId e42b#14272d07d78)',
    );
    expect((error as MarketoApiError).hint).toContain(
      "report it to Adobe support with the requestId e42b#14272d07d78",
    );
  });

  it("fails on HTTP 401 for a REST call, saying to check the credentials and the role", async () => {
    const { client, stub } = setup({ envPrefix: "MARKETO" });
    stub.reply("describeCustomActivityType", json({ error: "unauthorized" }, 401));
    const error = await rejection(client.describeCustomActivityType("webinarAttended"));
    expect(error).toBeInstanceOf(MarketoHttpError);
    expect(error).toMatchObject({ httpStatus: 401, retryable: false });
    expect(error.message).toBe(
      'Marketo answered describeCustomActivityType for "webinarAttended" with HTTP 401 and a refusal of its credentials (401 Unauthorized) without Marketo\'s error codes: "{\\"error\\":\\"unauthorized\\"}"',
    );
    expect((error as MarketoHttpError).hint).toBe(
      "MARKETO_CLIENT_ID and MARKETO_CLIENT_SECRET must be the Client ID and Client Secret of a LaunchPoint custom service on the instance MARKETO_BASE_URL (https://123-abc-456.mktorest.com) names (Admin > Integration > LaunchPoint > View Details); the API-only user of that service needs a role with Read-Only Activity Metadata or Read-Write Activity Metadata for describeCustomActivityType (Admin > Users & Roles; Adobe lists the permissions at https://experienceleague.adobe.com/en/docs/marketo-developer/marketo/rest/custom-services); an IP allowlist (Admin > Integration > Web Services) or a proxy may also refuse this machine",
    );
    expectOneMessageAndHint(error);
    expect(stub.rest()).toHaveLength(1);
  });

  it.each([
    [
      "createCustomActivityType",
      (c: MarketoClient) => c.createCustomActivityType({ apiName: "x" }),
      "Read-Write Activity Metadata",
    ],
    ["addCustomActivities", (c: MarketoClient) => c.addCustomActivities([record]), "Read-Write Activity"],
    [
      "listActivityTypes",
      (c: MarketoClient) => c.listActivityTypes(),
      "Read-Only Activity or Read-Write Activity",
    ],
  ] as const)(
    "fails on HTTP 403 for %s, naming the permission it needs first",
    async (operation, call, permission) => {
      const { client, stub } = setup();
      stub.reply(operation, new Response("<html><title>403 Forbidden</title></html>", { status: 403 }));
      const error = await rejection(call(client));
      expect(error).toBeInstanceOf(MarketoHttpError);
      expect(error.message).toContain(
        "with HTTP 403 and a refusal of access (403 Forbidden) without Marketo's error codes",
      );
      expect((error as MarketoHttpError).hint).toMatch(
        new RegExp(`^the API-only user of that service needs a role with ${permission} for ${operation} `),
      );
      expect(stub.rest()).toHaveLength(1);
    },
  );

  it("fails on HTTP 403 from the identity endpoint, saying to check the credentials", async () => {
    const { client, stub, events } = setup();
    stub.reply("identity", new Response("<html><body>Forbidden</body></html>", { status: 403 }));
    const error = await rejection(client.listCustomActivityTypes());
    expect(error.message).toMatch(/^Marketo answered identity with HTTP 403 and a refusal of access/);
    expect((error as MarketoHttpError).hint).toBe(
      "clientId and clientSecret must be the Client ID and Client Secret of a LaunchPoint custom service on the instance baseUrl (https://123-abc-456.mktorest.com) names (Admin > Integration > LaunchPoint > View Details); an IP allowlist (Admin > Integration > Web Services) or a proxy may also refuse this machine",
    );
    expect((error as MarketoHttpError).hint).not.toContain("role");
    expect(visible(error, events)).not.toContain(SECRET);
  });
});
