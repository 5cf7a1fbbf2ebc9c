/**
 * Tracing for support cases: with `MARKETO_ACTIVITIES_TRACE=1` every command prints each request of
 * each client and each answer, retry and wait, one stderr line per event (docs/client.md, Tracing):
 *
 *   trace 2026-01-15T12:00:00.120Z prod createCustomActivityType POST /rest/v1/activities/external/type.json attempt 1
 *   trace 2026-01-15T12:00:00.243Z prod createCustomActivityType POST /rest/v1/activities/external/type.json attempt 1 -> 200 codes 1017 in 123 ms requestId e42b#14272d07d78
 *
 * Lines are built from the client's events only, which never hold a token, the secret or a URL (the
 * identity call's query holds the secret: events name a request by method and path); each line
 * passes through a redactor that knows the secret as well, so that no mistake upstream can print it.
 */
import type { MarketoClientEvent } from "../marketo/index.js";
import { Redactor } from "../marketo/redactor.js";

/** The variable that turns tracing on: `1` or `true`. */
export const TRACE_ENV = "MARKETO_ACTIVITIES_TRACE";

/** Whether `env` asks for tracing (`MARKETO_ACTIVITIES_TRACE` is `1` or `true`). */
export function traceEnabled(env: Readonly<Record<string, string | undefined>>): boolean {
  const value = env[TRACE_ENV]?.trim().toLowerCase();
  return value === "1" || value === "true";
}

/** `250 ms`, `1.5 s`. */
function duration(ms: number): string {
  const rounded = Math.round(ms);
  return rounded < 1000 ? `${rounded} ms` : `${(rounded / 1000).toFixed(1).replace(/\.0$/, "")} s`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * What one event says, without the time and instance: the request (`<operation> <METHOD> <path>
 * attempt <n>`), its answer (the same, then `-> <status> [codes <c,...>] in <ms> [requestId <id>]`,
 * or `-> no answer (<code>) after <ms>`), and the marks between attempts (`retry`, `reauthenticate`,
 * waits, `failed after`, token refreshes).
 */
export function traceText(event: MarketoClientEvent): string {
  switch (event.type) {
    case "attempt":
      return `${event.operation} ${event.method} ${event.path} attempt ${event.attempt}`;
    case "response": {
      const codes = event.codes.length === 0 ? "" : ` codes ${event.codes.join(",")}`;
      const id = event.requestId === undefined ? "" : ` requestId ${event.requestId}`;
      return `${event.operation} ${event.method} ${event.path} attempt ${event.attempt} -> ${event.httpStatus}${codes} in ${duration(event.durationMs)}${id}`;
    }
    case "networkError":
      return `${event.operation} ${event.method} ${event.path} attempt ${event.attempt} -> no answer (${event.networkCode}) after ${duration(event.durationMs)}`;
    case "retry": {
      const next =
        event.limit === undefined
          ? `attempt ${event.attempt + 1} of at most ${event.maxAttempts}`
          : `attempt ${event.attempt + 1} (Marketo busy, ${event.limit} limit; giving up in ${duration(event.giveUpInMs ?? 0)})`;
      return `${event.operation} retry in ${duration(event.delayMs)}: ${next} after ${event.network ?? event.reason}`;
    }
    case "reauthenticate":
      return `${event.operation} reauthenticate: Marketo refused the token (${event.code}); resending once with a new one`;
    case "limiterWait":
      return `${event.operation} wait ${duration(event.waitMs)} for this client's rate limit`;
    case "giveUp":
      return `${event.operation} failed after ${plural(event.attempts, "attempt")}: ${event.reason} (${event.error})`;
    case "tokenRefreshed":
      return `identity token ${event.reason === "initial" ? "received" : `renewed (${event.reason})`}, expires in ${event.expiresInSeconds} s`;
    case "tokenWait":
      return `identity token expires in ${event.expiresInSeconds} s: wait ${duration(event.waitMs)} for a new one`;
  }
}

/** Settings of a tracer. */
export interface TracerOptions {
  /** Where lines go (the CLI's stderr). */
  readonly write: (text: string) => void;
  /** The instance the client talks to, named on every line (read per line: a command may learn it late). */
  readonly instance: string | (() => string);
  /** The clock for the line's time (the client's, so tests on a virtual clock get stable lines). */
  readonly now?: () => number;
  /** Removed from every line should it appear (the client secret). */
  readonly secrets?: readonly (string | undefined)[];
}

/** A listener for a client's `onEvent` that writes one trace line per event. */
export function tracer(options: TracerOptions): (event: MarketoClientEvent) => void {
  const now = options.now ?? Date.now;
  const redactor = new Redactor();
  for (const secret of options.secrets ?? []) {
    if (secret === undefined) continue;
    redactor.add(secret);
    redactor.add(encodeURIComponent(secret));
  }
  return (event) => {
    const { instance } = options;
    const name = typeof instance === "string" ? instance : instance();
    const line = `trace ${new Date(now()).toISOString()} ${name} ${traceText(event)}`;
    options.write(`${redactor.redact(line)}\n`);
  };
}
