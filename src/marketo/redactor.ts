/**
 * The redaction that keeps secrets out of errors and events: the client hands errors only text that
 * has passed through a `Redactor` (docs/design.md decision 6).
 */
const REDACTED = "[REDACTED]";

/**
 * Removes secrets from text that may end up in an error or event: every registered secret (the client
 * secret and every token seen), plus anything that looks like one (`access_token=...`,
 * `client_secret=...`, `"access_token": "..."`, `Bearer ...`). Secrets sit in a private field so that
 * neither `util.inspect` nor `JSON.stringify` of the holder shows them.
 */
export class Redactor {
  readonly #secrets = new Set<string>();

  /** Registers a value to remove wherever it appears. Values shorter than 4 characters are ignored. */
  public add(secret: string): void {
    if (secret.length >= 4) this.#secrets.add(secret);
  }

  /** The text with every secret replaced by `[REDACTED]`. */
  public redact(text: string): string {
    let out = text;
    for (const secret of this.#secrets) out = out.split(secret).join(REDACTED);
    return out
      .replace(/((?:access_token|client_secret|refresh_token)=)[^&\s"']*/gi, `$1${REDACTED}`)
      .replace(/("(?:access_token|client_secret|refresh_token)"\s*:\s*")[^"]*"/gi, `$1${REDACTED}"`)
      .replace(/(Bearer\s+)[^\s"',]+/gi, `$1${REDACTED}`);
  }

  /** The redacted text cut to `max` characters (with an ellipsis when cut). */
  public excerpt(text: string, max = 200): string {
    const flat = this.redact(text).replace(/\s+/g, " ").trim();
    return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  }

  /** Keeps the holder's `JSON.stringify` free of the secret list. */
  public toJSON(): string {
    return "Redactor";
  }
}
