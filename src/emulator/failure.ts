/**
 * The failure the emulator raises internally; the router turns it into an HTTP 200 envelope with
 * `success:false`. Marketo's texts for each code, and which codes leave the limits' counts alone, are
 * read from the one table of codes, src/marketo/codes.ts (docs/marketo-api.md 2.2 and 2.3).
 */
import { isUncounted, MARKETO_CODES } from "../marketo/codes.js";
import type { MarketoCode } from "./options.js";

/** A failure that becomes `{success:false, errors:[{code, message}]}`. */
export class ApiFailure extends Error {
  constructor(
    public readonly code: MarketoCode,
    message: string,
  ) {
    super(message);
    this.name = "ApiFailure";
  }
}

/** Codes whose calls do not count against the rate limit or the daily quota (DOC-ERR asterisk, docs/marketo-api.md 2.2). */
export const UNCOUNTED_CODES: ReadonlySet<string> = new Set(Object.keys(MARKETO_CODES).filter(isUncounted));
