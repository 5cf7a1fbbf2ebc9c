/**
 * Marketo's call limits (docs/marketo-api.md section 3): a rolling window (606), a cap on requests in flight
 * (615) and a daily quota that resets at midnight US Central time (607). Every REST call counts toward
 * the window and the quota except those answered with a code Marketo exempts (DOC-ERR's asterisk, the
 * `uncounted` codes of src/marketo/codes.ts: 601, 602, 604, 605, 608, 611); refusals by the limits
 * themselves count unless `limits.rejectedCallsCount` is false.
 */
import { concurrencyMessage, messageForCode, rateLimitMessage } from "../marketo/codes.js";
import { ApiFailure, UNCOUNTED_CODES } from "./failure.js";
import type { MarketoCode, ResolvedLimits } from "./options.js";

/** The codes the limits refuse with: what `rejectedCallsCount` is about. */
const LIMIT_REFUSALS: ReadonlySet<MarketoCode> = new Set(["606", "607", "615"]);

/** A call admitted by the limiter; hand it back to `finish` when the call ends. */
export interface Ticket {
  readonly id: number;
  readonly startedAt: number;
  readonly day: string;
  counted: boolean;
}

/** Usage counters, as shown in the state snapshot. */
export interface QuotaSnapshot {
  /** Counted calls started within the current rolling window. */
  readonly windowCalls: number;
  /** REST requests in flight. */
  readonly inFlight: number;
  /** Counted calls today (US Central calendar day). */
  readonly dailyCalls: number;
  /** The US Central calendar day the daily count belongs to, `YYYY-MM-DD`. */
  readonly day: string;
}

const centralDay = new Intl.DateTimeFormat("en-CA", {
  timeZone: "America/Chicago",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

/** The calendar day in US Central time (Marketo's quota resets at 12:00 AM Central). */
function quotaDay(ms: number): string {
  return centralDay.format(new Date(ms));
}

export class Limiter {
  private starts: Ticket[] = [];
  private inFlight = 0;
  private day = "";
  private dailyCalls = 0;
  private nextId = 1;

  constructor(
    private readonly limits: ResolvedLimits,
    private readonly now: () => number,
  ) {}

  /** Admits a REST call or throws the 607, 606 or 615 failure (counted as `counts` says). */
  admit(): Ticket {
    const ticket = this.ticket();
    const { dailyQuota, rateLimit, maxConcurrent } = this.limits;
    let failure: ApiFailure | undefined;
    if (dailyQuota !== false && this.dailyCalls >= dailyQuota)
      failure = new ApiFailure("607", messageForCode("607"));
    else if (rateLimit !== false && this.starts.length >= rateLimit.calls)
      failure = new ApiFailure("606", rateLimitMessage(rateLimit.calls, rateLimit.windowMs));
    else if (maxConcurrent !== false && this.inFlight >= maxConcurrent)
      failure = new ApiFailure("615", concurrencyMessage(maxConcurrent));
    if (failure !== undefined) {
      if (this.counts(failure.code)) this.count(ticket);
      throw failure;
    }
    this.count(ticket);
    this.inFlight++;
    return ticket;
  }

  /** Ends an admitted call; a call that ended with an exempt code is taken out of the counts. */
  finish(ticket: Ticket, code: MarketoCode | undefined): void {
    this.inFlight--;
    if (ticket.counted && !this.counts(code)) {
      ticket.counted = false;
      this.starts = this.starts.filter((t) => t !== ticket);
      if (ticket.day === this.day) this.dailyCalls--;
    }
  }

  /**
   * Counts a REST call that was answered without being admitted: an unknown path (610) or method
   * (605), a refused token (601, 602), a scripted or random fault with a code. It is never refused
   * itself; it counts as `counts` says.
   */
  charge(code: MarketoCode): void {
    const ticket = this.ticket();
    if (this.counts(code)) this.count(ticket);
  }

  /**
   * Whether a call answered with `code` (undefined: success) counts toward the window and the daily
   * quota: not when Marketo exempts the code, nor for a limit's own refusal without `rejectedCallsCount`.
   */
  counts(code: MarketoCode | undefined): boolean {
    if (code === undefined) return true;
    if (UNCOUNTED_CODES.has(code)) return false;
    return this.limits.rejectedCallsCount || !LIMIT_REFUSALS.has(code);
  }

  snapshot(): QuotaSnapshot {
    const now = this.now();
    this.prune(now);
    const day = quotaDay(now);
    return {
      windowCalls: this.starts.length,
      inFlight: this.inFlight,
      dailyCalls: day === this.day ? this.dailyCalls : 0,
      day,
    };
  }

  /** A ticket for a call arriving now, after the daily count rolled over and the window was pruned. */
  private ticket(): Ticket {
    const now = this.now();
    const day = quotaDay(now);
    if (day !== this.day) {
      this.day = day;
      this.dailyCalls = 0;
    }
    this.prune(now);
    return { id: this.nextId++, startedAt: now, day, counted: false };
  }

  private count(ticket: Ticket): void {
    ticket.counted = true;
    this.starts.push(ticket);
    this.dailyCalls++;
  }

  /** Drops calls that started more than a window ago. */
  private prune(now: number): void {
    const { rateLimit } = this.limits;
    if (rateLimit === false) {
      this.starts = [];
      return;
    }
    this.starts = this.starts.filter((t) => t.startedAt > now - rateLimit.windowMs);
  }
}
