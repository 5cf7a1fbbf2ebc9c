/**
 * Tracing (`MARKETO_ACTIVITIES_TRACE=1`, `src/cli/trace.ts`) from the client's side: every request and
 * every answer becomes a line naming the method and the path (never the URL: the identity call's query
 * holds the secret), and no line holds the client secret or any token the instance issued, on every
 * path the redaction tests cover (`redaction.test.ts` with a scripted fetch, and "no secret in any error
 * or event" in `client-emulator.test.ts` against the emulator). The tracers here get no secret to
 * redact, so they check the events themselves; the CLI adds the secret (`test/cli/trace.test.ts`).
 */
import { describe, expect, it } from "vitest";
import { tracer } from "../../src/cli/trace.js";
import { seededType } from "../emulator/helpers.js";
import { virtualClock } from "../helpers/clock.js";
import { clientFor, emulatorOn, newWire } from "./emulator-harness.js";
import { add, FAILING_PATHS, urlEcho } from "./failing-paths.js";
import { activityType, fail, ok, rejection, SECRET, setup, TOKEN, TOKEN_2, token } from "./helpers.js";

/** A client of `setup()` whose events are traced (without a secret to redact) into `lines`. */
function traced(settings: Parameters<typeof setup>[0] = {}) {
  let text = "";
  let now = () => 0;
  const trace = tracer({ write: (line) => (text += line), instance: "prod", now: () => now() });
  const { client, stub, clock } = setup({ ...settings, onEvent: trace });
  now = clock.now;
  return { client, stub, clock, text: () => text };
}

function expectClean(text: string, secrets: readonly string[]): void {
  for (const secret of secrets.flatMap((s) => [s, encodeURIComponent(s)]))
    expect(text, `trace holds ${secret}`).not.toContain(secret);
}

/** The request lines (`... attempt n`) and the answer lines (`... attempt n -> ...`) of a trace. */
function requestsAndAnswers(text: string) {
  const lines = text.split("\n").filter((l) => l !== "");
  return {
    requests: lines.filter((l) => / attempt \d+$/.test(l)),
    answers: lines.filter((l) => / attempt \d+ -> /.test(l)),
  };
}

describe("trace lines from the client's events (scripted fetch)", () => {
  it.each(FAILING_PATHS)(
    "traces every request and answer of %s, with no secret or token",
    async (label, script, run) => {
      const { client, stub, text } = traced();
      script(stub);
      await rejection(run(client));
      // The stub really saw the secret in the identity URL, so the test could catch a leak.
      expect(stub.requests[0]?.url).toContain(encodeURIComponent(SECRET));
      expectClean(text(), [SECRET, TOKEN]);
      const { requests, answers } = requestsAndAnswers(text());
      expect(requests).toHaveLength(stub.requests.length);
      expect(answers).toHaveLength(stub.requests.length);
      // A call ends with a "failed after" line, or with its identity call's (an identity that keeps handing
      // out an expiring token ends in its wait lines: the token manager, not the pipeline, gives up).
      if (!label.includes("expiring")) expect(text()).toMatch(/ failed after \d+ attempts?: /);
      for (const line of [...requests, ...answers].filter((l) => l.includes(" identity ")))
        expect(line).toMatch(/ identity POST \/identity\/oauth\/token attempt \d+( -> |$)/);
    },
  );

  it("traces a 602 re-authentication, a retried 604 and a lost answer, line by line", async () => {
    const { client, stub, text } = traced();
    stub.reply("identity", token(TOKEN), token(TOKEN_2));
    stub.reply(
      "describeCustomActivityType",
      fail("602", `Access token expired ${TOKEN}`, "a#1"),
      ok([activityType()], "a#2"),
    );
    stub.reply("listCustomActivityTypes", fail("604", "Request time-out", "a#3"), ok([], "a#4"));
    stub.reply("addCustomActivities", urlEcho("ECONNRESET"));
    await client.describeCustomActivityType("webinarAttended", { draft: true });
    await client.listCustomActivityTypes();
    await rejection(add(client));
    const describe =
      "describeCustomActivityType GET /rest/v1/activities/external/type/webinarAttended/describe.json";
    const listing = "listCustomActivityTypes GET /rest/v1/activities/external/types.json";
    const adding = "addCustomActivities POST /rest/v1/activities/external.json";
    expect(text().replace(/^trace \S+ prod /gm, "")).toBe(
      [
        "identity POST /identity/oauth/token attempt 1",
        "identity POST /identity/oauth/token attempt 1 -> 200 in 0 ms",
        "identity token received, expires in 3599 s",
        `${describe} attempt 1`,
        `${describe} attempt 1 -> 200 codes 602 in 0 ms requestId a#1`,
        "describeCustomActivityType reauthenticate: Marketo refused the token (602); resending once with a new one",
        "identity POST /identity/oauth/token attempt 1",
        "identity POST /identity/oauth/token attempt 1 -> 200 in 0 ms",
        "identity token renewed (rejected), expires in 3599 s",
        `${describe} attempt 2`,
        `${describe} attempt 2 -> 200 in 0 ms requestId a#2`,
        `${listing} attempt 1`,
        `${listing} attempt 1 -> 200 codes 604 in 0 ms requestId a#3`,
        "listCustomActivityTypes retry in 250 ms: attempt 2 of at most 6 after 604 Request time-out",
        `${listing} attempt 2`,
        `${listing} attempt 2 -> 200 in 0 ms requestId a#4`,
        `${adding} attempt 1`,
        `${adding} attempt 1 -> no answer (ECONNRESET) after 0 ms`,
        "addCustomActivities failed after 1 attempt: ECONNRESET (MarketoOutcomeUnknown)",
        "",
      ].join("\n"),
    );
    // Each line carries the virtual clock's time.
    expect(text().split("\n")[0]).toMatch(/^trace 2026-01-15T12:00:00\.000Z prod identity POST /);
    expectClean(text(), [SECRET, TOKEN, TOKEN_2]);
  });

  it("traces a wait for the client's own rate limit", async () => {
    const { client, stub, text } = traced({ rateLimit: { calls: 1, windowMs: 20_000 } });
    stub.reply("listCustomActivityTypes", ok([]), ok([]));
    await client.listCustomActivityTypes();
    await client.listCustomActivityTypes();
    expect(text()).toMatch(
      /^trace 2026-01-15T12:00:00\.000Z prod listCustomActivityTypes wait 20 s for this client's rate limit$/m,
    );
    expect(text()).toMatch(
      /^trace 2026-01-15T12:00:20\.\d{3}Z prod listCustomActivityTypes GET \S+ attempt 1$/m,
    );
  });
});

describe("trace lines against the emulator", () => {
  it("forces every error path and traces no client secret and no issued token", async () => {
    const SECRET = "Emu-Secret-5f1c2a9d7b";
    const WRONG_SECRET = "Wrong-Secret-0e8b3c6a41";
    const WEBINAR = 100001;
    const seed = { activityTypes: [seededType("webinar", { id: WEBINAR })] };
    const clock = virtualClock();
    const wire = newWire(clock);
    let skew = 0; // the instance's clock runs ahead of ours from some point on (602)
    const emulator = await emulatorOn(clock, {
      seed,
      clientSecret: SECRET,
      tokenTtlSeconds: 600,
      now: () => clock.now() + skew,
    });
    let text = "";
    const trace = tracer({ write: (line) => (text += line), instance: "prod", now: clock.now });
    const client = (settings: Parameters<typeof clientFor>[3] = {}, target = emulator) =>
      clientFor(target, clock, wire, { retry: { maxAttempts: 2 }, onEvent: trace, ...settings }).client;
    const record = {
      leadId: 42,
      activityDate: "2026-01-15T12:00:00Z",
      activityTypeId: WEBINAR,
      primaryAttributeValue: "Intro to IaC",
      attributes: [],
    };

    await rejection(client({ clientSecret: WRONG_SECRET }).listCustomActivityTypes()); // 401
    const main = client();
    await main.listCustomActivityTypes();
    const [first] = [...wire.tokens];
    const echo = `Bearer ${first} access_token=${first} client_secret=${SECRET} ${first} ${SECRET}`;

    // 601 twice: re-authenticates once, then gives up.
    emulator.addFault({
      operation: "listCustomActivityTypes",
      times: 2,
      respond: { code: "601", message: echo },
    });
    await rejection(main.listCustomActivityTypes());
    // 602: the instance expired the token early; re-authenticates and succeeds.
    skew = 600_000;
    await main.describeCustomActivityType("webinar");
    skew = 0;
    emulator.addFault({ operation: "describeCustomActivityType", respond: { code: "603", message: echo } });
    await rejection(main.describeCustomActivityType("webinar"));
    emulator.addFault({ operation: "describeCustomActivityType", respond: { code: "799", message: echo } });
    await rejection(main.describeCustomActivityType("webinar"));
    // Network errors: refused before sending (retried), lost after sending (outcome unknown).
    emulator.addFault({ operation: "describeCustomActivityType", times: 2, respond: { drop: "before" } });
    await rejection(main.describeCustomActivityType("webinar"));
    emulator.addFault({ operation: "addCustomActivities", respond: { drop: "after" } });
    await rejection(main.addCustomActivities([record]));
    // Retries: 604 on add (resent), 606 until the busy deadline.
    emulator.addFault({
      operation: "addCustomActivities",
      times: 2,
      respond: { code: "604", message: echo },
    });
    await rejection(main.addCustomActivities([record]));
    emulator.addFault({
      operation: "discardCustomActivityTypeDraft",
      times: 1000,
      respond: { code: "606", message: echo },
    });
    await rejection(main.discardCustomActivityTypeDraft("webinar"));
    // Answers that are not Marketo's: an HTML page, a gateway's 502 echoing both.
    const html = `<html><body>Session ${first} for client_secret=${SECRET}</body></html>`;
    emulator.addFault({ operation: "describeCustomActivityType", respond: { httpStatus: 200, body: html } });
    await rejection(main.describeCustomActivityType("webinar"));
    const gateway = JSON.stringify({ access_token: first, error: `Bad Gateway ${first} ${SECRET}` });
    wire.nonConformantBodies.add(gateway);
    emulator.addFault({
      operation: "listCustomActivityTypes",
      times: 2,
      respond: { httpStatus: 502, body: gateway },
    });
    await rejection(main.listCustomActivityTypes());
    // The identity endpoint failing, echoing the secret it was sent.
    const identityBody = JSON.stringify({ message: `upstream saw client_secret=${SECRET}` });
    wire.nonConformantBodies.add(identityBody);
    emulator.addFault({ operation: "identity", times: 2, respond: { httpStatus: 500, body: identityBody } });
    await rejection(client().listCustomActivityTypes());
    // Business errors, and a success to end with.
    await rejection(main.describeCustomActivityType("nope"));
    expect(await main.addCustomActivities([record])).toHaveLength(1);

    expect(wire.tokens.size).toBeGreaterThanOrEqual(2);
    expectClean(text, [SECRET, WRONG_SECRET, ...wire.tokens]);
    // Every request the client sent is a request line and an answer line.
    const { requests, answers } = requestsAndAnswers(text);
    expect(requests).toHaveLength(wire.exchanges.length);
    expect(answers).toHaveLength(wire.exchanges.length);
    for (const mark of [
      " -> 401 in ",
      " reauthenticate: Marketo refused the token (601)",
      " reauthenticate: Marketo refused the token (602)",
      " -> no answer (",
      " retry in ",
      "(Marketo busy, rate limit; giving up in ",
      " failed after 1 attempt: ",
      " codes 1013 ",
      " -> 502 in ",
      " identity token renewed (rejected)",
    ])
      expect(text).toContain(mark);
    expect(text).not.toMatch(/\?|client_id=|grant_type/);
  });
});
