/** When Marketo's daily API quota resets (code 607, docs/marketo-api.md section 3). */
const CHICAGO = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/Chicago",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

function chicagoParts(ms: number): {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
} {
  const parts: Record<string, number> = {};
  for (const part of CHICAGO.formatToParts(new Date(ms))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return {
    year: parts["year"] ?? 0,
    month: parts["month"] ?? 1,
    day: parts["day"] ?? 1,
    hour: parts["hour"] ?? 0,
    minute: parts["minute"] ?? 0,
  };
}

/**
 * The next time Marketo's daily quota resets after `nowMs`: midnight in US Central time
 * (America/Chicago, so 06:00Z in winter and 05:00Z in summer), as an ISO 8601 UTC string.
 * Source: docs/marketo-api.md section 3 ("resets daily at 12:00 AM CST"; DOC-REST, DOC-BP, DOC-ERR).
 */
export function nextQuotaReset(nowMs: number): string {
  const today = chicagoParts(nowMs);
  // Midnight of the next Chicago calendar day is 05:00Z (CDT) or 06:00Z (CST) of that date; DST switches at
  // 02:00 local, so midnight is never skipped or repeated. Pick the candidate that is midnight in Chicago.
  const nextDayUtc = Date.UTC(today.year, today.month - 1, today.day + 1);
  for (const offsetHours of [5, 6]) {
    const candidate = nextDayUtc + offsetHours * 3_600_000;
    const local = chicagoParts(candidate);
    if (local.hour === 0 && local.minute === 0 && candidate > nowMs) return new Date(candidate).toISOString();
  }
  return new Date(nextDayUtc + 6 * 3_600_000).toISOString();
}
