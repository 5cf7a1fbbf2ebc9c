/**
 * Marketo's call limits (docs/marketo-api.md section 3): a rolling window (606), a cap on requests in flight
 * (615) and a daily quota that resets at midnight US Central time (607). Calls that end with one of
 * the asterisked codes (601, 602, 604, 605, 608, 611) are taken back out of the counts.
 */
import { concurrencyMessage, messageForCode, rateLimitMessage } from "../marketo/codes.js";
import { ApiFailure, UNCOUNTED_CODES } from "./failure.js";
import type { ResolvedLimits } from "./options.js";

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

  /** Admits a REST call or throws the 607, 606 or 615 failure. */
  admit(): Ticket {
    const now = this.now();
    const day = quotaDay(now);
    if (day !== this.day) {
      this.day = day;
      this.dailyCalls = 0;
    }
    this.prune(now);
    const ticket: Ticket = { id: this.nextId++, startedAt: now, day, counted: false };
    const { dailyQuota, rateLimit, maxConcurrent } = this.limits;
    let failure: ApiFailure | undefined;
    if (dailyQuota !== false && this.dailyCalls >= dailyQuota)
      failure = new ApiFailure("607", messageForCode("607"));
    else if (rateLimit !== false && this.starts.length >= rateLimit.calls)
      failure = new ApiFailure("606", rateLimitMessage(rateLimit.calls, rateLimit.windowMs));
    else if (maxConcurrent !== false && this.inFlight >= maxConcurrent)
      failure = new ApiFailure("615", concurrencyMessage(maxConcurrent));
    if (failure !== undefined) {
      if (this.limits.rejectedCallsCount) this.count(ticket);
      throw failure;
    }
    this.count(ticket);
    this.inFlight++;
    return ticket;
  }

  /** Ends an admitted call; a call that ended with an uncounted code is taken out of the counts. */
  finish(ticket: Ticket, code: string | undefined): void {
    this.inFlight--;
    if (code !== undefined && UNCOUNTED_CODES.has(code) && ticket.counted) {
      ticket.counted = false;
      this.starts = this.starts.filter((t) => t !== ticket);
      if (ticket.day === this.day) this.dailyCalls--;
    }
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
