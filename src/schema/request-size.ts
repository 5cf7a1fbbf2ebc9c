/**
 * Marketo's 1 MB request limit applied to a definition: the largest requests `apply` may send for a
 * type, and the rule that none is over `MAX_REQUEST_BYTES`. One definition for the constructs (at
 * synth, per type) and the manifest parser (`parseManifest`, per type of a manifest read by
 * `validate`, `plan` and `apply`).
 */
import type { ActivityTypeDefinition } from "./activity-type.js";
import type { ValidationIssue } from "./issues.js";
import { formatCount, MAX_REQUEST_BYTES } from "./limits.js";

/** What one request that `apply` may send for a type holds: its JSON body and where each string comes from. */
export interface RequestShape {
  readonly what: string;
  readonly body: unknown;
  readonly fields: readonly { readonly path: string; readonly value: string }[];
}

/**
 * The largest requests `apply` may send for `definition`, as the reconciler builds them: the type
 * (create or update: every field of the type and its primary attribute) and the attributes (every
 * secondary attribute and the primary, as when the primary changes).
 */
export function largestRequests(definition: ActivityTypeDefinition): RequestShape[] {
  const attribute = (
    a: ActivityTypeDefinition["attributes"][number] | ActivityTypeDefinition["primaryAttribute"],
    path: string,
  ) => ({
    body: { apiName: a.apiName, name: a.name, dataType: a.dataType, description: a.description ?? "" },
    fields: [
      { path: `${path}.apiName`, value: a.apiName },
      { path: `${path}.name`, value: a.name },
      { path: `${path}.description`, value: a.description ?? "" },
    ],
  });
  const primary = attribute(definition.primaryAttribute, "primaryAttribute");
  const secondaries = definition.attributes.map((a, i) => attribute(a, `attributes[${i}]`));
  const typeFields = (["apiName", "name", "triggerName", "filterName", "description"] as const).map(
    (field) => ({ path: field, value: definition[field] ?? "" }),
  );
  return [
    {
      what: "creates or updates the type",
      body: {
        apiName: definition.apiName,
        name: definition.name,
        description: definition.description ?? "",
        triggerName: definition.triggerName,
        filterName: definition.filterName,
        primaryAttribute: primary.body,
      },
      fields: [...typeFields, ...primary.fields],
    },
    {
      what: "creates or updates the attributes",
      body: { attributes: [...secondaries.map((a) => a.body), { ...primary.body, isPrimary: true }] },
      fields: [...secondaries.flatMap((a) => a.fields), ...primary.fields],
    },
  ];
}

const utf8 = new TextEncoder();
const utf8Bytes = (text: string) => utf8.encode(text).length;

/**
 * Marketo refuses a request body over 1 MB (HTTP 413, docs/marketo-api.md section 3), and the client
 * sends none over `MAX_REQUEST_BYTES`. A definition whose requests would be larger fails synth, with
 * the largest field of that request named.
 */
export function requestSizeIssues(definition: ActivityTypeDefinition): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const request of largestRequests(definition)) {
    const bytes = utf8Bytes(JSON.stringify(request.body));
    if (bytes <= MAX_REQUEST_BYTES) continue;
    const sized = request.fields.map((field) => ({
      ...field,
      bytes: utf8Bytes(JSON.stringify(field.value)),
    }));
    const largest = sized.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    if (issues.some((issue) => issue.path === largest.path)) continue;
    issues.push({
      path: largest.path,
      message: `is ${formatCount(largest.bytes)} bytes as JSON, the largest field of the request that ${request.what} (${formatCount(bytes)} bytes); Marketo refuses a request over 1 MB (HTTP 413), and this package sends at most ${formatCount(MAX_REQUEST_BYTES)} bytes`,
      fix:
        largest.bytes > bytes - MAX_REQUEST_BYTES
          ? `shorten it by at least ${formatCount(bytes - MAX_REQUEST_BYTES)} bytes (UTF-8)`
          : `shorten the fields of that request by at least ${formatCount(bytes - MAX_REQUEST_BYTES)} bytes (UTF-8) in all; this is the largest of them`,
    });
  }
  return issues;
}
