/**
 * The endpoint table: each Marketo operation the package uses, written once (docs/marketo-api.md
 * section 4), with its method, path pattern, swagger operationId, whether it writes, its request body
 * and its result, as zod schemas from `wire.ts`. Like octokit's route table, everything else derives
 * from it: `OPERATIONS`, the routes the emulator matches (`ROUTES`, `matchRoute`), the requests the
 * client sends (`requestFor`), the client's result types (`ResultOf`) and the emulator's
 * `isWrite`/`hasBody`.
 */
import type { z } from "zod";
import {
  attributesRequestSchema,
  customActivityRequestSchema,
  customActivityTypeRequestSchema,
  wireActivityTypeSchema,
  wireCustomActivityResultSchema,
  wireCustomActivityTypeSchema,
} from "./wire.js";

export type HttpMethod = "GET" | "POST";

/**
 * How a call's `result` array is read: every item (`list`), exactly one item (`one`), or one item or
 * none (`oneOrNone`: Marketo's success may carry no result for approve, discardDraft and delete,
 * docs/marketo-api.md 8.8).
 */
export type ResultShape = "list" | "one" | "oneOrNone";

/** One REST operation. */
export interface Endpoint {
  /** The row of the table in docs/marketo-api.md section 4. */
  readonly row: string;
  readonly method: HttpMethod;
  /** Path from the instance root; `{apiName}` stands for the activity type's apiName. */
  readonly path: string;
  /** The operationId in Adobe's swagger (`test/fixtures/marketo/swagger-mapi.json`). */
  readonly swaggerId: string;
  /** Whether it changes the instance. */
  readonly writes: boolean;
  /**
   * Whether sending it again after a failure that leaves its outcome open is harmless. Only Add Custom
   * Activities is not: its records would be added twice (docs/design.md decision 13).
   */
  readonly repeatable: boolean;
  /** The schema of its JSON body; absent when it takes none. */
  readonly body?: z.ZodType;
  /** Whether it takes the `draft` query parameter. */
  readonly draftQuery?: true;
  /** The schema of one `result` item. */
  readonly item: z.ZodType;
  readonly result: ResultShape;
  /**
   * The API role permission it needs (docs/marketo-api.md section 1: DOC-EPREF, DOC-CS), for the hint
   * of an access refusal.
   */
  readonly permission: string;
}

const READ_METADATA = "Read-Only Activity Metadata or Read-Write Activity Metadata";
const WRITE_METADATA = "Read-Write Activity Metadata";

const TYPE = "/rest/v1/activities/external/type";

/** The custom activity operations, in the order of docs/marketo-api.md section 4. */
export const ENDPOINTS = {
  listActivityTypes: {
    row: "A",
    method: "GET",
    path: "/rest/v1/activities/types.json",
    swaggerId: "getAllActivityTypesUsingGET",
    writes: false,
    repeatable: true,
    item: wireActivityTypeSchema,
    result: "list",
    permission: "Read-Only Activity or Read-Write Activity",
  },
  listCustomActivityTypes: {
    row: "B",
    method: "GET",
    path: "/rest/v1/activities/external/types.json",
    swaggerId: "getCustomActivityTypeUsingGET",
    writes: false,
    repeatable: true,
    item: wireCustomActivityTypeSchema,
    result: "list",
    permission: READ_METADATA,
  },
  describeCustomActivityType: {
    row: "C",
    method: "GET",
    path: `${TYPE}/{apiName}/describe.json`,
    swaggerId: "describeCustomActivityTypeUsingGET",
    writes: false,
    repeatable: true,
    draftQuery: true,
    item: wireCustomActivityTypeSchema,
    result: "one",
    permission: READ_METADATA,
  },
  createCustomActivityType: {
    row: "D",
    method: "POST",
    path: `${TYPE}.json`,
    swaggerId: "createCustomActivityTypeUsingPOST",
    writes: true,
    repeatable: true,
    body: customActivityTypeRequestSchema,
    item: wireCustomActivityTypeSchema,
    result: "one",
    permission: WRITE_METADATA,
  },
  updateCustomActivityType: {
    row: "E",
    method: "POST",
    path: `${TYPE}/{apiName}.json`,
    swaggerId: "updateCustomActivityTypeUsingPOST",
    writes: true,
    repeatable: true,
    body: customActivityTypeRequestSchema,
    item: wireCustomActivityTypeSchema,
    result: "one",
    permission: WRITE_METADATA,
  },
  approveCustomActivityType: {
    row: "F",
    method: "POST",
    path: `${TYPE}/{apiName}/approve.json`,
    swaggerId: "approveCustomActivityTypeUsingPOST",
    writes: true,
    repeatable: true,
    item: wireCustomActivityTypeSchema,
    result: "oneOrNone",
    permission: WRITE_METADATA,
  },
  discardCustomActivityTypeDraft: {
    row: "G",
    method: "POST",
    path: `${TYPE}/{apiName}/discardDraft.json`,
    swaggerId: "discardDraftofCustomActivityTypeUsingPOST",
    writes: true,
    repeatable: true,
    item: wireCustomActivityTypeSchema,
    result: "oneOrNone",
    permission: WRITE_METADATA,
  },
  deleteCustomActivityType: {
    row: "H",
    method: "POST",
    path: `${TYPE}/{apiName}/delete.json`,
    swaggerId: "deleteCustomActivityTypeUsingPOST",
    writes: true,
    repeatable: true,
    item: wireCustomActivityTypeSchema,
    result: "oneOrNone",
    permission: WRITE_METADATA,
  },
  createCustomActivityTypeAttributes: {
    row: "I",
    method: "POST",
    path: `${TYPE}/{apiName}/attributes/create.json`,
    swaggerId: "createCustomActivityTypeAttributesUsingPOST",
    writes: true,
    repeatable: true,
    body: attributesRequestSchema,
    item: wireCustomActivityTypeSchema,
    result: "one",
    permission: WRITE_METADATA,
  },
  updateCustomActivityTypeAttributes: {
    row: "J",
    method: "POST",
    path: `${TYPE}/{apiName}/attributes/update.json`,
    swaggerId: "updateCustomActivityTypeAttributesUsingPOST",
    writes: true,
    repeatable: true,
    body: attributesRequestSchema,
    item: wireCustomActivityTypeSchema,
    result: "one",
    permission: WRITE_METADATA,
  },
  deleteCustomActivityTypeAttributes: {
    row: "K",
    method: "POST",
    path: `${TYPE}/{apiName}/attributes/delete.json`,
    swaggerId: "deleteCustomActivityTypeAttributesUsingPOST",
    writes: true,
    repeatable: true,
    body: attributesRequestSchema,
    item: wireCustomActivityTypeSchema,
    result: "one",
    permission: WRITE_METADATA,
  },
  addCustomActivities: {
    row: "L",
    method: "POST",
    path: "/rest/v1/activities/external.json",
    swaggerId: "addCustomActivityUsingPOST",
    writes: true,
    repeatable: false,
    body: customActivityRequestSchema,
    item: wireCustomActivityResultSchema,
    result: "list",
    permission: "Read-Write Activity",
  },
} as const satisfies Record<string, Endpoint>;

/** An operation of the REST API (everything but identity). */
export type RestOperation = keyof typeof ENDPOINTS;

/** Every operation the client counts and the emulator logs: the identity call and the REST operations. */
export type Operation = "identity" | RestOperation;

/** The identity endpoint: GET and POST both issue a token (docs/marketo-api.md section 1). */
export const IDENTITY = {
  path: "/identity/oauth/token",
  routes: [
    { method: "GET", swaggerId: "identityUsingGET" },
    { method: "POST", swaggerId: "identityUsingPOST" },
  ],
} as const;

/** The operations: `identity`, then the REST operations in table order. */
export const OPERATIONS: readonly Operation[] = ["identity", ...(Object.keys(ENDPOINTS) as RestOperation[])];

/** One route: an operation, a method and a path pattern (with `{apiName}`), for matching requests. */
export interface Route {
  readonly operation: Operation;
  readonly method: HttpMethod;
  readonly pattern: string;
  readonly swaggerId: string;
}

/** Every route of the table, identity's two first. */
export const ROUTES: readonly Route[] = [
  ...IDENTITY.routes.map((r) => ({ operation: "identity" as const, pattern: IDENTITY.path, ...r })),
  ...(Object.entries(ENDPOINTS) as [RestOperation, Endpoint][]).map(([operation, e]) => ({
    operation,
    method: e.method,
    pattern: e.path,
    swaggerId: e.swaggerId,
  })),
];

/** Whether `operation` changes the instance. */
export function isWrite(operation: Operation): boolean {
  return operation !== "identity" && ENDPOINTS[operation].writes;
}

/** Whether `operation` takes a JSON body. */
export function hasBody(operation: Operation): boolean {
  return operation !== "identity" && "body" in ENDPOINTS[operation];
}

// ---- typed requests and results ----

type EndpointOf<O extends RestOperation> = (typeof ENDPOINTS)[O];

/** Arrays as read-only, so that callers can pass what they hold. */
type ReadonlyArrays<T> = T extends readonly (infer U)[]
  ? readonly ReadonlyArrays<U>[]
  : T extends object
    ? { readonly [K in keyof T]: ReadonlyArrays<T[K]> }
    : T;

/** The request body of `O`, typed from its schema. */
export type RequestBody<O extends RestOperation> =
  EndpointOf<O> extends { readonly body: infer S extends z.ZodType } ? ReadonlyArrays<z.input<S>> : never;

/** What a request of `O` needs: the type's apiName when its path has one, its body, its query. */
export type RequestInput<O extends RestOperation> =
  (EndpointOf<O>["path"] extends `${string}{apiName}${string}` ? { readonly apiName: string } : unknown) &
    (EndpointOf<O> extends { readonly body: z.ZodType } ? { readonly body: RequestBody<O> } : unknown) &
    (EndpointOf<O> extends { readonly draftQuery: true }
      ? { readonly draft?: boolean | undefined }
      : unknown);

/** One `result` item of `O`, typed from its schema. */
export type ResultItem<O extends RestOperation> = z.output<EndpointOf<O>["item"]>;

/** What the client resolves with for `O`, from the table's result shape. */
export type ResultOf<O extends RestOperation> = EndpointOf<O>["result"] extends "list"
  ? ResultItem<O>[]
  : EndpointOf<O>["result"] extends "one"
    ? ResultItem<O>
    : ResultItem<O> | undefined;

/** A request before authentication: the client adds the base URL and the bearer token. */
export interface RequestSpec {
  readonly operation: RestOperation;
  readonly method: HttpMethod;
  /** Path from the instance root, e.g. `/rest/v1/activities/external/types.json`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/**
 * The request of `operation`: its method, its path with the apiName encoded as one segment, its query
 * (`draft=true` only: `false` is Marketo's default) and its body.
 */
export function requestFor<O extends RestOperation>(operation: O, input: RequestInput<O>): RequestSpec {
  const endpoint: Endpoint = ENDPOINTS[operation];
  const given = input as { apiName?: string; body?: unknown; draft?: boolean };
  const path =
    given.apiName === undefined
      ? endpoint.path
      : endpoint.path.replace("{apiName}", encodeURIComponent(given.apiName));
  return {
    operation,
    method: endpoint.method,
    path,
    ...(endpoint.draftQuery === true && given.draft === true ? { query: { draft: "true" } } : {}),
    ...(endpoint.body === undefined ? {} : { body: given.body }),
  };
}

/** Matches a method and path against `ROUTES`; returns the operation and the type apiName, if any. */
export function matchRoute(
  method: string,
  path: string,
): { operation: Operation; apiName?: string } | { error: "notFound" | "methodNotAllowed" } {
  let pathMatched = false;
  for (const route of ROUTES) {
    const params = matchPattern(route.pattern, path);
    if (params === undefined) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    return params.apiName === undefined
      ? { operation: route.operation }
      : { operation: route.operation, apiName: params.apiName };
  }
  return { error: pathMatched ? "methodNotAllowed" : "notFound" };
}

/** `{apiName}` matches exactly one non-empty path segment, so no two patterns of the table overlap. */
function matchPattern(pattern: string, path: string): { apiName?: string } | undefined {
  const index = pattern.indexOf("{apiName}");
  if (index === -1) return pattern === path ? {} : undefined;
  const head = pattern.slice(0, index);
  const tail = pattern.slice(index + "{apiName}".length);
  if (!path.startsWith(head) || !path.endsWith(tail) || path.length <= head.length + tail.length)
    return undefined;
  const raw = path.slice(head.length, path.length - tail.length);
  if (raw.includes("/")) return undefined;
  try {
    return { apiName: decodeURIComponent(raw) };
  } catch {
    return undefined;
  }
}
