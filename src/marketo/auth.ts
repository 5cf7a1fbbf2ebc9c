/**
 * Access-token caching for the Marketo identity endpoint (docs/marketo-api.md section 1 and quirk 6.4).
 *
 * Marketo returns the *same* token, with its remaining lifetime, until that token expires; asking early
 * does not give a fresh one, and near the end `expires_in` can be 0. So the manager tracks the server's
 * `expires_in` against the injected clock, treats a token as expired `safetyMarginMs` before its expiry,
 * and when the identity endpoint hands back a token that is already inside that margin, sleeps until it
 * has expired and asks again (a bounded number of times). Concurrent callers share one identity request.
 */
import { MarketoAuthError } from "./errors.js";

/** What one identity call returned. */
export interface IssuedToken {
  /** The bearer token. */
  readonly accessToken: string;
  /** Seconds the token has left, as the server said (`expires_in`). */
  readonly expiresInSeconds: number;
}

/** Why the manager asked for a token. */
export type TokenRefreshReason = "initial" | "expiring" | "rejected";

/** Events the manager reports; they never contain the token. */
export type TokenEvent =
  | {
      readonly type: "tokenRefreshed";
      readonly reason: TokenRefreshReason;
      readonly expiresInSeconds: number;
    }
  | { readonly type: "tokenWait"; readonly waitMs: number; readonly expiresInSeconds: number };

/** Settings of a `TokenManager`. */
export interface TokenManagerOptions {
  /** Performs one identity call (with its own retries for transient failures). */
  readonly requestToken: () => Promise<IssuedToken>;
  /** The clock. */
  readonly now: () => number;
  /** Waits the given milliseconds. */
  readonly sleep: (ms: number) => Promise<void>;
  /** Receives `tokenRefreshed` and `tokenWait` events. */
  readonly onEvent?: ((event: TokenEvent) => void) | undefined;
  /**
   * A token is treated as expired this long before the server's expiry, so that a request sent with it
   * arrives while it is still valid.
   * @default 10_000
   */
  readonly safetyMarginMs?: number | undefined;
  /**
   * How many times in a row the manager sleeps out a nearly expired token before giving up.
   * @default 3
   */
  readonly maxExpiryWaits?: number | undefined;
}

/** `expires_in` is whole seconds rounded down, so the real expiry can be up to a second later. */
const ROUNDING_MS = 1_000;

/** Caches the bearer token; see the module docs. */
export class TokenManager {
  #token: { value: string; expiresAt: number } | undefined;
  #pending: Promise<string> | undefined;
  #nextReason: TokenRefreshReason = "initial";
  private readonly safetyMarginMs: number;
  private readonly maxExpiryWaits: number;

  /** @param options see `TokenManagerOptions` */
  constructor(private readonly options: TokenManagerOptions) {
    this.safetyMarginMs = options.safetyMarginMs ?? 10_000;
    this.maxExpiryWaits = options.maxExpiryWaits ?? 3;
  }

  /** A token valid for at least the safety margin: the cached one, or a new one (single flight). */
  public get(): Promise<string> {
    const token = this.#token;
    if (token !== undefined && this.options.now() < token.expiresAt - this.safetyMarginMs)
      return Promise.resolve(token.value);
    if (this.#pending === undefined) {
      const reason = token === undefined ? this.#nextReason : "expiring";
      this.#pending = this.refresh(reason).finally(() => {
        this.#pending = undefined;
      });
    }
    return this.#pending;
  }

  /**
   * Drops `token` after Marketo refused it (601/602), unless a newer one has replaced it already, so
   * that the next `get` asks the identity endpoint again.
   */
  public invalidate(token: string): void {
    if (this.#token?.value === token) {
      this.#token = undefined;
      this.#nextReason = "rejected";
    }
  }

  /** Whether a token is cached right now (for tests and diagnostics; never the token itself). */
  public get hasToken(): boolean {
    return this.#token !== undefined;
  }

  private async refresh(reason: TokenRefreshReason): Promise<string> {
    for (let waits = 0; ; waits++) {
      const issued = await this.options.requestToken();
      const now = this.options.now();
      const lifetimeMs = Math.max(0, issued.expiresInSeconds) * 1000;
      if (lifetimeMs > this.safetyMarginMs) {
        this.#token = { value: issued.accessToken, expiresAt: now + lifetimeMs };
        this.#nextReason = "expiring";
        this.emit({ type: "tokenRefreshed", reason, expiresInSeconds: issued.expiresInSeconds });
        return issued.accessToken;
      }
      // The same token, about to expire: asking again now returns it again. Sleep it out.
      if (waits >= this.maxExpiryWaits) {
        throw new MarketoAuthError(
          "tokenExpiring",
          { operation: "identity" },
          `Marketo's identity endpoint kept returning an access token that expires within ${Math.ceil(this.safetyMarginMs / 1000)} seconds (${waits + 1} tries)`,
          "try again in a minute; if it persists, check this machine's clock and report it to Adobe support",
        );
      }
      const waitMs = lifetimeMs + ROUNDING_MS;
      this.emit({ type: "tokenWait", waitMs, expiresInSeconds: issued.expiresInSeconds });
      await this.options.sleep(waitMs);
    }
  }

  private emit(event: TokenEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // A listener's failure must not break authentication.
    }
  }
}
