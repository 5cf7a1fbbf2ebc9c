/**
 * Redirects with Node's real fetch (undici) and two loopback servers: the instance's, which answers
 * 307 or 308 to another origin, and that other origin, which records whatever reaches it. Nothing
 * may: not the identity call (its URL holds the secret), not a type definition, not a lead id. Time
 * still comes from the virtual clock.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { MarketoHttpError } from "../../src/marketo/errors.js";
import { MarketoClient, type MarketoClientEvent } from "../../src/marketo/index.js";
import { virtualClock } from "../helpers/clock.js";
import { CLIENT_ID, rejection, SECRET, TOKEN } from "./helpers.js";

interface Hit {
  readonly method: string;
  readonly url: string;
  readonly body: string;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A loopback server recording every request with its body; `answer` writes the response. */
async function serve(answer: (hit: Hit, res: ServerResponse) => void): Promise<{ url: string; hits: Hit[] }> {
  const hits: Hit[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      const hit = { method: req.method ?? "", url: req.url ?? "", body };
      hits.push(hit);
      answer(hit, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

/** The other origin: answers like Marketo would, so that a followed redirect would succeed. */
function collector() {
  return serve((hit, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      hit.url.startsWith("/identity")
        ? JSON.stringify({ access_token: TOKEN, token_type: "bearer", expires_in: 3599 })
        : JSON.stringify({ requestId: "c#1", success: true, result: [] }),
    );
  });
}

function clientOf(baseUrl: string, events: MarketoClientEvent[] = []) {
  const clock = virtualClock();
  return new MarketoClient({
    baseUrl,
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    now: clock.now,
    sleep: clock.sleep,
    onEvent: (event) => events.push(event),
  });
}

describe("redirects, with Node's fetch", () => {
  it("fails when the identity call is redirected, and neither the secret nor anything else reaches the other origin", async () => {
    // GIVEN an instance that redirects everything, with its query, to another origin
    const other = await collector();
    const events: MarketoClientEvent[] = [];
    const instance = await serve((hit, res) => {
      res.writeHead(307, { location: `${other.url}${hit.url}` });
      res.end();
    });
    // WHEN the client makes a call
    const error = await rejection(clientOf(instance.url, events).listCustomActivityTypes());
    // THEN it fails naming the other origin, and the other origin saw nothing
    expect(error).toBeInstanceOf(MarketoHttpError);
    expect(error.message).toBe(
      `Marketo answered identity with HTTP 307 and a redirect to ${other.url}/identity/oauth/token, which the client does not follow`,
    );
    expect(other.hits).toStrictEqual([]);
    expect(instance.hits.map((h) => h.url.split("?")[0])).toStrictEqual(["/identity/oauth/token"]);
    const shown = [error.message, (error as MarketoHttpError).hint, JSON.stringify(error), error.stack];
    expect(`${shown.join("\n")}\n${JSON.stringify(events)}`).not.toContain(SECRET);
  });

  it("fails when type definitions and activity records are redirected, sending them nowhere else and once", async () => {
    // GIVEN an instance that issues tokens but redirects every REST call to another origin
    const other = await collector();
    let status = 307;
    const instance = await serve((hit, res) => {
      if (hit.url.startsWith("/identity")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ access_token: TOKEN, token_type: "bearer", expires_in: 3599 }));
        return;
      }
      res.writeHead(status, { location: `${other.url}${hit.url}` });
      res.end();
    });
    const client = clientOf(instance.url);
    // WHEN a type is created (307) and records are added (308)
    const create = await rejection(
      client.createCustomActivityType({
        apiName: "webinarAttended",
        name: "Webinar Attended",
        triggerName: "Attends Webinar",
        filterName: "Attended Webinar",
        primaryAttribute: { apiName: "webinarName", name: "Webinar Name", dataType: "string" },
      }),
    );
    status = 308;
    const add = await rejection(
      client.addCustomActivities([
        {
          leadId: 4242,
          activityDate: "2026-01-15T12:00:00Z",
          activityTypeId: 100001,
          primaryAttributeValue: "Intro",
          attributes: [],
        },
      ]),
    );
    // THEN both fail at once, naming where they were sent, and nothing reached the other origin
    expect(create).toBeInstanceOf(MarketoHttpError);
    expect(create).toMatchObject({ httpStatus: 307, attempts: 1, retryable: false });
    expect(create.message).toContain(
      `with HTTP 307 and a redirect to ${other.url}/rest/v1/activities/external/type.json, which the client does not follow`,
    );
    expect(add).toBeInstanceOf(MarketoHttpError);
    expect(add).toMatchObject({ httpStatus: 308, attempts: 1 });
    expect(other.hits).toStrictEqual([]);
    expect(instance.hits.map((h) => `${h.method} ${h.url.split("?")[0]}`)).toStrictEqual([
      "POST /identity/oauth/token",
      "POST /rest/v1/activities/external/type.json",
      "POST /rest/v1/activities/external.json",
    ]);
    expect(instance.hits[2]?.body).toContain('"leadId":4242');
  });
});
