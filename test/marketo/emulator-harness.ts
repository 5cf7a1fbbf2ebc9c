/**
 * The real `MarketoClient` against the real emulator (in process, port 0), for
 * `client-emulator.test.ts`.
 *
 * - One virtual clock (`test/helpers/clock.ts`) drives the emulator's `now` and the client's `now`
 *   and `sleep`, so backoff, rate windows and token lifetimes cost no real time. The `Wire` brackets
 *   every HTTP exchange with `io.begin`/`io.end`, so the clock never jumps while one is in flight: a
 *   request takes no virtual time, so a sleeping caller cannot make calls in flight end "later" than
 *   they did. Only the emulator's `latencyMs` is real.
 * - The client's `fetch` is Node's fetch wrapped by a `Wire` that records every exchange: the request
 *   (method, URL, headers, body) and the response (status, content type, text). After each test every
 *   recorded request body is validated against the swagger's request schema of its operation, and
 *   every response body against the response schema, with the emulator suite's own conformance
 *   helpers (`test/emulator/conformance.ts`, `test/emulator/helpers.ts`).
 * - The access tokens the emulator issued are collected from the identity responses, so that tests
 *   can check that none of them leaks.
 */
import { Ajv, type ValidateFunction } from "ajv";
import { afterEach, expect } from "vitest";
import { type Emulator, type EmulatorOptions, startEmulator } from "../../src/emulator/index.js";
import { matchRoute, type Operation, ROUTES } from "../../src/marketo/endpoints.js";
import {
  type FetchLike,
  MarketoClient,
  type MarketoClientEvent,
  type MarketoClientSettings,
} from "../../src/marketo/index.js";
import { convert, mapiSpec } from "../emulator/conformance.js";
import { checkConformance } from "../emulator/helpers.js";
import { type VirtualClock, virtualClock } from "../helpers/clock.js";

type Json = Record<string, unknown>;

/** One HTTP exchange as the client's fetch saw it. */
export interface Exchange {
  readonly operation: Operation | "unknown";
  readonly method: string;
  /** Path and query, e.g. `/rest/v1/activities/external/type/x/describe.json?draft=true`. */
  readonly pathAndQuery: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string>>;
  readonly requestBody: string | undefined;
  /** Absent when fetch threw (a dropped connection). */
  readonly response?: {
    readonly status: number;
    readonly contentType: string;
    /** Absent when the body could not be read. */
    readonly text?: string;
  };
}

/** Records every exchange of the fetch it wraps, and every token the identity endpoint handed out. */
export class Wire {
  readonly exchanges: Exchange[] = [];
  readonly tokens = new Set<string>();
  /** Response texts that a test made non-conformant on purpose (fault bodies); not validated. */
  readonly nonConformantBodies = new Set<string>();

  constructor(
    private readonly clock: VirtualClock,
    private readonly inner: FetchLike = (url, init) => globalThis.fetch(url, init),
  ) {}

  readonly fetch: FetchLike = async (url, init) => {
    const parsed = new URL(url);
    const method = init.method ?? "GET";
    const route = matchRoute(method, parsed.pathname);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const base = {
      operation: "operation" in route ? route.operation : ("unknown" as const),
      method,
      pathAndQuery: `${parsed.pathname}${parsed.search}`,
      query: parsed.searchParams,
      headers,
      requestBody: typeof init.body === "string" ? init.body : undefined,
    };
    let response: Response;
    let text: string | undefined;
    this.clock.io.begin();
    try {
      try {
        response = await this.inner(url, init);
      } catch (error) {
        this.exchanges.push(base);
        throw error;
      }
      try {
        text = await response.clone().text();
      } catch {
        text = undefined;
      }
    } finally {
      this.clock.io.end();
    }
    const contentType = response.headers.get("content-type") ?? "";
    if (base.operation === "identity" && response.status === 200 && text !== undefined) {
      const token = (JSON.parse(text) as { access_token?: unknown }).access_token;
      if (typeof token === "string") this.tokens.add(token);
    }
    this.exchanges.push({
      ...base,
      response: { status: response.status, contentType, ...(text === undefined ? {} : { text }) },
    });
    return response;
  };

  /** Bodies sent, parsed, for one operation. */
  bodiesOf(operation: Operation): unknown[] {
    return this.exchanges
      .filter((e) => e.operation === operation && e.requestBody !== undefined)
      .map((e) => JSON.parse(e.requestBody ?? "null") as unknown);
  }
}

// ---- request conformance ----

/**
 * The swagger's request schemas, with its known over-strict parts relaxed on a copy of its
 * definitions. Each relaxation, and why:
 *
 * 1. `CustomActivityTypeRequest` requires `apiName`, `name`, `triggerName`, `filterName` and
 *    `primaryAttribute`. That is right for create and kept there; for update the docs require only
 *    the path apiName and hand-written clients send partial bodies, the swagger just reuses the create
 *    model (docs/marketo-api.md 4.1, 4.2 E and quirk 6.3). Update is validated against a copy with no `required`.
 * 2. `CustomActivity` requires `errors` and `id`, which are output-only: the spec shares one model for
 *    input and output (docs/marketo-api.md 4.1, quirk 6.3). Input items are validated against a copy without
 *    them, under another name (the emulator suite's converter treats the name `CustomActivity` as a
 *    result item).
 * 3. `Attribute` (a record's secondary attribute) requires `name` and types `value` as an object: the
 *    docs identify an attribute by display `name` or by `apiName` and give plain values (docs/marketo-api.md
 *    4.1 and 4.2 L; `object` is how the generator renders Java's `Object`). The copy requires `value`
 *    and one of `name` or `apiName`, and lets `value` be any JSON.
 * 4. `CustomActivityTypeAttribute` requires `name`; the docs' attribute-delete example sends only
 *    `{apiName}` (docs/marketo-api.md 4.2 K). Only attributes/delete uses a copy without `name` required;
 *    attributes create and update keep it.
 * Everything else, including `additionalProperties: false` added by the converter, is as strict as
 * the emulator suite's response checks.
 */
function relaxedDefinitions(): Json {
  const definitions = structuredClone(mapiSpec["definitions"]) as Record<string, Json>;
  const withoutRequired = (name: string, drop: readonly string[]): Json => {
    const copy = structuredClone(definitions[name]) as Json;
    const required = (copy["required"] as string[] | undefined) ?? [];
    const kept = required.filter((field) => !drop.includes(field));
    if (kept.length === 0) delete copy["required"];
    else copy["required"] = kept;
    return copy;
  };
  // 1.
  definitions["CustomActivityTypeUpdateRequest"] = withoutRequired("CustomActivityTypeRequest", [
    "apiName",
    "name",
    "triggerName",
    "filterName",
    "primaryAttribute",
  ]);
  // 2. and 3.
  const attribute = withoutRequired("Attribute", ["name"]);
  attribute["required"] = ["value"];
  (attribute["properties"] as Json)["value"] = {};
  attribute["anyOf"] = [{ required: ["name"] }, { required: ["apiName"] }];
  definitions["CustomActivityInputAttribute"] = attribute;
  const input = withoutRequired("CustomActivity", ["errors", "id"]);
  (input["properties"] as Json)["attributes"] = {
    type: "array",
    items: { $ref: "#/definitions/CustomActivityInputAttribute" },
  };
  definitions["CustomActivityInput"] = input;
  definitions["CustomActivityInputRequest"] = {
    type: "object",
    required: ["input"],
    properties: { input: { type: "array", items: { $ref: "#/definitions/CustomActivityInput" } } },
  };
  // 4.
  definitions["CustomActivityTypeAttributeToDelete"] = withoutRequired("CustomActivityTypeAttribute", [
    "name",
  ]);
  definitions["CustomActivityTypeAttributeDeleteRequest"] = {
    type: "object",
    properties: {
      attributes: { type: "array", items: { $ref: "#/definitions/CustomActivityTypeAttributeToDelete" } },
    },
  };
  return definitions;
}

/** The definition a request body of each operation is validated against (see `relaxedDefinitions`). */
const REQUEST_DEFINITION: Partial<Record<Operation, string>> = {
  createCustomActivityType: "CustomActivityTypeRequest",
  updateCustomActivityType: "CustomActivityTypeUpdateRequest",
  createCustomActivityTypeAttributes: "CustomActivityTypeAttributeRequest",
  updateCustomActivityTypeAttributes: "CustomActivityTypeAttributeRequest",
  deleteCustomActivityTypeAttributes: "CustomActivityTypeAttributeDeleteRequest",
  addCustomActivities: "CustomActivityInputRequest",
};

/** The swagger definition each of those started from, checked against the spec's body parameters. */
const SWAGGER_REQUEST_DEFINITION: Partial<Record<Operation, string>> = {
  createCustomActivityType: "CustomActivityTypeRequest",
  updateCustomActivityType: "CustomActivityTypeRequest",
  createCustomActivityTypeAttributes: "CustomActivityTypeAttributeRequest",
  updateCustomActivityTypeAttributes: "CustomActivityTypeAttributeRequest",
  deleteCustomActivityTypeAttributes: "CustomActivityTypeAttributeRequest",
  addCustomActivities: "CustomActivityRequest",
};

/** The `$ref` name of an operation's body parameter in the swagger, or undefined when it takes none. */
export function swaggerBodyDefinition(operation: Operation): string | undefined {
  const route = ROUTES.find((r) => r.operation === operation);
  if (route === undefined || operation === "identity") return undefined;
  const paths = mapiSpec["paths"] as Record<string, Record<string, Json>>;
  const spec = paths[route.pattern]?.[route.method.toLowerCase()];
  const parameters = (spec?.["parameters"] as Json[] | undefined) ?? [];
  const body = parameters.find((p) => p["in"] === "body");
  const ref = (body?.["schema"] as Json | undefined)?.["$ref"];
  return typeof ref === "string" ? ref.replace("#/definitions/", "") : undefined;
}

/** The swagger definition a relaxed request schema started from (for the test that checks the table). */
export function swaggerRequestDefinition(operation: Operation): string | undefined {
  return SWAGGER_REQUEST_DEFINITION[operation];
}

const requestAjv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
const requestValidators = new Map<string, ValidateFunction>();
let definitions: Json | undefined;

/** Problems of a request body against its operation's (relaxed) swagger schema; empty when it conforms. */
export function requestProblems(operation: Operation, body: unknown): string[] {
  const name = REQUEST_DEFINITION[operation];
  if (name === undefined) return [`${operation} takes no request body, but one was sent`];
  let validate = requestValidators.get(name);
  if (validate === undefined) {
    definitions ??= relaxedDefinitions();
    validate = requestAjv.compile(convert({ $ref: `#/definitions/${name}` }, definitions, undefined) as Json);
    requestValidators.set(name, validate);
  }
  if (validate(body)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`,
  );
}

/** How many request bodies were validated per operation (in this test file). */
export const validatedRequests = new Map<Operation, number>();

/**
 * Checks every exchange of a wire: the request side (bearer header only, no token in the URL, JSON
 * bodies that conform to the swagger's request schema, no body where the swagger takes none) and the
 * response side (the emulator suite's `checkConformance`), except responses listed in
 * `wire.nonConformantBodies`.
 */
export function checkWire(wire: Wire): void {
  for (const exchange of wire.exchanges) {
    const where = `${exchange.method} ${exchange.pathAndQuery}`;
    const { operation } = exchange;
    if (operation === "identity") {
      // The swagger puts the credentials in the query string, for GET and POST (docs/marketo-api.md section 1).
      expect(exchange.query.get("grant_type"), where).toBe("client_credentials");
      expect(exchange.query.get("client_id"), where).not.toBeNull();
      expect(exchange.query.get("client_secret"), where).not.toBeNull();
      expect(exchange.requestBody, where).toBeUndefined();
      expect(exchange.headers["authorization"], where).toBeUndefined();
    } else if (operation !== "unknown") {
      // Header only; the access_token query parameter is deprecated (docs/marketo-api.md section 1, quirk 6.5).
      expect(exchange.headers["authorization"], where).toMatch(/^Bearer \S+$/);
      expect(exchange.query.has("access_token"), where).toBe(false);
      if (REQUEST_DEFINITION[operation] === undefined) {
        expect(exchange.requestBody, `${where} sends a body the swagger does not take`).toBeUndefined();
      } else {
        expect(exchange.headers["content-type"], where).toMatch(/^application\/json/);
        const body = JSON.parse(exchange.requestBody ?? "null") as unknown;
        expect(
          requestProblems(operation, body),
          `${where} request body does not conform to the swagger: ${exchange.requestBody}`,
        ).toStrictEqual([]);
        validatedRequests.set(operation, (validatedRequests.get(operation) ?? 0) + 1);
      }
    }
    const response = exchange.response;
    if (response === undefined || response.text === undefined) continue;
    if (wire.nonConformantBodies.has(response.text)) continue;
    const isJson = response.contentType.startsWith("application/json");
    const body: unknown = isJson ? JSON.parse(response.text) : response.text;
    checkConformance(exchange.method, exchange.pathAndQuery, response.status, isJson, body);
  }
}

// ---- harness ----

const emulators: Emulator[] = [];
const wires: Wire[] = [];

afterEach(async () => {
  await Promise.all(emulators.splice(0).map((emulator) => emulator.close()));
  for (const wire of wires.splice(0)) checkWire(wire);
});

/** Starts an emulator on the shared clock; closed after the test. */
export async function emulatorOn(clock: VirtualClock, options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = await startEmulator({ now: clock.now, ...options });
  emulators.push(emulator);
  return emulator;
}

/** A recording wire whose exchanges are validated after the test. */
export function newWire(clock: VirtualClock): Wire {
  const wire = new Wire(clock);
  wires.push(wire);
  return wire;
}

/** A client for `emulator` on the shared clock, recording its events. Settings override the defaults. */
export function clientFor(
  emulator: { url: string; clientId: string; clientSecret: string },
  clock: VirtualClock,
  wire: Wire,
  settings: MarketoClientSettings & { clientId?: string; clientSecret?: string } = {},
): { client: MarketoClient; events: MarketoClientEvent[] } {
  const events: MarketoClientEvent[] = [];
  const { clientId, clientSecret, ...rest } = settings;
  const client = new MarketoClient({
    baseUrl: emulator.url,
    clientId: clientId ?? emulator.clientId,
    clientSecret: clientSecret ?? emulator.clientSecret,
    fetch: wire.fetch,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    onEvent: (event) => events.push(event),
    ...rest,
  });
  return { client, events };
}

/** The shared fake clock, an emulator on it, a wire and a client: the usual set-up. */
export async function harness(
  options: EmulatorOptions = {},
  settings: MarketoClientSettings & { clientId?: string; clientSecret?: string } = {},
) {
  const clock = virtualClock();
  const emulator = await emulatorOn(clock, options);
  const wire = newWire(clock);
  const { client, events } = clientFor(emulator, clock, wire, settings);
  return { clock, emulator, wire, client, events };
}

/** The emulator's request log without arrival times, for exact sequence assertions. */
export function logOf(emulator: Emulator) {
  return emulator.requests.map(({ at: _at, ...rest }) => rest);
}

/** `operation:code` (or `operation:ok`, `operation:HTTP 502`, `operation:dropped before`) per logged request. */
export function outline(emulator: Emulator): string[] {
  return emulator.requests.map((r) => {
    if (r.dropped !== undefined) return `${r.operation}:dropped ${r.dropped}`;
    if (r.errorCodes.length > 0) return `${r.operation}:${r.errorCodes.join(",")}`;
    if (r.httpStatus !== 200) return `${r.operation}:HTTP ${r.httpStatus}`;
    return `${r.operation}:ok`;
  });
}
