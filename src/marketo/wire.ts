/**
 * Zod schemas of Marketo's wire format for the custom activity endpoints, shared by the client and
 * the emulator. Shapes follow Adobe's swagger (`swagger-mapi.json`, `swagger-identity.json`).
 *
 * Response schemas are tolerant on purpose: every field is optional, `null` reads as missing, and
 * unknown fields are kept, because Adobe's own examples omit fields the swagger marks required
 * (docs/marketo-api.md section 6.6), the swagger says some "may not be present", nothing says whether
 * an absent value is sent as `null` (section 8), and `errors[].code` is a string while `warnings[].code`
 * is an integer (section 6.9). Request schemas stay strict: they are what we send.
 */
import { z } from "zod";
import { DATA_TYPES } from "../schema/index.js";

/** A field Marketo may send, leave out or send as `null`: `null` reads as missing. */
function optional<T extends z.ZodType>(schema: T) {
  return schema
    .nullish()
    .transform((value): z.output<T> | undefined => (value === null ? undefined : (value as z.output<T>)))
    .optional();
}

/** `errors[]` item: `code` is a quoted string such as "601"; tolerate numbers too. */
export const wireErrorSchema = z.looseObject({
  code: z.union([z.string(), z.number()]).transform(String),
  message: optional(z.string()),
});
export type WireError = z.output<typeof wireErrorSchema>;

/** `warnings[]` item: `{code, message}` per the swagger, or a bare string as the Asset API sends. */
export const wireWarningSchema = z.union([
  z.string(),
  z.looseObject({ code: z.union([z.string(), z.number()]).optional(), message: z.string().optional() }),
]);

/** The REST envelope shared by every response (docs/marketo-api.md 2.1). `result` is always an array. */
export function envelopeSchema<T extends z.ZodType>(item: T) {
  return z.looseObject({
    requestId: optional(z.string()),
    success: optional(z.boolean()),
    result: optional(z.array(item)),
    errors: optional(z.array(wireErrorSchema)),
    warnings: optional(z.array(wireWarningSchema)),
    nextPageToken: optional(z.string()),
    moreResult: optional(z.boolean()),
  });
}

/** A type's status: four values, the third with spaces (docs/marketo-api.md 4.1 and 7.1). */
export const customActivityTypeStatusSchema = z.enum(["draft", "approved", "approved with draft", "deleted"]);
export type CustomActivityTypeStatus = z.output<typeof customActivityTypeStatusSchema>;

const LIVE = new Set<string>(["approved", "approved with draft"] satisfies CustomActivityTypeStatus[]);
const WITH_DRAFT = new Set<string>(["draft", "approved with draft"] satisfies CustomActivityTypeStatus[]);

/** Whether a type with this status has a live (approved) version: `approved` or `approved with draft`. */
export function isLive(status: string | undefined): boolean {
  return status !== undefined && LIVE.has(status);
}

/** Whether a type with this status has a draft: `draft` or `approved with draft`. */
export function hasDraft(status: string | undefined): boolean {
  return status !== undefined && WITH_DRAFT.has(status);
}

/** `CustomActivityTypeAttribute` as Marketo returns it. */
export const wireAttributeSchema = z.looseObject({
  apiName: z.string(),
  name: optional(z.string()),
  dataType: optional(z.string()),
  description: optional(z.string()),
  isPrimary: optional(z.boolean()),
});
export type WireAttribute = z.output<typeof wireAttributeSchema>;

/** `CustomActivityType` as Marketo returns it: every field optional (the docs' examples omit many). */
export const wireCustomActivityTypeSchema = z.looseObject({
  id: optional(z.number().int()),
  apiName: optional(z.string()),
  name: optional(z.string()),
  description: optional(z.string()),
  triggerName: optional(z.string()),
  filterName: optional(z.string()),
  primaryAttribute: optional(wireAttributeSchema),
  attributes: optional(z.array(wireAttributeSchema)),
  createdAt: optional(z.string()),
  updatedAt: optional(z.string()),
  status: optional(z.string()),
});
export type WireCustomActivityType = z.output<typeof wireCustomActivityTypeSchema>;

/** `ActivityType` from GET activities/types.json (standard and custom types, not told apart). */
export const wireActivityTypeSchema = z.looseObject({
  id: z.number().int(),
  apiName: optional(z.string()),
  name: optional(z.string()),
  description: optional(z.string()),
  primaryAttribute: optional(z.looseObject({ name: optional(z.string()), dataType: optional(z.string()) })),
  attributes: optional(
    z.array(
      z.looseObject({
        name: optional(z.string()),
        dataType: optional(z.string()),
        apiName: optional(z.string()),
      }),
    ),
  ),
});
export type WireActivityType = z.output<typeof wireActivityTypeSchema>;

/** A record's result from Add Custom Activities: per-record failures sit in `errors`, not `reasons`. */
export const wireCustomActivityResultSchema = z.looseObject({
  id: optional(z.number()),
  marketoGUID: optional(z.string()),
  status: optional(z.string()),
  errors: optional(z.array(wireErrorSchema)),
  reasons: optional(z.array(wireErrorSchema)),
});
export type WireCustomActivityResult = z.output<typeof wireCustomActivityResultSchema>;

/** Identity success body (not the REST envelope). */
export const identityResponseSchema = z.looseObject({
  access_token: z.string(),
  token_type: optional(z.string()),
  expires_in: z.number(),
  scope: optional(z.string()),
});
export type IdentityResponse = z.output<typeof identityResponseSchema>;

/** Identity failure body: OAuth style, HTTP 401 (docs/marketo-api.md section 1). */
export const identityErrorSchema = z.looseObject({
  error: z.string(),
  error_description: optional(z.string()),
});

// ---- request bodies (what the client sends and the emulator accepts) ----

const dataType = z.enum(DATA_TYPES);

/** `CustomActivityTypeAttribute` as sent in attribute create/update/delete and as the primary. */
export const attributeRequestSchema = z.looseObject({
  apiName: z.string(),
  name: z.string().optional(),
  dataType: dataType.optional(),
  description: z.string().optional(),
  isPrimary: z.boolean().optional(),
});
export type AttributeRequest = z.output<typeof attributeRequestSchema>;

/**
 * `CustomActivityTypeRequest`. The swagger marks every field required even for update; the docs
 * and hand-written clients send partial bodies on update (docs/marketo-api.md 4.1), so only create checks them.
 */
export const customActivityTypeRequestSchema = z.looseObject({
  apiName: z.string().optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  triggerName: z.string().optional(),
  filterName: z.string().optional(),
  primaryAttribute: attributeRequestSchema.optional(),
});
export type CustomActivityTypeRequest = z.output<typeof customActivityTypeRequestSchema>;

/** `CustomActivityTypeAttributeRequest`. */
export const attributesRequestSchema = z.looseObject({ attributes: z.array(attributeRequestSchema) });
export type AttributesRequest = z.output<typeof attributesRequestSchema>;

/** One input record of Add Custom Activities (`CustomActivity` without its output-only fields). */
export const customActivityInputSchema = z.looseObject({
  leadId: z.number().int(),
  activityDate: z.string(),
  activityTypeId: z.number().int(),
  apiName: z.string().optional(),
  primaryAttributeValue: z.string(),
  attributes: z.array(
    z.looseObject({ name: z.string().optional(), apiName: z.string().optional(), value: z.unknown() }),
  ),
});
export type CustomActivityInput = z.output<typeof customActivityInputSchema>;

/** `CustomActivityRequest`. */
export const customActivityRequestSchema = z.looseObject({ input: z.array(z.unknown()) });
