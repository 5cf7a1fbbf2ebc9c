/** The request log (`Emulator.requests`): one entry per request, answered or dropped, oldest first. */
import type { Reply } from "./http.js";
import type { RequestLogEntry } from "./types.js";

/** What is known of a request before it is answered. */
export type RequestSeen = Pick<RequestLogEntry, "operation" | "method" | "path" | "at" | "apiName" | "fault">;

export class RequestLog {
  readonly entries: RequestLogEntry[] = [];

  /** Logs a request with the reply it got. */
  answered(request: RequestSeen, reply: Reply): void {
    this.push({
      ...request,
      httpStatus: reply.httpStatus,
      success: reply.success,
      errorCodes: reply.errorCodes,
    });
  }

  /** Logs a request whose connection a fault dropped: no HTTP status, no envelope. */
  dropped(request: RequestSeen, fault: "scripted" | "random", dropped: "before" | "after"): void {
    this.push({ ...request, httpStatus: 0, success: false, errorCodes: [], fault, dropped });
  }

  private push(entry: RequestLogEntry): void {
    // A fixed key order makes the log easy to read in test failures.
    const { operation, method, path, apiName, httpStatus, success, errorCodes, at, fault, dropped } = entry;
    this.entries.push({
      operation,
      method,
      path,
      ...(apiName === undefined ? {} : { apiName }),
      httpStatus,
      success,
      errorCodes,
      at,
      ...(fault === undefined ? {} : { fault }),
      ...(dropped === undefined ? {} : { dropped }),
    });
  }
}
