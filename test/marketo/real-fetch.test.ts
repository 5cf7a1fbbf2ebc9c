/**
 * The client with Node's real fetch (undici) against a loopback server: checks that real connection
 * failures are classified as the unit tests assume. Time still comes from the fake clock.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { MarketoNetworkError, MarketoOutcomeUnknownError } from "../../src/marketo/errors.js";
import { MarketoClient } from "../../src/marketo/index.js";
import { virtualClock } from "../helpers/clock.js";
import { CLIENT_ID, SECRET, TOKEN } from "./helpers.js";

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function client(baseUrl: string) {
  const clock = virtualClock();
  return new MarketoClient({
    baseUrl,
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    now: clock.now,
    sleep: clock.sleep,
    retry: { maxAttempts: 2 },
  });
}

const record = {
  leadId: 1,
  activityDate: "2026-01-15T12:00:00Z",
  activityTypeId: 100001,
  primaryAttributeValue: "x",
  attributes: [],
};

describe("with Node's fetch", () => {
  it("fails when nothing listens, reporting ECONNREFUSED without the identity URL", async () => {
    const url = await serve(() => undefined);
    await new Promise((resolve) => servers.pop()?.close(resolve));
    const error = await client(url)
      .listCustomActivityTypes()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MarketoNetworkError);
    expect(error).toMatchObject({ networkCode: "ECONNREFUSED", operation: "identity", attempts: 2 });
    expect(JSON.stringify(error) + String(error) + (error as Error).stack).not.toContain(SECRET);
  });

  it("fails when the server drops the connection after an add request arrived, without resending", async () => {
    const seen: string[] = [];
    const url = await serve((req, res) => {
      seen.push(req.url ?? "");
      if (req.url?.startsWith("/identity/")) {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ access_token: TOKEN, token_type: "bearer", expires_in: 3599 }));
        return;
      }
      req.resume();
      req.on("end", () => req.socket.destroy());
    });
    const error = await client(url)
      .addCustomActivities([record])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MarketoOutcomeUnknownError);
    expect(seen.filter((path) => path === "/rest/v1/activities/external.json")).toHaveLength(1);
  });

  it("round-trips a request with the bearer header and parses the response", async () => {
    let authorization: string | undefined;
    const url = await serve((req, res) => {
      res.setHeader("content-type", "application/json");
      if (req.url?.startsWith("/identity/")) {
        res.end(JSON.stringify({ access_token: TOKEN, token_type: "bearer", expires_in: 3599 }));
        return;
      }
      authorization = req.headers.authorization;
      res.end(JSON.stringify({ requestId: "1#2", success: true, result: [{ id: 100001, apiName: "a1" }] }));
    });
    const types = await client(url).listCustomActivityTypes();
    expect(types).toEqual([{ id: 100001, apiName: "a1" }]);
    expect(authorization).toBe(`Bearer ${TOKEN}`);
  });
});
