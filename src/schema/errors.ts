/**
 * The base of every error this package raises for something a user can cause. The CLI prints
 * `message` and `hint` and no stack trace for these; anything else is reported as a bug.
 */
export class MarketoActivitiesError extends Error {
  /** A stable, machine-readable code such as `ActivityTypeInvalid` or `MarketoApi`. */
  public readonly code: string;
  /** One line telling the user what to change, printed by the CLI under the message. */
  public readonly hint: string | undefined;

  constructor(code: string, message: string, options?: ErrorOptions & { hint?: string | undefined }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.hint = options?.hint;
  }
}

/** True for errors the user can fix (the CLI prints them without a stack trace). */
export function isUserError(error: unknown): error is MarketoActivitiesError {
  return error instanceof MarketoActivitiesError;
}
