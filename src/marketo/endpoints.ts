/**
 * One pure request builder per Marketo operation (docs/marketo-api.md section 4), named after the operation.
 * The client sends these; the emulator routes by the same table.
 */

export type HttpMethod = "GET" | "POST";

/** The operations of the custom activity endpoints, plus identity. */
export const OPERATIONS = [
  "identity",
  "listActivityTypes",
  "listCustomActivityTypes",
  "describeCustomActivityType",
  "createCustomActivityType",
  "updateCustomActivityType",
  "approveCustomActivityType",
  "discardCustomActivityTypeDraft",
  "deleteCustomActivityType",
  "createCustomActivityTypeAttributes",
  "updateCustomActivityTypeAttributes",
  "deleteCustomActivityTypeAttributes",
  "addCustomActivities",
] as const;
export type Operation = (typeof OPERATIONS)[number];

/** A request before auth: the client adds the bearer token and base URL. */
export interface RequestSpec {
  readonly operation: Operation;
  readonly method: HttpMethod;
  /** Path from the instance root, e.g. `/rest/v1/activities/external/types.json`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

const TYPE = "/rest/v1/activities/external/type";
const typePath = (apiName: string, suffix: string) => `${TYPE}/${encodeURIComponent(apiName)}${suffix}`;

/**
 * Route table: operation, method and a path pattern whose `{apiName}` is the type's apiName.
 * The emulator matches requests against it; the builders below produce paths that match it.
 */
export const ROUTES: readonly {
  operation: Operation;
  method: HttpMethod;
  pattern: string;
  swaggerId: string;
}[] = [
  { operation: "identity", method: "GET", pattern: "/identity/oauth/token", swaggerId: "identityUsingGET" },
  { operation: "identity", method: "POST", pattern: "/identity/oauth/token", swaggerId: "identityUsingPOST" },
  {
    operation: "listActivityTypes",
    method: "GET",
    pattern: "/rest/v1/activities/types.json",
    swaggerId: "getAllActivityTypesUsingGET",
  },
  {
    operation: "listCustomActivityTypes",
    method: "GET",
    pattern: "/rest/v1/activities/external/types.json",
    swaggerId: "getCustomActivityTypeUsingGET",
  },
  {
    operation: "describeCustomActivityType",
    method: "GET",
    pattern: `${TYPE}/{apiName}/describe.json`,
    swaggerId: "describeCustomActivityTypeUsingGET",
  },
  {
    operation: "createCustomActivityType",
    method: "POST",
    pattern: `${TYPE}.json`,
    swaggerId: "createCustomActivityTypeUsingPOST",
  },
  {
    operation: "approveCustomActivityType",
    method: "POST",
    pattern: `${TYPE}/{apiName}/approve.json`,
    swaggerId: "approveCustomActivityTypeUsingPOST",
  },
  {
    operation: "discardCustomActivityTypeDraft",
    method: "POST",
    pattern: `${TYPE}/{apiName}/discardDraft.json`,
    swaggerId: "discardDraftofCustomActivityTypeUsingPOST",
  },
  {
    operation: "deleteCustomActivityType",
    method: "POST",
    pattern: `${TYPE}/{apiName}/delete.json`,
    swaggerId: "deleteCustomActivityTypeUsingPOST",
  },
  {
    operation: "createCustomActivityTypeAttributes",
    method: "POST",
    pattern: `${TYPE}/{apiName}/attributes/create.json`,
    swaggerId: "createCustomActivityTypeAttributesUsingPOST",
  },
  {
    operation: "updateCustomActivityTypeAttributes",
    method: "POST",
    pattern: `${TYPE}/{apiName}/attributes/update.json`,
    swaggerId: "updateCustomActivityTypeAttributesUsingPOST",
  },
  {
    operation: "deleteCustomActivityTypeAttributes",
    method: "POST",
    pattern: `${TYPE}/{apiName}/attributes/delete.json`,
    swaggerId: "deleteCustomActivityTypeAttributesUsingPOST",
  },
  // Must come after the more specific `{apiName}/...` routes: it matches any single segment.
  {
    operation: "updateCustomActivityType",
    method: "POST",
    pattern: `${TYPE}/{apiName}.json`,
    swaggerId: "updateCustomActivityTypeUsingPOST",
  },
  {
    operation: "addCustomActivities",
    method: "POST",
    pattern: "/rest/v1/activities/external.json",
    swaggerId: "addCustomActivityUsingPOST",
  },
];

export const listActivityTypes = (): RequestSpec => ({
  operation: "listActivityTypes",
  method: "GET",
  path: "/rest/v1/activities/types.json",
});
export const listCustomActivityTypes = (): RequestSpec => ({
  operation: "listCustomActivityTypes",
  method: "GET",
  path: "/rest/v1/activities/external/types.json",
});
export const describeCustomActivityType = (
  apiName: string,
  options: { draft?: boolean } = {},
): RequestSpec => ({
  operation: "describeCustomActivityType",
  method: "GET",
  path: typePath(apiName, "/describe.json"),
  ...(options.draft === true ? { query: { draft: "true" } } : {}),
});
export const createCustomActivityType = (body: unknown): RequestSpec => ({
  operation: "createCustomActivityType",
  method: "POST",
  path: `${TYPE}.json`,
  body,
});
export const updateCustomActivityType = (apiName: string, body: unknown): RequestSpec => ({
  operation: "updateCustomActivityType",
  method: "POST",
  path: typePath(apiName, ".json"),
  body,
});
export const approveCustomActivityType = (apiName: string): RequestSpec => ({
  operation: "approveCustomActivityType",
  method: "POST",
  path: typePath(apiName, "/approve.json"),
});
export const discardCustomActivityTypeDraft = (apiName: string): RequestSpec => ({
  operation: "discardCustomActivityTypeDraft",
  method: "POST",
  path: typePath(apiName, "/discardDraft.json"),
});
export const deleteCustomActivityType = (apiName: string): RequestSpec => ({
  operation: "deleteCustomActivityType",
  method: "POST",
  path: typePath(apiName, "/delete.json"),
});
export const createCustomActivityTypeAttributes = (
  apiName: string,
  attributes: readonly unknown[],
): RequestSpec => ({
  operation: "createCustomActivityTypeAttributes",
  method: "POST",
  path: typePath(apiName, "/attributes/create.json"),
  body: { attributes },
});
export const updateCustomActivityTypeAttributes = (
  apiName: string,
  attributes: readonly unknown[],
): RequestSpec => ({
  operation: "updateCustomActivityTypeAttributes",
  method: "POST",
  path: typePath(apiName, "/attributes/update.json"),
  body: { attributes },
});
export const deleteCustomActivityTypeAttributes = (
  apiName: string,
  apiNames: readonly string[],
): RequestSpec => ({
  operation: "deleteCustomActivityTypeAttributes",
  method: "POST",
  path: typePath(apiName, "/attributes/delete.json"),
  body: { attributes: apiNames.map((name) => ({ apiName: name })) },
});
export const addCustomActivities = (input: readonly unknown[]): RequestSpec => ({
  operation: "addCustomActivities",
  method: "POST",
  path: "/rest/v1/activities/external.json",
  body: { input },
});

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
