/**
 * Raw-fetch helpers for the emulator tests (the REST client is tested separately). Every JSON
 * response that passes through `Api.request` is validated against Adobe's swagger on the spot.
 */
import { afterEach, expect } from "vitest";
import { type Emulator, type EmulatorOptions, startEmulator } from "../../src/emulator/index.js";
import { matchRoute, ROUTES } from "../../src/marketo/endpoints.js";
import { conformanceErrors, identityErrorProblems, validatedCounts } from "./conformance.js";

export const TYPE = "/rest/v1/activities/external/type";

const running: Emulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
});

/**
 * Starts an emulator that is closed after the test. When a behaviour option sends `null` for absent
 * fields (`absentFields`, `emptyDescription`), its responses are validated with the nulls read as
 * absent, as the client reads them (the swagger's types admit no `null`).
 */
export async function emulate(options: EmulatorOptions = {}): Promise<{ emulator: Emulator; api: Api }> {
  const emulator = await startEmulator(options);
  running.push(emulator);
  const { absentFields, emptyDescription } = options.behaviour ?? {};
  const nullsAsAbsent = absentFields === "null" || emptyDescription === "null";
  return { emulator, api: new Api(emulator, { nullsAsAbsent }) };
}

/** Parsed JSON as the tests read it; every use is checked by an assertion or the swagger validator. */
// biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field in the tests
export type JsonBody = any;

export interface Response {
  readonly status: number;
  readonly body: JsonBody;
  readonly text: string;
  readonly headers: Headers;
}

export interface RequestOptions {
  readonly body?: unknown;
  /** Sent as is (no JSON encoding). */
  readonly rawBody?: string;
  /** Default `application/json` when there is a body. `null` sends none. */
  readonly contentType?: string | null;
  /** Default: a fresh token from identity. `null` sends no Authorization header. */
  readonly token?: string | null;
  readonly headers?: Record<string, string>;
}

export class Api {
  private cachedToken: string | undefined;

  constructor(
    readonly emulator: Emulator,
    private readonly conformance: { readonly nullsAsAbsent?: boolean } = {},
  ) {}

  /** Gets a token through identity (GET) and remembers it. */
  async token(): Promise<string> {
    const response = await this.identity("GET");
    expect(response.status).toBe(200);
    this.cachedToken = response.body.access_token as string;
    return this.cachedToken;
  }

  identity(
    method: "GET" | "POST",
    params: Record<string, string> = {
      grant_type: "client_credentials",
      client_id: this.emulator.clientId,
      client_secret: this.emulator.clientSecret,
    },
  ): Promise<Response> {
    const query = new URLSearchParams(params).toString();
    return this.request(method, `/identity/oauth/token?${query}`, { token: null });
  }

  get(path: string, options: RequestOptions = {}): Promise<Response> {
    return this.request("GET", path, options);
  }

  post(path: string, body?: unknown, options: RequestOptions = {}): Promise<Response> {
    return this.request("POST", path, body === undefined ? options : { ...options, body });
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    let token = options.token;
    if (token === undefined) token = this.cachedToken ?? (await this.token());
    if (token !== null) headers["authorization"] = `Bearer ${token}`;
    const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (body !== undefined && options.contentType !== null)
      headers["content-type"] = options.contentType ?? "application/json";
    const response = await fetch(`${this.emulator.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    const isJson = (response.headers.get("content-type") ?? "").startsWith("application/json");
    if (isJson) parsed = JSON.parse(text);
    const checked = this.conformance.nullsAsAbsent === true ? withoutNulls(parsed) : parsed;
    checkConformance(method, path, response.status, isJson, checked);
    return { status: response.status, body: parsed, text, headers: response.headers };
  }
}

/** Validates a response against the swagger operation it answers (or the OAuth error shape). */
export function checkConformance(
  method: string,
  path: string,
  status: number,
  isJson: boolean,
  body: unknown,
): void {
  if (!isJson) return;
  const pathname = new URL(path, "http://x").pathname;
  const route = matchRoute(method, pathname);
  const swaggerId =
    "error" in route
      ? undefined
      : ROUTES.find((r) => r.operation === route.operation && r.method === method)?.swaggerId;
  let problems: string[];
  if (route && !("error" in route) && route.operation === "identity") {
    problems = status === 200 ? conformanceErrors(swaggerId, body) : identityErrorProblems(body);
  } else if (pathname === "/identity/oauth/token") {
    problems = identityErrorProblems(body);
  } else {
    expect(status, `REST responses are HTTP 200 (${method} ${path})`).toBe(200);
    problems = conformanceErrors(swaggerId, body);
  }
  const key = swaggerId ?? "envelope";
  validatedCounts.set(key, (validatedCounts.get(key) ?? 0) + 1);
  expect(
    problems,
    `${method} ${path} does not conform to the swagger: ${JSON.stringify(body)}`,
  ).toStrictEqual([]);
}

/** `value` with every object key whose value is `null` left out, at any depth. */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, withoutNulls(v)]),
  );
}

/** A valid create body. */
export function typeBody(apiName: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiName,
    name: `${apiName} Name`,
    triggerName: `${apiName} happens`,
    filterName: `${apiName} happened`,
    primaryAttribute: { apiName: "primaryValue", name: "Primary Value" },
    ...overrides,
  };
}

/** A seeded approved type with a primary and one secondary attribute. */
export function seededType(apiName: string, extra: Record<string, unknown> = {}) {
  return {
    apiName,
    name: `${apiName} Name`,
    triggerName: `${apiName} happens`,
    filterName: `${apiName} happened`,
    primaryAttribute: { apiName: "webinarName", name: "Webinar Name", dataType: "string" as const },
    attributes: [{ apiName: "minutesWatched", name: "Minutes Watched", dataType: "integer" as const }],
    ...extra,
  };
}

/** The error codes of a failure envelope. */
export function codes(response: Response): string[] {
  expect(response.body.success).toBe(false);
  expect(response.body).not.toHaveProperty("result");
  return (response.body.errors as { code: string }[]).map((e) => e.code);
}

/** The one result item of a successful single-type response. */
export function only(response: Response): JsonBody {
  expect(response.body.success, JSON.stringify(response.body)).toBe(true);
  expect(Array.isArray(response.body.result)).toBe(true);
  expect(response.body.result).toHaveLength(1);
  return response.body.result[0];
}

/** A valid Add Custom Activities record. */
export function record(
  activityTypeId: number,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    leadId: 42,
    activityDate: "2016-09-26T06:56:35+07:00",
    activityTypeId,
    primaryAttributeValue: "Intro to IaC",
    attributes: [],
    ...overrides,
  };
}
