import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { MarketoClient } from "../../src/marketo/index.js";
import { Redactor } from "../../src/marketo/redactor.js";
import { renderings } from "../helpers/renderings.js";
import {
  activityType,
  BASE_URL,
  CLIENT_ID,
  fail,
  json,
  networkError,
  ok,
  type Reply,
  rejection,
  type ScriptedFetch,
  SECRET,
  setup,
  TOKEN,
  timeoutError,
  token,
} from "./helpers.js";

const SECRETS = [SECRET, TOKEN, encodeURIComponent(SECRET), encodeURIComponent(TOKEN)];

function expectClean(texts: readonly string[]): void {
  for (const text of texts) {
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  }
}

type Scenario = [string, (stub: ScriptedFetch) => void, (client: MarketoClient) => Promise<unknown>];

const list = (client: MarketoClient) => client.listCustomActivityTypes();
const add = (client: MarketoClient) =>
  client.addCustomActivities([
    {
      leadId: 1,
      activityDate: "2026-01-15T12:00:00Z",
      activityTypeId: 100001,
      primaryAttributeValue: "x",
      attributes: [],
    },
  ]);
/** A network error whose message carries the full request URL, as undici's can. */
const urlEcho =
  (code: string): Reply =>
  (request) =>
    networkError(code, `${code} while fetching ${request.url} with Bearer ${TOKEN}`);

const scenarios: Scenario[] = [
  [
    "identity refused connection echoing the URL",
    (s) =>
      s.reply(
        "identity",
        urlEcho("ECONNREFUSED"),
        urlEcho("ECONNREFUSED"),
        urlEcho("ECONNREFUSED"),
        urlEcho("ECONNREFUSED"),
        urlEcho("ECONNREFUSED"),
        urlEcho("ECONNREFUSED"),
      ),
    list,
  ],
  ["identity host not found echoing the URL", (s) => s.reply("identity", urlEcho("ENOTFOUND")), list],
  [
    "identity URL refused by fetch",
    (s) => s.reply("identity", (r) => new TypeError(`Failed to parse URL from ${r.url}`)),
    list,
  ],
  [
    "identity bad credentials echoing the secret",
    (s) =>
      s.reply(
        "identity",
        json({ error: "invalid_client", error_description: `Bad client credentials ${SECRET}` }, 401),
      ),
    list,
  ],
  [
    "identity HTML echoing the URL",
    (s) => s.reply("identity", (r) => new Response(`<html>${r.url}</html>`, { status: 200 })),
    list,
  ],
  [
    "identity unexpected status echoing the secret",
    (s) => s.reply("identity", new Response(`denied client_secret=${SECRET}`, { status: 403 })),
    list,
  ],
  [
    "identity expiring token",
    (s) => s.reply("identity", token(TOKEN, 0), token(TOKEN, 0), token(TOKEN, 0), token(TOKEN, 0)),
    list,
  ],
  [
    "persistent 601 echoing the token",
    (s) =>
      s.reply(
        "listCustomActivityTypes",
        fail("601", `Access token invalid ${TOKEN}`),
        fail("601", `Access token invalid ${TOKEN}`),
      ),
    list,
  ],
  [
    "success:false echoing the token",
    (s) => s.reply("listCustomActivityTypes", fail("603", `Access denied for ${TOKEN}`)),
    list,
  ],
  [
    "non-JSON 200 echoing the token",
    (s) =>
      s.reply(
        "listCustomActivityTypes",
        new Response(`<p>Authorization: Bearer ${TOKEN} access_token=${TOKEN}</p>`),
      ),
    list,
  ],
  [
    "404 echoing the token",
    (s) => s.reply("listCustomActivityTypes", new Response(`{"access_token":"${TOKEN}"}`, { status: 404 })),
    list,
  ],
  [
    "5xx storm echoing the token",
    (s) => {
      for (let i = 0; i < 6; i++)
        s.reply("listCustomActivityTypes", new Response(`bad gateway ${TOKEN}`, { status: 502 }));
    },
    list,
  ],
  [
    "connection reset echoing the URL",
    (s) => {
      for (let i = 0; i < 6; i++) s.reply("listCustomActivityTypes", urlEcho("ECONNRESET"));
    },
    list,
  ],
  [
    "timeouts",
    (s) => {
      for (let i = 0; i < 6; i++) s.reply("listCustomActivityTypes", timeoutError());
    },
    list,
  ],
  ["607 quota", (s) => s.reply("listCustomActivityTypes", fail("607", "Daily quota reached")), list],
  ["shape mismatch", (s) => s.reply("listCustomActivityTypes", ok([{ id: TOKEN }])), list],
  [
    "add outcome unknown after a reset echoing the URL",
    (s) => s.reply("addCustomActivities", urlEcho("ECONNRESET")),
    add,
  ],
  [
    "add outcome unknown after a 502 echoing the token",
    (s) => s.reply("addCustomActivities", new Response(`upstream ${TOKEN}`, { status: 502 })),
    add,
  ],
  [
    "add rejected by 606 until the budget is spent",
    (s) => {
      for (let i = 0; i < 6; i++) s.reply("addCustomActivities", fail("606", `Max rate limit ${TOKEN}`));
    },
    add,
  ],
  [
    "empty single result",
    (s) => s.reply("updateCustomActivityType", ok([])),
    (c) => c.updateCustomActivityType("webinarAttended", { name: "Webinar" }),
  ],
];

describe("no secret or token escapes", () => {
  it.each(scenarios)("fails cleanly on %s", async (_, script, run) => {
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
