/**
 * Routing by the client's own endpoint table (src/marketo/endpoints.ts): `matchRoute` gives the
 * operation of a method and path, `hasBody` whether it reads a JSON body, and each REST operation has
 * one handler on the instance.
 */

import type { IncomingMessage } from "node:http";
import { messageForCode } from "../marketo/codes.js";
import { hasBody, IDENTITY, matchRoute, type Operation, type RestOperation } from "../marketo/endpoints.js";
import type { Answer, Envelope } from "./envelope.js";
import { ApiFailure } from "./failure.js";
import { addFormFields, json, type Reply } from "./http.js";
import type { EmulatedInstance } from "./instance.js";
import type { MarketoCode } from "./options.js";

/** A matched route: the operation and, for the `type/{apiName}/...` routes, the type's apiName. */
interface MatchedRoute {
  readonly operation: Operation;
  readonly apiName?: string;
}

/**
 * The method a request is routed by: POST with `_method=GET` carries a long query in a form body
 * (docs/marketo-api.md 2.1, 414), whose fields join `params`.
 */
export function routedMethod(
  req: IncomingMessage,
  method: string,
  params: URLSearchParams,
  body: Buffer,
): string {
  if (method !== "POST" || params.get("_method") !== "GET") return method;
  addFormFields(req, body, params);
  return "GET";
}

/**
 * The route of a method and path, or the reply for none: 405 at the identity path (as its servlet
 * answers), 610 for an unknown path, 605 for a known path with another method. A REST refusal carries
 * its `code`, for the limits.
 */
export function route(
  method: string,
  routed: string,
  pathname: string,
  envelope: Envelope,
): MatchedRoute | { reply: Reply; code?: MarketoCode } {
  const matched = matchRoute(routed, pathname);
  if (!("error" in matched)) return matched;
  if (pathname === IDENTITY.path)
    return {
      reply: json(405, {
        error: "method_not_allowed",
        error_description: `Request method '${method}' not supported`,
      }),
    };
  const code = matched.error === "notFound" ? "610" : "605";
  return { reply: envelope.failure(code, messageForCode(code)), code };
}

/** A REST request as it reaches its handler. */
export interface RestRequest {
  readonly operation: RestOperation;
  /** The type's apiName, for the `type/{apiName}/...` routes. */
  readonly apiName: string | undefined;
  /** The request's own method (a POST routed as GET stays POST). */
  readonly method: string;
  readonly contentType: string;
  /** What a POST sent: empty for GET, and for a POST routed as GET. */
  readonly body: Buffer;
  readonly params: URLSearchParams;
}

/** What a handler gets: the apiName of the path, the parsed JSON body, the query. */
interface Call {
  readonly apiName: string;
  readonly body: unknown;
  readonly params: URLSearchParams;
}

const HANDLERS: {
  readonly [operation in RestOperation]: (instance: EmulatedInstance, call: Call) => unknown[] | Answer;
} = {
  listActivityTypes: (instance) => instance.listActivityTypes(),
  listCustomActivityTypes: (instance) => instance.list(),
  describeCustomActivityType: (instance, { apiName, params }) =>
    instance.describe(apiName, parseBoolean(params.get("draft"))),
  createCustomActivityType: (instance, { body }) => instance.create(body),
  updateCustomActivityType: (instance, { apiName, body }) => instance.update(apiName, body),
  approveCustomActivityType: (instance, { apiName }) => instance.approve(apiName),
  discardCustomActivityTypeDraft: (instance, { apiName }) => instance.discardDraft(apiName),
  deleteCustomActivityType: (instance, { apiName }) => instance.delete(apiName),
  createCustomActivityTypeAttributes: (instance, { apiName, body }) =>
    instance.createAttributes(apiName, body),
  updateCustomActivityTypeAttributes: (instance, { apiName, body }) =>
    instance.updateAttributes(apiName, body),
  deleteCustomActivityTypeAttributes: (instance, { apiName, body }) =>
    instance.deleteAttributes(apiName, body),
  addCustomActivities: (instance, { body }) => instance.addActivities(body),
};

/** Runs a REST operation on the instance and returns its answer, or throws its `ApiFailure`. */
export function runOperation(instance: EmulatedInstance, request: RestRequest): Answer {
  const { operation, apiName, params } = request;
  const body = parseBody(operation, request.method, request.contentType, request.body);
  const answer = HANDLERS[operation](instance, { apiName: apiName ?? "", body, params });
  return Array.isArray(answer) ? { result: answer } : answer;
}

/** 612 for a body that is not JSON by its content type, 609 for JSON that does not parse. */
function parseBody(operation: RestOperation, method: string, contentType: string, body: Buffer): unknown {
  if (method !== "POST" || (body.length === 0 && !hasBody(operation))) return undefined;
  if (body.length > 0 && contentType !== "application/json")
    throw new ApiFailure("612", messageForCode("612"));
  if (!hasBody(operation)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw new ApiFailure("609", messageForCode("609"));
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    throw new ApiFailure("609", `${messageForCode("609")}: the body must be a JSON object`);
  return parsed;
}

/** Spring's boolean conversion: true/false, on/off, yes/no, 1/0; anything else is a 1001. */
function parseBoolean(value: string | null): boolean {
  if (value === null || value === "") return false;
  const lower = value.toLowerCase();
  if (["true", "on", "yes", "1"].includes(lower)) return true;
  if (["false", "off", "no", "0"].includes(lower)) return false;
  throw new ApiFailure("1001", `Invalid value '${value}'. Required of type 'boolean'`);
}
