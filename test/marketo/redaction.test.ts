import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { MarketoClient } from "../../src/marketo/index.js";
import { Redactor } from "../../src/marketo/redactor.js";
import { renderings } from "../helpers/renderings.js";
import { FAILING_PATHS } from "./failing-paths.js";
import { activityType, BASE_URL, CLIENT_ID, fail, ok, rejection, SECRET, setup, TOKEN } from "./helpers.js";

const SECRETS = [SECRET, TOKEN, encodeURIComponent(SECRET), encodeURIComponent(TOKEN)];

function expectClean(texts: readonly string[]): void {
  for (const text of texts) {
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  }
}

describe("no secret or token escapes", () => {
  it.each(FAILING_PATHS)("fails cleanly on %s", async (_, script, run) => {
    const { client, stub, events } = setup();
    script(stub);
    const error = await rejection(run(client));
    // The stub really saw the secret in the identity URL, so the test could catch a leak.
    expect(stub.requests[0]?.url).toContain(encodeURIComponent(SECRET));
    expectClean(renderings(error));
    expectClean(events.map((event) => JSON.stringify(event)));
    expectClean([inspect(client, { depth: 10, showHidden: true }), JSON.stringify(client)]);
  });

  it("keeps tokens out of events on the success path too", async () => {
    const { client, stub, events } = setup();
    stub.reply("describeCustomActivityType", fail("602", "Access token expired"), ok([activityType()]));
    await client.describeCustomActivityType("webinarAttended");
    expect(events.length).toBeGreaterThan(3);
    expectClean(events.map((event) => JSON.stringify(event)));
  });

  it("fails cleanly when fromEnv is missing a variable while the secret is set", () => {
    let caught: unknown;
    try {
      MarketoClient.fromEnv("MARKETO", { MARKETO_CLIENT_SECRET: SECRET, MARKETO_CLIENT_ID: CLIENT_ID });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(Error);
    expectClean(renderings(caught));
  });

  it("fails cleanly when the base URL carries a token", () => {
    let caught: unknown;
    try {
      new MarketoClient({
        baseUrl: `${BASE_URL}/rest?access_token=${TOKEN}`,
        clientId: CLIENT_ID,
        clientSecret: SECRET,
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(Error);
    expectClean(renderings(caught));
  });
});

describe("Redactor", () => {
  it("removes registered secrets and anything shaped like a credential", () => {
    const redactor = new Redactor();
    redactor.add(SECRET);
    const text = `a ${SECRET} b access_token=abc123&x=1 "client_secret": "zzz999" Authorization: Bearer tok.en-1`;
    const out = redactor.redact(text);
    expect(out).toBe(
      'a [REDACTED] b access_token=[REDACTED]&x=1 "client_secret": "[REDACTED]" Authorization: Bearer [REDACTED]',
    );
    expect(JSON.stringify({ redactor })).not.toContain(SECRET);
    expect(inspect(redactor, { showHidden: true })).not.toContain(SECRET);
  });
});
