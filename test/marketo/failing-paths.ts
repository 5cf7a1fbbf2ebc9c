/**
 * The failing paths of a client call that could carry the client secret or an access token into an
 * error, an event or a trace line: the redaction tests and the trace tests both run every one.
 */
import type { MarketoClient } from "../../src/marketo/index.js";
import {
  fail,
  json,
  networkError,
  ok,
  type Reply,
  type ScriptedFetch,
  SECRET,
  TOKEN,
  timeoutError,
  token,
} from "./helpers.js";

export const list = (client: MarketoClient) => client.listCustomActivityTypes();
export const add = (client: MarketoClient) =>
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
export const urlEcho =
  (code: string): Reply =>
  (request) =>
    networkError(code, `${code} while fetching ${request.url} with Bearer ${TOKEN}`);
const times = (n: number, reply: () => Reply): Reply[] => Array.from({ length: n }, reply);

export type Scenario = [string, (stub: ScriptedFetch) => void, (client: MarketoClient) => Promise<unknown>];

/** Every way a call can fail that could echo a secret or a token: errors, retries, 601/602, network errors. */
export const FAILING_PATHS: Scenario[] = [
  [
    "identity refused connection echoing the URL",
    (s) => s.reply("identity", ...times(6, () => urlEcho("ECONNREFUSED"))),
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
  ["identity expiring token", (s) => s.reply("identity", ...times(4, () => token(TOKEN, 0))), list],
  [
    "persistent 601 echoing the token",
    (s) =>
      s.reply("listCustomActivityTypes", ...times(2, () => fail("601", `Access token invalid ${TOKEN}`))),
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
    (s) =>
      s.reply(
        "listCustomActivityTypes",
        ...times(6, () => new Response(`bad gateway ${TOKEN}`, { status: 502 })),
      ),
    list,
  ],
  [
    "connection reset echoing the URL",
    (s) => s.reply("listCustomActivityTypes", ...times(6, () => urlEcho("ECONNRESET"))),
    list,
  ],
  ["timeouts", (s) => s.reply("listCustomActivityTypes", ...times(6, () => timeoutError())), list],
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
    (s) => s.reply("addCustomActivities", ...times(6, () => fail("606", `Max rate limit ${TOKEN}`))),
    add,
  ],
  [
    "empty single result",
    (s) => s.reply("updateCustomActivityType", ok([])),
    (c) => c.updateCustomActivityType("webinarAttended", { name: "Webinar" }),
  ],
];
