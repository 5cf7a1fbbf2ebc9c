/**
 * Failures without a response: what a thrown `fetch` error means for retrying (was the request sent?),
 * and how it reads to the user. Only the error's `code` or `name` is kept, never its message: undici's
 * errors can carry the request URL, and the identity URL holds the client secret.
 */
import type { FailureKind } from "./codes.js";
import { isLoopbackHost } from "./credentials.js";
import { MarketoNetworkError } from "./errors.js";
import { type Context, type Failure, failureContext } from "./outcome.js";

/**
 * Network error codes that mean the request never left this machine (no connection was opened), so
 * resending cannot duplicate it. ENOTFOUND is left out on purpose: a host name that does not resolve is
 * almost always a wrong base URL, and retrying it for two minutes helps nobody.
 */
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** Network error codes that will not go away by retrying. */
const FATAL_CODES = new Set([
  "ENOTFOUND",
  "ERR_INVALID_URL",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
]);

/** TLS and certificate problems: retrying does not fix them. */
function isTlsCode(code: string): boolean {
  return code.includes("CERT") || code.startsWith("ERR_TLS") || code.startsWith("ERR_SSL");
}

/** What a thrown `fetch` error means for retrying. */
export interface NetworkFailure {
  /** `rejected` (never sent), `transient` (may have been sent), or `fatal`. */
  readonly kind: FailureKind;
  /** The system error code (`ECONNRESET`), `Timeout`, or the error's name. */
  readonly code: string;
  /** True when the request timed out (an abort by the client's own timer). */
  readonly timeout: boolean;
}

/** Finds the first string `code` along an error's `cause` chain (and in an AggregateError's `errors`). */
function findCode(error: unknown, depth = 0): string | undefined {
  if (depth > 5 || typeof error !== "object" || error === null) return undefined;
  const record = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof record.code === "string" && record.code !== "") return record.code;
  const fromCause = findCode(record.cause, depth + 1);
  if (fromCause !== undefined) return fromCause;
  if (Array.isArray(record.errors)) {
    for (const inner of record.errors) {
      const code = findCode(inner, depth + 1);
      if (code !== undefined) return code;
    }
  }
  return undefined;
}

function nameOf(error: unknown): string {
  if (typeof error === "object" && error !== null) {
    const name = (error as { name?: unknown }).name;
    if (typeof name === "string" && name !== "") return name;
  }
  return "Error";
}

/**
 * Classifies an error thrown by `fetch` or by reading the body. undici reports connection problems as
 * `TypeError("fetch failed")` with the system error in `cause`; an `AbortSignal.timeout` abort is a
 * `TimeoutError`. A `TypeError` with no cause is a request `fetch` refused to send (a malformed URL or
 * header), which is fatal and was never sent.
 */
export function classifyNetworkError(error: unknown): NetworkFailure {
  const name = nameOf(error);
  if (name === "TimeoutError" || name === "AbortError")
    return { kind: "transient", code: "Timeout", timeout: true };
  const code = findCode(error);
  if (code !== undefined) {
    if (NOT_SENT_CODES.has(code)) return { kind: "rejected", code, timeout: false };
    if (FATAL_CODES.has(code) || isTlsCode(code)) return { kind: "fatal", code, timeout: false };
    return { kind: "transient", code, timeout: false };
  }
  const hasCause = typeof error === "object" && error !== null && "cause" in error;
  if (name === "TypeError" && !hasCause) return { kind: "fatal", code: name, timeout: false };
  return { kind: "transient", code: name, timeout: false };
}

/**
 * The failure of an attempt whose `fetch` threw. `responded` is true when the response had started (its
 * body could not be read), so the request arrived: it is never treated as "not sent".
 */
export function networkFailure(
  context: Context,
  error: unknown,
  responded: boolean,
): { readonly failure: Failure; readonly code: string } {
  const { call, names, baseUrl } = context;
  const classified = classifyNetworkError(error);
  const kind: FailureKind = responded && classified.kind !== "fatal" ? "transient" : classified.kind;
  const url = new URL(baseUrl);
  const host = url.host;
  const code = classified.code;
  let description: string;
  let hint: string;
  if (classified.timeout) {
    description = `no answer from ${host} within ${call.timeoutMs} ms`;
    hint = "Marketo may be slow right now; try again later";
  } else if (code === "ENOTFOUND") {
    description = `the host name ${host} does not resolve (ENOTFOUND)`;
    hint = `check ${names.baseUrl} (or ${names.munchkinId}): it should name your instance, e.g. https://123-ABC-456.mktorest.com`;
  } else if (kind === "rejected") {
    description = `could not connect to ${host} (${code})`;
    hint = isLoopbackHost(url.hostname)
      ? `nothing answers at ${baseUrl} on this machine. If it is the emulator, is it running? Start it with \`marketo-activities emulator\` and export what it prints; otherwise check ${names.baseUrl}`
      : `check that ${names.baseUrl} (${baseUrl}) is right and that this machine can reach it (network, proxy, firewall)`;
  } else if (kind === "fatal" && code === "TypeError") {
    description = "the request could not be sent (the URL or a header was refused by fetch)";
    hint = `check ${names.baseUrl}; if it is right, report this as a bug`;
  } else if (kind === "fatal") {
    description = `the secure connection to ${host} failed (${code})`;
    hint =
      "check that nothing between this machine and Marketo intercepts TLS, or configure its CA certificate";
  } else {
    description = `the connection to ${host} failed (${code})`;
    hint = "check this machine's network connection; Marketo may be unavailable";
  }
  const failure: Failure = {
    kind,
    processed: kind === "transient" ? "maybe" : "no",
    label: classified.timeout ? `no answer within ${call.timeoutMs} ms` : code,
    network: description,
    retryKey: code,
    toError: ({ attempts }) =>
      new MarketoNetworkError(
        { ...failureContext(call, attempts), networkCode: code, retryable: kind !== "fatal" },
        description,
        hint,
      ),
  };
  return { failure, code };
}
