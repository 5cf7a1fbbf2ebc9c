import { describe, expect, it } from "vitest";
import {
  credentialsFromEnv,
  isLoopbackHost,
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

  it("accepts the base URL and the Munchkin id together when they name the same instance", () => {
    const credentials = credentialsFromEnv("MARKETO", {
      MARKETO_BASE_URL: "https://123-ABC-456.mktorest.com/rest/",
      MARKETO_MUNCHKIN_ID: "123-abc-456",
      MARKETO_CLIENT_ID: CLIENT_ID,
      MARKETO_CLIENT_SECRET: SECRET,
    });
    expect(credentials.baseUrl).toBe(BASE_URL);
  });

  it("fails when the base URL and the Munchkin id name different instances, naming both values", () => {
    // GIVEN a base URL of the local emulator and a Munchkin id of a real instance, both set
    const env = {
      MARKETO_BASE_URL: "http://127.0.0.1:4010",
      MARKETO_MUNCHKIN_ID: "123-ABC-456",
      MARKETO_CLIENT_ID: CLIENT_ID,
      MARKETO_CLIENT_SECRET: SECRET,
    };
    // WHEN the client is made from them THEN neither wins: the error names both and says to unset one
    const error = thrown(() => MarketoClient.fromEnv("MARKETO", env)) as MarketoConfigError;
    expect(error).toBeInstanceOf(MarketoConfigError);
    expect(error.setting).toBe("MARKETO_BASE_URL");
    expect(error.message).toBe(
      "MARKETO_BASE_URL and MARKETO_MUNCHKIN_ID name different Marketo instances: MARKETO_BASE_URL is http://127.0.0.1:4010, but MARKETO_MUNCHKIN_ID 123-ABC-456 means https://123-abc-456.mktorest.com",
    );
    expect(error.hint).toBe(
      "unset one of them: keep MARKETO_BASE_URL alone for a proxy or the local emulator, or MARKETO_MUNCHKIN_ID alone for https://<Munchkin id>.mktorest.com",
    );
    expect(`${error.message} ${error.hint}`).not.toContain(SECRET);
  });

  it("fails when the base URL points at another instance's REST host than the Munchkin id", () => {
    const error = thrown(() =>
      credentialsFromEnv("MARKETO_PROD", {
        MARKETO_PROD_BASE_URL: "https://999-XYZ-888.mktorest.com",
        MARKETO_PROD_MUNCHKIN_ID: "123-ABC-456",
        MARKETO_PROD_CLIENT_ID: CLIENT_ID,
        MARKETO_PROD_CLIENT_SECRET: SECRET,
      }),
    );
    expect(error).toBeInstanceOf(MarketoConfigError);
    expect(error.message).toContain("https://999-xyz-888.mktorest.com");
    expect(error.message).toContain("MARKETO_PROD_MUNCHKIN_ID 123-ABC-456");
  });

  it("fails when a Munchkin id set next to the base URL is not one", () => {
    const error = thrown(() =>
      credentialsFromEnv("MARKETO", {
        MARKETO_BASE_URL: BASE_URL,
        MARKETO_MUNCHKIN_ID: "123 ABC 456",
        MARKETO_CLIENT_ID: CLIENT_ID,
        MARKETO_CLIENT_SECRET: SECRET,
      }),
    );
    expect(error).toBeInstanceOf(MarketoConfigError);
    expect((error as MarketoConfigError).setting).toBe("MARKETO_MUNCHKIN_ID");
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
    ["https://123-ABC-456.mktorest.com//rest//v1/", BASE_URL],
  ])("turns %s into %s", (input, expected) => {
    expect(normalizeBaseUrl(input)).toBe(expected);
  });

  it.each([
    "https://123-ABC-456.mktorest.com/rest/v1/activities",
    "https://123-ABC-456.mktorest.com/rest/v1/activities/external/types.json",
    "https://123-ABC-456.mktorest.com/identity/oauth/token",
    "https://123-ABC-456.mktorest.com/v1",
    "http://localhost:4010/proxy/marketo/",
  ])("fails for %s, which has a path: the client adds each call's path to the host root", (url) => {
    const error = thrown(() => normalizeBaseUrl(url, "MARKETO_BASE_URL")) as MarketoConfigError;
    expect(error).toBeInstanceOf(MarketoConfigError);
    expect(error.setting).toBe("MARKETO_BASE_URL");
    const { origin, pathname } = new URL(url);
    expect(error.message).toBe(
      `MARKETO_BASE_URL must be the REST host root, such as https://123-ABC-456.mktorest.com, without a path: got ${origin.toLowerCase()}${pathname}`,
    );
    expect(error.hint?.startsWith(`set MARKETO_BASE_URL to ${origin.toLowerCase()} (a trailing /rest`)).toBe(
      true,
    );
  });

  it("names the variable and its value for a path in the environment, before any call", () => {
    const error = thrown(() =>
      MarketoClient.fromEnv("MARKETO_PROD", {
        MARKETO_PROD_BASE_URL: "http://127.0.0.1:8787/rest/v1/activities",
        MARKETO_PROD_CLIENT_ID: CLIENT_ID,
        MARKETO_PROD_CLIENT_SECRET: SECRET,
      }),
    ) as MarketoConfigError;
    expect(error).toBeInstanceOf(MarketoConfigError);
    expect(error.message).toBe(
      "MARKETO_PROD_BASE_URL must be the REST host root, such as https://123-ABC-456.mktorest.com, without a path: got http://127.0.0.1:8787/rest/v1/activities",
    );
    expect(error.hint).toBe(
      "set MARKETO_PROD_BASE_URL to http://127.0.0.1:8787 (a trailing /rest or /identity, as Admin > Integration > Web Services shows the endpoints, is accepted too); the client adds each call's path itself",
    );
    expect(`${error.message} ${error.hint}`).not.toContain(SECRET);
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

describe("plain http", () => {
  it.each([
    "http://127.0.0.1:4010",
    "http://127.255.3.4",
    "http://127.1:4010", // the URL parser writes it 127.0.0.1
    "http://localhost:4010",
    "http://LOCALHOST",
    "http://[::1]:4010",
  ])("is accepted for %s, an address of this machine", (url) => {
    expect(normalizeBaseUrl(url).startsWith("http://")).toBe(true);
  });

  it.each([
    "http://192.0.2.2",
    "http://10.0.0.1:4010",
    "http://123-abc-456.mktorest.com",
    "http://127.0.0.1.example.com",
    "http://app.localhost",
    "http://[::2]",
    "http://[::ffff:192.0.2.2]",
  ])("fails for %s, which is not this machine", (url) => {
    const error = thrown(() => normalizeBaseUrl(url, "MARKETO_BASE_URL"));
    expect(error).toBeInstanceOf(MarketoConfigError);
    expect((error as MarketoConfigError).setting).toBe("MARKETO_BASE_URL");
  });

  it("fails for a remote host saying why and how to fix it, before anything is sent", () => {
    // GIVEN a remote base URL over plain http and a fetch that records calls
    const calls: string[] = [];
    const fetch = async (url: string) => {
      calls.push(url);
      return new Response("{}");
    };
    // WHEN a client is made THEN it refuses, naming the host but never the secret
    const error = thrown(
      () =>
        new MarketoClient({
          baseUrl: "http://192.0.2.2/rest",
          clientId: CLIENT_ID,
          clientSecret: SECRET,
          fetch,
        }),
    ) as MarketoConfigError;
    expect(error).toBeInstanceOf(MarketoConfigError);
    expect(error.message).toBe(
      "baseUrl is a plain http:// URL to 192.0.2.2, which is not this machine: the client secret and access tokens would cross the network unencrypted",
    );
    expect(error.hint).toBe(
      "use https://192.0.2.2 (Marketo's REST endpoint is https://<Munchkin id>.mktorest.com); http:// is accepted only for localhost, 127.0.0.0/8 and ::1, such as the local emulator",
    );
    expect(calls).toStrictEqual([]);
  });

  it("fails for a remote host from the environment, naming the variable", () => {
    const error = thrown(() =>
      MarketoClient.fromEnv("MARKETO", {
        MARKETO_BASE_URL: "http://192.0.2.2:8080",
        MARKETO_CLIENT_ID: CLIENT_ID,
        MARKETO_CLIENT_SECRET: SECRET,
      }),
    );
    expect(error).toBeInstanceOf(MarketoConfigError);
    expect(error.message).toMatch(/^MARKETO_BASE_URL is a plain http:\/\/ URL to 192\.0\.2\.2:8080,/);
  });

  it("fails for user info before naming the host, so that a password in the URL is never shown", () => {
    const error = thrown(() => normalizeBaseUrl("http://user:hunter2@192.0.2.2"));
    expect(error.message).toContain("without user info");
    expect(`${error.message} ${(error as MarketoConfigError).hint}`).not.toContain("hunter2");
  });
});

describe("isLoopbackHost", () => {
  it.each([
    ["localhost", true],
    ["127.0.0.1", true],
    ["127.200.1.9", true],
    ["[::1]", true],
    ["localhost.example.com", false],
    ["127.0.0.1.nip.io", false],
    ["128.0.0.1", false],
    ["::1", false], // a URL's hostname keeps the brackets
  ])("%s: %s", (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
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
