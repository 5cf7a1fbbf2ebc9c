import { describe, expect, it } from "vitest";
import { TokenManager } from "../../src/marketo/auth.js";
import { MarketoAuthError, MarketoHttpError } from "../../src/marketo/errors.js";
import {
  activityType,
  CLIENT_ID,
  fail,
  json,
  ok,
  rejection,
  SECRET,
  setup,
  TOKEN,
  TOKEN_2,
  tick,
  token,
} from "./helpers.js";

describe("authentication", () => {
  it("requests a token with POST and query parameters, and sends it only as a Bearer header", async () => {
    const { client, stub } = setup();
    stub.reply("listCustomActivityTypes", ok([activityType()]));
    await client.listCustomActivityTypes();

    const [identity, list] = stub.requests;
    expect(identity?.operation).toBe("identity");
    expect(identity?.method).toBe("POST");
    expect(identity?.path).toBe("/identity/oauth/token");
    expect(Object.fromEntries(identity?.query ?? [])).toEqual({
      grant_type: "client_credentials",
      client_id: CLIENT_ID,
      client_secret: SECRET,
    });
    expect(identity?.headers["authorization"]).toBeUndefined();
    expect(list?.headers["authorization"]).toBe(`Bearer ${TOKEN}`);
    expect(list?.url).not.toContain("access_token");
    expect(list?.url).not.toContain(SECRET);
  });

  it("reuses one token across calls", async () => {
    const { client, stub } = setup();
    stub.reply("listCustomActivityTypes", ok(), ok(), ok());
    await client.listCustomActivityTypes();
    await client.listCustomActivityTypes();
    await client.listCustomActivityTypes();
    expect(stub.operations()).toEqual([
      "identity",
      "listCustomActivityTypes",
      "listCustomActivityTypes",
      "listCustomActivityTypes",
    ]);
    expect(client.usage()).toEqual({
      total: 3,
      byOperation: { listCustomActivityTypes: 3 },
      retries: 0,
      identity: 1,
    });
  });

  it("keeps using a token while more than the safety margin is left", async () => {
    const { client, stub, clock } = setup();
    stub.reply("identity", token(TOKEN, 100));
    stub.reply("listCustomActivityTypes", ok(), ok());
    await client.listCustomActivityTypes();
    clock.advance(80_000); // 20 s left, margin is 10 s
    await client.listCustomActivityTypes();
    expect(stub.operations().filter((op) => op === "identity")).toHaveLength(1);
  });

  it("asks again when the token expires mid-run, measured on the injected clock", async () => {
    const { client, stub, clock, events } = setup();
    stub.reply("identity", token(TOKEN, 100), token(TOKEN_2, 3599));
    stub.reply("listCustomActivityTypes", ok(), ok());
    await client.listCustomActivityTypes();
    clock.advance(95_000); // 5 s left: inside the 10 s margin
    await client.listCustomActivityTypes();
    expect(stub.operations()).toEqual([
      "identity",
      "listCustomActivityTypes",
      "identity",
      "listCustomActivityTypes",
    ]);
    expect(stub.requests[3]?.headers["authorization"]).toBe(`Bearer ${TOKEN_2}`);
    expect(events.filter((e) => e.type === "tokenRefreshed")).toEqual([
      { type: "tokenRefreshed", reason: "initial", expiresInSeconds: 100 },
      { type: "tokenRefreshed", reason: "expiring", expiresInSeconds: 3599 },
    ]);
  });

  it("waits out a token returned with expires_in 0, then asks again", async () => {
    const { client, stub, clock, events } = setup();
    stub.reply("identity", token(TOKEN, 0), token(TOKEN_2, 3599));
    stub.reply("listCustomActivityTypes", ok());
    const start = clock.now();
    await client.listCustomActivityTypes();
    expect(stub.operations()).toEqual(["identity", "identity", "listCustomActivityTypes"]);
    expect(stub.requests[1]?.at).toBeGreaterThanOrEqual(start + 1000);
    expect(stub.requests[2]?.headers["authorization"]).toBe(`Bearer ${TOKEN_2}`);
    expect(events).toContainEqual({ type: "tokenWait", waitMs: 1000, expiresInSeconds: 0 });
  });

  it("waits out a token that is inside the safety margin (expires_in 5)", async () => {
    const { client, stub, clock } = setup();
    stub.reply("identity", token(TOKEN, 5), token(TOKEN_2, 3599));
    stub.reply("listCustomActivityTypes", ok());
    await client.listCustomActivityTypes();
    expect(clock.sleeps).toEqual([6000]);
    expect(stub.requests[2]?.headers["authorization"]).toBe(`Bearer ${TOKEN_2}`);
  });

  it("fails when the identity endpoint keeps returning an expiring token", async () => {
    const { client, stub } = setup();
    stub.reply(
      "identity",
      token(TOKEN, 0),
      token(TOKEN, 0),
      token(TOKEN, 0),
      token(TOKEN, 0),
      token(TOKEN, 0),
    );
    const error = await rejection(client.listCustomActivityTypes());
    expect(error).toBeInstanceOf(MarketoAuthError);
    expect((error as MarketoAuthError).reason).toBe("tokenExpiring");
    expect(stub.operations()).toEqual(["identity", "identity", "identity", "identity"]);
  });

  it("shares one identity request among concurrent callers", async () => {
    const { client, stub } = setup();
    stub.reply("identity", async () => {
      await tick();
      return token();
    });
    for (let i = 0; i < 5; i++) stub.reply("listCustomActivityTypes", ok());
    await Promise.all(Array.from({ length: 5 }, () => client.listCustomActivityTypes()));
    expect(client.usage().identity).toBe(1);
    expect(stub.rest()).toHaveLength(5);
  });

  it.each(["601", "602"])("re-authenticates once on %s and resends the call", async (code) => {
    const { client, stub, events } = setup();
    stub.reply("identity", token(TOKEN), token(TOKEN_2));
    stub.reply("describeCustomActivityType", fail(code, "Access token invalid"), ok([activityType()]));
    const type = await client.describeCustomActivityType("webinarAttended");
    expect(type.apiName).toBe("webinarAttended");
    expect(stub.operations()).toEqual([
      "identity",
      "describeCustomActivityType",
      "identity",
      "describeCustomActivityType",
    ]);
    expect(stub.requests[1]?.headers["authorization"]).toBe(`Bearer ${TOKEN}`);
    expect(stub.requests[3]?.headers["authorization"]).toBe(`Bearer ${TOKEN_2}`);
    expect(events).toContainEqual({ type: "reauthenticate", operation: "describeCustomActivityType", code });
    expect(events).toContainEqual({ type: "tokenRefreshed", reason: "rejected", expiresInSeconds: 3599 });
    expect(client.usage()).toMatchObject({ total: 2, retries: 1, identity: 2 });
  });

  it("fails when 601 persists after re-authenticating, without a third try", async () => {
    const { client, stub } = setup();
    stub.reply(
      "describeCustomActivityType",
      fail("601", "Access token invalid"),
      fail("601", "Access token invalid"),
    );
    const error = await rejection(client.describeCustomActivityType("webinarAttended"));
    expect(error).toBeInstanceOf(MarketoAuthError);
    expect(error).toMatchObject({ code: "MarketoAuth", reason: "tokenRejected", codes: ["601"] });
    expect(error.message).toContain('describeCustomActivityType for "webinarAttended"');
    expect(stub.rest()).toHaveLength(2);
  });

  it("fails when the identity endpoint rejects the credentials, without retrying", async () => {
    const { client, stub } = setup();
    stub.reply(
      "identity",
      json({ error: "invalid_client", error_description: "Bad client credentials" }, 401),
    );
    const error = await rejection(client.listCustomActivityTypes());
    expect(error).toBeInstanceOf(MarketoAuthError);
    expect(error).toMatchObject({ reason: "badCredentials", httpStatus: 401, codes: ["invalid_client"] });
    expect(error.message).toContain("Bad client credentials");
    expect(error.message).toContain("clientId");
    expect(error.message).toContain("clientSecret");
    expect(stub.operations()).toEqual(["identity"]);
  });

  it("fails when the client id is unknown (error 'unauthorized')", async () => {
    const { client, stub } = setup();
    stub.reply(
      "identity",
      json({ error: "unauthorized", error_description: `No client with requested id: ${CLIENT_ID}` }, 401),
    );
    const error = await rejection(client.listCustomActivityTypes());
    expect(error).toMatchObject({ reason: "badCredentials" });
  });

  it("retries the identity call on a 503, which is idempotent", async () => {
    const { client, stub } = setup();
    stub.reply("identity", new Response("Service Unavailable", { status: 503 }), token());
    stub.reply("listCustomActivityTypes", ok());
    await client.listCustomActivityTypes();
    expect(stub.operations()).toEqual(["identity", "identity", "listCustomActivityTypes"]);
    expect(client.usage().identity).toBe(2);
  });

  it("fails when the identity endpoint answers something that is not a token", async () => {
    const { client, stub } = setup();
    stub.reply("identity", new Response("<html>maintenance</html>", { status: 200 }));
    const error = await rejection(client.listCustomActivityTypes());
    expect(error).toBeInstanceOf(MarketoHttpError);
    expect(error.message).toContain(
      "identity with HTTP 200 and an HTML page instead of Marketo's JSON answer",
    );
    expect((error as MarketoHttpError).hint).toContain(
      "may point at something other than Marketo's REST host",
    );
  });
});

describe("TokenManager", () => {
  it("drops a rejected token only if it is still the cached one", async () => {
    let now = 0;
    const issued = [TOKEN, TOKEN_2];
    const manager = new TokenManager({
      requestToken: async () => ({ accessToken: issued.shift() ?? "none", expiresInSeconds: 3600 }),
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
    });
    expect(await manager.get()).toBe(TOKEN);
    manager.invalidate("some-older-token");
    expect(await manager.get()).toBe(TOKEN);
    manager.invalidate(TOKEN);
    expect(manager.hasToken).toBe(false);
    expect(await manager.get()).toBe(TOKEN_2);
  });
});
