/**
 * The identity service (docs/marketo-api.md section 1): client credentials in the query string (or a form
 * body), one token per client that is handed out again with its remaining lifetime until it expires,
 * OAuth-style 401 bodies for bad credentials. Tokens live in memory only.
 */
import { randomUUID } from "node:crypto";
import { messageForCode } from "../marketo/codes.js";
import { ApiFailure } from "./failure.js";

export interface IdentityConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope: string;
  readonly podCode: string;
  readonly tokenTtlSeconds: number;
  readonly now: () => number;
}

export interface IdentityReply {
  readonly httpStatus: number;
  readonly body: Record<string, unknown>;
}

export class TokenStore {
  /** Every token ever issued, with its expiry: an expired one gives 602, an unknown one 601. */
  private readonly issued = new Map<string, number>();
  private current: { token: string; expiresAt: number } | undefined;

  constructor(private readonly config: IdentityConfig) {}

  /** Handles GET or POST /identity/oauth/token with the merged query and form parameters. */
  token(params: URLSearchParams): IdentityReply {
    const { clientId, clientSecret } = this.config;
    const id = params.get("client_id");
    const secret = params.get("client_secret");
    if (id === null || id === "")
      return oauthError(401, "unauthorized", "Full authentication is required to access this resource");
    if (id !== clientId) return oauthError(401, "unauthorized", `No client with requested id: ${id}`);
    if (secret !== clientSecret) return oauthError(401, "invalid_client", "Bad client credentials");
    const grant = params.get("grant_type");
    if (grant === null || grant === "") return oauthError(400, "invalid_request", "Missing grant type");
    if (grant !== "client_credentials")
      return oauthError(400, "unsupported_grant_type", `Unsupported grant type: ${grant}`);

    const now = this.config.now();
    if (this.current === undefined || now >= this.current.expiresAt) {
      const token = `${randomUUID()}:${this.config.podCode}`;
      this.current = { token, expiresAt: now + this.config.tokenTtlSeconds * 1000 };
      this.issued.set(token, this.current.expiresAt);
    }
    return {
      httpStatus: 200,
      body: {
        access_token: this.current.token,
        token_type: "bearer",
        expires_in: Math.max(0, Math.floor((this.current.expiresAt - now) / 1000)),
        scope: this.config.scope,
      },
    };
  }

  /** Throws 601 for a missing or unknown token and 602 for an expired one. */
  check(token: string | undefined): void {
    if (token === undefined || token === "") throw new ApiFailure("601", messageForCode("601"));
    const expiresAt = this.issued.get(token);
    if (expiresAt === undefined) throw new ApiFailure("601", messageForCode("601"));
    if (this.config.now() >= expiresAt) throw new ApiFailure("602", messageForCode("602"));
  }
}

function oauthError(httpStatus: number, error: string, description: string): IdentityReply {
  return { httpStatus, body: { error, error_description: description } };
}
