/**
 * The identity call (docs/marketo-api.md section 1): its URL, and the reading of its answer, which is
 * not the REST envelope: `{access_token, expires_in}` on success, OAuth's `{error,
 * error_description}` with HTTP 401 for bad credentials. Pure, like `interpret.ts`.
 */
import type { IssuedToken } from "./auth.js";
import { IDENTITY } from "./endpoints.js";
import { MarketoAuthError } from "./errors.js";
import { anyEnvelopeSchema } from "./interpret.js";
import {
  apiFailure,
  baseUrlHint,
  type Context,
  detail,
  httpFailure,
  serverErrorHint,
  unexpectedAnswer,
  type Verdict,
} from "./outcome.js";
import { policyForHttpStatus } from "./retry.js";
import { identityErrorSchema, identityResponseSchema } from "./wire.js";

/**
 * The identity URL, with the credentials in the query string as the swagger defines them
 * (docs/marketo-api.md section 1). It holds the client secret: never keep it, log it or put it in an error.
 */
export function identityUrl(baseUrl: string, clientId: string, clientSecret: string): string {
  const query = new URLSearchParams({
    grant_type: "client_credentials",
    client_id: clientId,
    client_secret: clientSecret,
  });
  return `${baseUrl}${IDENTITY.path}?${query.toString()}`;
}

/** Interprets an identity answer. A token it returns is registered with the redactor at once. */
export function interpretIdentity(context: Context, status: number, text: string): Verdict<IssuedToken> {
  const { names, redactor } = context;
  const excerpt = redactor.excerpt(text);
  const http = (kind: Parameters<typeof httpFailure>[3], problem: string, hint?: string) =>
    httpFailure(context, status, excerpt, kind, "no", problem, hint);

  if (status >= 500) return http("transient", "an error status", serverErrorHint(context));
  const notIdentity = (isJson: boolean) => {
    const { problem, hint } = unexpectedAnswer(context, status, text, isJson);
    return http(policyForHttpStatus(status), problem, hint);
  };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return notIdentity(false);
  }
  if (status === 200) {
    const token = identityResponseSchema.safeParse(json);
    if (token.success) {
      redactor.add(token.data.access_token);
      return {
        ok: true,
        value: { accessToken: token.data.access_token, expiresInSeconds: token.data.expires_in },
      };
    }
  }
  const oauth = identityErrorSchema.safeParse(json);
  if (oauth.success) {
    const error = redactor.redact(oauth.data.error);
    const description = redactor.redact(oauth.data.error_description ?? "");
    const badCredentials = status === 401 || error === "invalid_client" || error === "unauthorized";
    if (badCredentials) {
      const host = new URL(context.baseUrl).host;
      return {
        ok: false,
        failure: {
          kind: "fatal",
          processed: "no",
          label: error,
          retryKey: error,
          toError: () =>
            new MarketoAuthError(
              "badCredentials",
              { operation: "identity", httpStatus: status, codes: [error] },
              `Marketo refused the client credentials for ${host} (HTTP ${status} ${error}${description === "" ? "" : `: ${description}`}). Check ${names.clientId} and ${names.clientSecret}`,
              `${names.clientId} and ${names.clientSecret} must be the Client ID and Client Secret of a LaunchPoint custom service on this instance (Admin > Integration > LaunchPoint > View Details), and ${names.baseUrl} must point at the same instance`,
            ),
        },
      };
    }
  }
  const envelope = anyEnvelopeSchema.safeParse(json);
  if (envelope.success && (envelope.data.errors ?? []).length > 0) {
    const errors = (envelope.data.errors ?? []).map((e) => detail(context, e.code, e.message));
    const failure = apiFailure(context, status, envelope.data.requestId, errors, undefined);
    // A token refusal cannot happen here; anything of that kind is final.
    if (!failure.ok && failure.failure.kind === "reauth")
      return { ok: false, failure: { ...failure.failure, kind: "fatal" } };
    return failure;
  }
  return status === 200
    ? http("fatal", "a body that is not an access token", baseUrlHint(context))
    : notIdentity(true);
}
