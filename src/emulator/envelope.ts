/**
 * The Marketo REST envelope (docs/marketo-api.md 2.1): `{requestId, result, success}` on success,
 * HTTP 200 with `success:false` and `errors:[{code, message}]` on failure, and the replies of
 * scripted faults.
 */
import { randomBytes } from "node:crypto";
import { concurrencyMessage, messageForCode, rateLimitMessage } from "../marketo/codes.js";
import { MARKETO_RATE_LIMIT, MAX_CONCURRENT_REQUESTS } from "../schema/index.js";
import { ApiFailure } from "./failure.js";
import { json, type Reply, raw, text } from "./http.js";
import type { FaultResponse, MarketoCode, ResolvedLimits } from "./options.js";

export interface EnvelopeConfig {
  readonly now: () => number;
  /** `behaviour.emptyErrorsAndWarnings`: success bodies carry `errors: []` and `warnings: []`. */
  readonly emptyErrorsAndWarnings: boolean;
  /** The limits a fault's 606 or 615 message names. */
  readonly limits: ResolvedLimits;
}

/** A `warnings[]` item: the swagger's `Warning`, whose `code` is an integer (docs/marketo-api.md 6.9). */
export interface Warning {
  readonly code: number;
  readonly message: string;
}

/** What an operation answers on success: its `result`, and warnings if it has any. */
export interface Answer {
  readonly result: unknown[];
  readonly warnings?: readonly Warning[];
}

export class Envelope {
  constructor(private readonly config: EnvelopeConfig) {}

  success({ result, warnings = [] }: Answer): Reply {
    const body: Record<string, unknown> = { requestId: this.requestId(), result, success: true };
    if (this.config.emptyErrorsAndWarnings) body["errors"] = [];
    if (this.config.emptyErrorsAndWarnings || warnings.length > 0) body["warnings"] = warnings;
    return json(200, body);
  }

  failure(code: MarketoCode, message: string): Reply {
    return json(200, this.failureBody(code, message));
  }

  /** The failure for what a handler threw: its code, or 611 System error for a bug. */
  fromError(error: unknown): Reply {
    if (error instanceof ApiFailure) return this.failure(error.code, error.message);
    return this.failure("611", `System error: ${error instanceof Error ? error.message : String(error)}`);
  }

  /** The 611 sent when the emulator itself fails outside a handler (not logged). */
  crash(error: unknown): Reply {
    return this.failure("611", `System error: ${String(error)}`);
  }

  /** What a scripted or random fault answers instead of the real response. */
  fault(respond: FaultResponse): Reply {
    if ("code" in respond)
      return this.failure(respond.code, respond.message ?? this.faultMessage(respond.code));
    if ("httpStatus" in respond) return raw(respond.httpStatus, respond.body ?? "");
    return text(500, "");
  }

  /** A fault's default message: Marketo's, with the configured limits (Marketo's when off) in 606 and 615. */
  private faultMessage(code: MarketoCode): string {
    const { rateLimit, maxConcurrent } = this.config.limits;
    if (code === "606") {
      const { calls, windowMs } = rateLimit === false ? MARKETO_RATE_LIMIT : rateLimit;
      return rateLimitMessage(calls, windowMs);
    }
    if (code === "615")
      return concurrencyMessage(maxConcurrent === false ? MAX_CONCURRENT_REQUESTS : maxConcurrent);
    return messageForCode(code);
  }

  private failureBody(code: MarketoCode, message: string): Record<string, unknown> {
    return { requestId: this.requestId(), success: false, errors: [{ code, message }] };
  }

  private requestId(): string {
    return `${randomBytes(2).toString("hex")}#${this.config.now().toString(16)}`;
  }
}
