import { describe, expect, it } from "vitest";
import {
  credentialsFromEnv,
  MarketoConfigError,
  MissingCredentialsError,
  normalizeBaseUrl,
} from "../../src/marketo/credentials.js";
import { MarketoClient } from "../../src/marketo/index.js";
import { MarketoActivitiesError } from "../../src/schema/errors.js";
import { virtualClock } from "../helpers/clock.js";
import { BASE_URL, CLIENT_ID, rejection, SECRET, scriptedFetch } from "./helpers.js";

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error("expected a throw");
}

describe("MarketoClient.fromEnv", () => {
  it("fails when every variable is missing, naming all of them in one error", () => {
    const error = thrown(() => MarketoClient.fromEnv("MARKETO", {}));
    expect(error).toBeInstanceOf(MissingCredentialsError);
    expect(error).toBeInstanceOf(MarketoActivitiesError);
    const missing = error as MissingCredentialsError;
    expect(missing.code).toBe("MissingCredentials");
    expect(missing.missing).toEqual(["MARKETO_BASE_URL", "MARKETO_CLIENT_ID", "MARKETO_CLIENT_SECRET"]);
    expect(missing.message).toContain("MARKETO_BASE_URL (or MARKETO_MUNCHKIN_ID)");
    expect(missing.message).toContain("export MARKETO_CLIENT_SECRET=");
    expect(missing.hint).toContain("marketo-activities emulator");
  });

  it("fails when only the secret is missing, without echoing the other values", () => {
    const error = thrown(() =>
      MarketoClient.fromEnv("MARKETO", {
        MARKETO_BASE_URL: BASE_URL,
        MARKETO_CLIENT_ID: CLIENT_ID,
        MARKETO_CLIENT_SECRET: "  ",
      }),
    ) as MissingCredentialsError;
    expect(error.missing).toEqual(["MARKETO_CLIENT_SECRET"]);
    expect(error.message).toMatch(/MARKETO_CLIENT_SECRET is not set/);
    expect(error.message).not.toContain(CLIENT_ID);
  });

  it("never puts the secret in the error when another variable is missing", () => {
    const error = thrown(() => MarketoClient.fromEnv("MARKETO", { MARKETO_CLIENT_SECRET: SECRET }));
    expect((error as MissingCredentialsError).missing).toEqual(["MARKETO_BASE_URL", "MARKETO_CLIENT_ID"]);
    expect(`${error.message} ${JSON.stringify(error)} ${error.stack}`).not.toContain(SECRET);
  });

  it("builds the base URL from a Munchkin id", () => {
    const credentials = credentialsFromEnv("MARKETO", {
      MARKETO_MUNCHKIN_ID: "123-ABC-456",
      MARKETO_CLIENT_ID: CLIENT_ID,
      MARKETO_CLIENT_SECRET: SECRET,
    });
    expect(credentials).toEqual({ baseUrl: BASE_URL, clientId: CLIENT_ID, clientSecret: SECRET });
  });

  it("prefers the base URL over the Munchkin id", () => {
    const credentials = credentialsFromEnv("MARKETO", {
      MARKETO_BASE_URL: "http://127.0.0.1:4010",
      MARKETO_MUNCHKIN_ID: "123-ABC-456",
      MARKETO_CLIENT_ID: CLIENT_ID,
      MARKETO_CLIENT_SECRET: SECRET,
    });
    expect(credentials.baseUrl).toBe("http://127.0.0.1:4010");
  });

  it("reads the variables of another prefix, and names them in errors", async () => {
    const env = {
      MARKETO_PROD_BASE_URL: "https://999-XYZ-888.mktorest.com/rest/",
      MARKETO_PROD_CLIENT_ID: CLIENT_ID,
      MARKETO_PROD_CLIENT_SECRET: SECRET,
      MARKETO_BASE_URL: BASE_URL,
    };
    const clock = virtualClock();
    const stub = scriptedFetch(clock);
    stub.reply(
      "identity",
      new Response(JSON.stringify({ error: "invalid_client", error_description: "Bad client credentials" }), {
        status: 401,
      }),
    );
    const client = MarketoClient.fromEnv("MARKETO_PROD", env, {
      fetch: stub.fetch,
      now: clock.now,
      sleep: clock.sleep,
    });
    expect(client.baseUrl).toBe("https://999-xyz-888.mktorest.com");
    const error = await rejection(client.listCustomActivityTypes());
    expect(error.message).toContain("MARKETO_PROD_CLIENT_ID");
    expect(error.message).toContain("MARKETO_PROD_CLIENT_SECRET");
    expect(stub.requests[0]?.url.startsWith("https://999-xyz-888.mktorest.com/identity/oauth/token?")).toBe(
      true,
    );
  });

  it("fails when the prefix is not a valid variable prefix", () => {
    expect(thrown(() => MarketoClient.fromEnv("marketo-prod", {}))).toBeInstanceOf(MarketoConfigError);
  });

  it("fails when the Munchkin id is not one", () => {
    const error = thrown(() =>
      credentialsFromEnv("MARKETO", {
        MARKETO_MUNCHKIN_ID: "https://x.mktorest.com",
        MARKETO_CLIENT_ID: CLIENT_ID,
        MARKETO_CLIENT_SECRET: SECRET,
      }),
    );
    expect(error).toBeInstanceOf(MarketoConfigError);
    expect((error as MarketoConfigError).setting).toBe("MARKETO_MUNCHKIN_ID");
  });
});

describe("normalizeBaseUrl", () => {
  it.each([
    ["https://123-ABC-456.mktorest.com", BASE_URL],
    [BASE_URL, BASE_URL],
    ["https://123-ABC-456.mktorest.com/", BASE_URL],
    ["  https://123-ABC-456.mktorest.com//  ", BASE_URL],
    ["https://123-ABC-456.mktorest.com/rest", BASE_URL],
    ["https://123-ABC-456.mktorest.com/rest/", BASE_URL],
    ["https://123-ABC-456.mktorest.com/rest/v1", BASE_URL],
    ["https://123-ABC-456.mktorest.com/identity", BASE_URL],
    ["https://123-ABC-456.mktorest.com/IDENTITY/", BASE_URL],
    ["http://127.0.0.1:4010/", "http://127.0.0.1:4010"],
    ["http://localhost:4010/proxy/marketo/", "http://localhost:4010/proxy/marketo"],
  ])("turns %s into %s", (input, expected) => {
    expect(normalizeBaseUrl(input)).toBe(expected);
  });

  it("fails when the value is not a URL, naming the setting and not echoing the value", () => {
    const error = thrown(() => normalizeBaseUrl("999-XYZ-888", "MARKETO_BASE_URL"));
    expect(error).toBeInstanceOf(MarketoConfigError);
    expect(error.message).toContain("MARKETO_BASE_URL is not a URL");
    expect(error.message).not.toContain("999-XYZ-888");
  });

  it("fails when the URL carries a query, which could hold a token, without echoing it", () => {
    const error = thrown(() => normalizeBaseUrl(`${BASE_URL}/rest?access_token=abc123def456`));
    expect(error).toBeInstanceOf(MarketoConfigError);
    expect(error.message).not.toContain("abc123def456");
  });

  it("fails when the scheme is not http(s)", () => {
    expect(thrown(() => normalizeBaseUrl("ftp://123-ABC-456.mktorest.com"))).toBeInstanceOf(
      MarketoConfigError,
    );
  });
});

describe("new MarketoClient", () => {
  it("fails when the client id or secret is empty", () => {
    expect(
      thrown(() => new MarketoClient({ baseUrl: BASE_URL, clientId: "", clientSecret: SECRET })),
    ).toBeInstanceOf(MarketoConfigError);
    expect(
      thrown(() => new MarketoClient({ baseUrl: BASE_URL, clientId: CLIENT_ID, clientSecret: " " })),
    ).toBeInstanceOf(MarketoConfigError);
  });

  it("shows only its base URL when inspected or serialized", async () => {
    const { inspect } = await import("node:util");
    const client = new MarketoClient({ baseUrl: BASE_URL, clientId: CLIENT_ID, clientSecret: SECRET });
    expect(JSON.stringify(client)).toBe(JSON.stringify({ baseUrl: BASE_URL }));
    expect(inspect(client, { depth: 10, showHidden: true })).not.toContain(SECRET);
    expect(String(Object.values(client))).not.toContain(SECRET);
  });
});
