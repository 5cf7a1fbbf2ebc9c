/**
 * Validates emulator responses against Adobe's swagger (`test/fixtures/marketo/swagger-*.json`, copies
 * of Adobe's Apache-2.0 specs; see the README there). Every response that goes through
 * `test/emulator/helpers.ts` is checked here, so the whole emulator suite is a conformance run.
 *
 * Swagger 2 schemas are converted to JSON Schema draft-07 for ajv:
 * - `$ref`s are inlined; `description` and `example` are dropped; `format: int32` becomes a
 *   minimum/maximum pair and `format: int64` is dropped (JSON numbers, safe integers).
 * - Objects get `additionalProperties: false`, so the emulator cannot emit a key the spec lacks.
 * - `required` lists that Adobe's own examples contradict are replaced, precisely:
 *   1. Every `ResponseOf*` envelope requires `errors`, `requestId`, `result`, `success` and
 *      `warnings`. The docs' examples omit `errors` and `warnings` on success and `result` on failure
 *      (docs/marketo-api.md 2.1), and the emulator follows the examples. Replaced by: `requestId` and `success`
 *      always; `result` when `success` is true; `errors` (non-empty) and no `result` when it is false.
 *   2. `CustomActivity` requires `activityDate`, `activityTypeId`, `attributes`, `errors`, `id`,
 *      `leadId` and `primaryAttributeValue`: the input fields plus two output-only ones, because the
 *      spec shares one model for input and output (docs/marketo-api.md 4.1, 6.3). A result item is
 *      `{id, marketoGUID, status:"added"}` or `{status:"skipped", errors}` (DOC-ACT). Replaced by:
 *      `status` always; `marketoGUID` when `status` is `added` (`id` may be absent after the
 *      Activity Service migration); `errors` when it is `skipped`.
 *   Every other `required` list is kept as the spec has it.
 * - The swagger's types admit no `null`. An emulator whose options send absent fields as `null`
 *   (`absentFields`, `emptyDescription`) is validated with those nulls left out (`withoutNulls` in
 *   helpers.ts), as the client's wire schemas read them; everything else is validated as is.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import { identityErrorSchema } from "../../src/marketo/wire.js";

export const repoRoot = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const swaggerDir = fileURLToPath(new URL("../fixtures/marketo/", import.meta.url));

type Json = Record<string, unknown>;

function loadSpec(file: string): Json {
  const full = path.join(swaggerDir, file);
  if (!existsSync(full))
    throw new Error(
      `Conformance check cannot run: ${full} is missing. The emulator is validated against Adobe's swagger, ` +
        "a fixture of this repository (test/fixtures/marketo); restore it from git.",
    );
  return JSON.parse(readFileSync(full, "utf8")) as Json;
}

export const mapiSpec = loadSpec("swagger-mapi.json");
export const identitySpec = loadSpec("swagger-identity.json");

/** The REST envelopes (`ResponseOfIdentity` is the OAuth body, not an envelope). */
const ENVELOPE = /^ResponseOf(?!Identity$)/;

export function convert(node: unknown, definitions: Json, name: string | undefined, depth = 0): unknown {
  if (depth > 50) throw new Error("swagger $ref nesting too deep");
  if (Array.isArray(node)) return node.map((item) => convert(item, definitions, undefined, depth + 1));
  if (node === null || typeof node !== "object") return node;
  const source = node as Json;
  if (typeof source["$ref"] === "string") {
    const refName = source["$ref"].replace("#/definitions/", "");
    const target = definitions[refName];
    if (target === undefined) throw new Error(`unresolved $ref ${source["$ref"]}`);
    return convert(target, definitions, refName, depth + 1);
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === "description" || key === "example") continue;
    if (key === "format") {
      if (value === "int32") {
        out["minimum"] = -(2 ** 31);
        out["maximum"] = 2 ** 31 - 1;
      }
      continue;
    }
    if (key === "properties") {
      const properties: Json = {};
      for (const [prop, schema] of Object.entries(value as Json))
        properties[prop] = convert(schema, definitions, undefined, depth + 1);
      out[key] = properties;
      continue;
    }
    out[key] = convert(value, definitions, undefined, depth + 1);
  }
  if (out["type"] === "object" && out["properties"] !== undefined) out["additionalProperties"] = false;
  if (name !== undefined && ENVELOPE.test(name)) {
    out["required"] = ["requestId", "success"];
    out["anyOf"] = [
      { properties: { success: { const: true } }, required: ["result"] },
      {
        properties: { success: { const: false }, errors: { type: "array", minItems: 1 } },
        required: ["errors"],
        not: { required: ["result"] },
      },
    ];
  }
  if (name === "CustomActivity") {
    // Stricter than the spec on purpose: the emulator only ever answers "added" or "skipped".
    out["required"] = ["status"];
    out["anyOf"] = [
      { properties: { status: { const: "added" } }, required: ["marketoGUID"] },
      { properties: { status: { const: "skipped" } }, required: ["errors"] },
    ];
  }
  return out;
}

// strictRequired is off: the anyOf branches require properties declared by the enclosing schema.
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
const validators = new Map<string, ValidateFunction>();

/** The converted 200 schema of a swagger operation, by operationId. */
export function responseSchema(operationId: string): Json {
  for (const spec of [mapiSpec, identitySpec]) {
    const paths = spec["paths"] as Record<string, Record<string, Json>>;
    for (const methods of Object.values(paths)) {
      for (const operation of Object.values(methods)) {
        if (operation["operationId"] !== operationId) continue;
        const responses = operation["responses"] as Record<string, { schema?: unknown }>;
        const schema = responses["200"]?.schema;
        if (schema === undefined) throw new Error(`${operationId} has no 200 schema`);
        return convert(schema, spec["definitions"] as Json, undefined) as Json;
      }
    }
  }
  throw new Error(`operation ${operationId} is not in the swagger`);
}

/** Generic envelope (for 605/610 and other failures that match no operation). */
const ENVELOPE_ID = "ResponseOfCustomActivityType";

function validator(operationId: string): ValidateFunction {
  let validate = validators.get(operationId);
  if (validate === undefined) {
    const schema =
      operationId === ENVELOPE_ID
        ? (convert(
            { $ref: `#/definitions/${ENVELOPE_ID}` },
            mapiSpec["definitions"] as Json,
            undefined,
          ) as Json)
        : responseSchema(operationId);
    validate = ajv.compile(schema);
    validators.set(operationId, validate);
  }
  return validate;
}

/** Problems of `body` against the operation's 200 schema; empty when it conforms. */
export function conformanceErrors(operationId: string | undefined, body: unknown): string[] {
  const validate = validator(operationId ?? ENVELOPE_ID);
  if (validate(body)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`,
  );
}

/** Identity failures are not in the swagger; they must be OAuth bodies (the client's wire schema). */
export function identityErrorProblems(body: unknown): string[] {
  const parsed = identityErrorSchema.safeParse(body);
  return parsed.success ? [] : parsed.error.issues.map((i) => i.message);
}

/** How many bodies each operationId had validated in this test file. */
export const validatedCounts = new Map<string, number>();
