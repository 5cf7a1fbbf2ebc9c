import { describe, expect, it } from "vitest";
import { virtualClock } from "../helpers/clock.js";
import { codes, emulate } from "./helpers.js";

const LIST = "/rest/v1/activities/external/types.json";

describe("emulator identity", () => {
  it("issues a bearer token through GET and POST with the credentials in the query string", async () => {
    const { api } = await emulate();
    const viaGet = await api.identity("GET");
    const viaPost = await api.identity("POST");
    expect(viaGet.status).toBe(200);
    expect(viaGet.body).toStrictEqual({
      access_token: expect.stringMatching(
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:[a-z]{2,4}$/,
      ),
      token_type: "bearer",
      expires_in: 3600,
      scope: "api-user@emulator.invalid",
    });
    expect(viaPost.status).toBe(200);
    expect(viaPost.body.access_token).toBe(viaGet.body.access_token);
  });

  it("returns the same token with a decreasing expires_in until it expires, then a new one", async () => {
    const clock = virtualClock();
    const { api } = await emulate({ now: clock.now, tokenTtlSeconds: 3600 });
    const first = (await api.identity("GET")).body;
    clock.advance(1_500_000);
    const second = (await api.identity("POST")).body;
    clock.advance(2_099_500);
    const nearlyDead = (await api.identity("GET")).body;
    clock.advance(500);
    const fresh = (await api.identity("GET")).body;
    expect(first.expires_in).toBe(3600);
    expect(second).toMatchObject({ access_token: first.access_token, expires_in: 2100 });
    expect(nearlyDead).toMatchObject({ access_token: first.access_token, expires_in: 0 });
    expect(fresh.access_token).not.toBe(first.access_token);
    expect(fresh.expires_in).toBe(3600);
  });

  it("fails when the client secret is wrong, with HTTP 401 and an OAuth body", async () => {
    const { api, emulator } = await emulate();
    const response = await api.identity("GET", {
      grant_type: "client_credentials",
      client_id: emulator.clientId,
      client_secret: "not-the-secret",
    });
    expect(response.status).toBe(401);
    expect(response.body).toStrictEqual({
      error: "invalid_client",
      error_description: "Bad client credentials",
    });
  });

  it("fails when the client id is unknown, with HTTP 401", async () => {
    const { api } = await emulate();
    const response = await api.identity("POST", {
      grant_type: "client_credentials",
      client_id: "someone-else",
      client_secret: "x",
    });
    expect(response.status).toBe(401);
    expect(response.body).toStrictEqual({
      error: "unauthorized",
      error_description: "No client with requested id: someone-else",
    });
  });

  it("fails when the grant type is missing or not client_credentials", async () => {
    const { api, emulator } = await emulate();
    const credentials = { client_id: emulator.clientId, client_secret: emulator.clientSecret };
    const missing = await api.identity("GET", credentials);
    const other = await api.identity("GET", { ...credentials, grant_type: "password" });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe("invalid_request");
    expect(other.status).toBe(400);
    expect(other.body.error).toBe("unsupported_grant_type");
  });

  it("accepts custom credentials and reports them", async () => {
    const { api, emulator } = await emulate({
      clientId: "ci-client",
      clientSecret: "ci-secret",
      podCode: "sj",
    });
    expect(emulator.clientId).toBe("ci-client");
    const response = await api.identity("GET");
    expect(response.body.access_token).toMatch(/:sj$/);
  });

  it("fails with 601 when the Authorization header is missing or the token unknown", async () => {
    const { api } = await emulate();
    const missing = await api.get(LIST, { token: null });
    const unknown = await api.get(LIST, { token: "00000000-0000-0000-0000-000000000000:emu" });
    expect(codes(missing)).toStrictEqual(["601"]);
    expect(missing.body.errors[0].message).toBe("Access token invalid");
    expect(codes(unknown)).toStrictEqual(["601"]);
  });

  it("fails with 602 once the token has expired, and works again with a new token", async () => {
    const clock = virtualClock();
    const { api } = await emulate({ now: clock.now, tokenTtlSeconds: 60 });
    const token = await api.token();
    expect((await api.get(LIST, { token })).body.success).toBe(true);
    clock.advance(60_000);
    const expired = await api.get(LIST, { token });
    expect(codes(expired)).toStrictEqual(["602"]);
    expect(expired.body.errors[0].message).toBe("Access token expired");
    const renewed = await api.token();
    expect(renewed).not.toBe(token);
    expect((await api.get(LIST, { token: renewed })).body.success).toBe(true);
  });

  it("ignores the access_token query parameter unless acceptAccessTokenQuery is set", async () => {
    const strict = await emulate();
    const token = await strict.api.token();
    const refused = await strict.api.get(`${LIST}?access_token=${encodeURIComponent(token)}`, {
      token: null,
    });
    expect(codes(refused)).toStrictEqual(["601"]);

    const lenient = await emulate({ acceptAccessTokenQuery: true });
    const lenientToken = await lenient.api.token();
    const accepted = await lenient.api.get(`${LIST}?access_token=${encodeURIComponent(lenientToken)}`, {
      token: null,
    });
    expect(accepted.body.success).toBe(true);
  });

  it("does not count identity calls toward the limits and logs no credentials", async () => {
    const { api, emulator } = await emulate({
      limits: { rateLimit: { calls: 2, windowMs: 20_000 }, dailyQuota: 2 },
    });
    for (let i = 0; i < 5; i++) expect((await api.identity("GET")).status).toBe(200);
    expect(emulator.state().quota).toMatchObject({ windowCalls: 0, dailyCalls: 0 });
    expect((await api.get(LIST)).body.success).toBe(true);
    expect(emulator.state().quota).toMatchObject({ windowCalls: 1, dailyCalls: 1 });
    const logged = JSON.stringify(emulator.requests);
    expect(logged).not.toContain(emulator.clientSecret);
    expect(emulator.requests[0]).toMatchObject({ operation: "identity", path: "/identity/oauth/token" });
  });

  it("answers a wrong method on the identity path with HTTP 405", async () => {
    const { api } = await emulate();
    const response = await api.request("PUT", "/identity/oauth/token", { token: null });
    expect(response.status).toBe(405);
    expect(response.body.error).toBe("method_not_allowed");
  });
});
