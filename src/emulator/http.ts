/**
 * HTTP plumbing of the emulator (node:http only): reading the request target and body, and the
 * replies a handler produces before they are written (or dropped).
 */
import type { IncomingMessage, ServerResponse } from "node:http";

const JSON_TYPE = "application/json;charset=UTF-8";
const TEXT_TYPE = "text/plain;charset=UTF-8";

/** What a handler produced, before it is sent (or dropped). */
export interface Reply {
  readonly httpStatus: number;
  readonly body: string;
  readonly contentType: string;
  /** For the request log: `success` of the envelope, or HTTP 200 for identity. */
  readonly success: boolean;
  /** For the request log: `errors[].code`, or the OAuth `error`. */
  readonly errorCodes: readonly string[];
}

/** A JSON reply; `success` and `errorCodes` are read from the body. */
export function json(httpStatus: number, body: Record<string, unknown>): Reply {
  const success = httpStatus === 200 && body["success"] !== false;
  const errors = body["errors"];
  const errorCodes = Array.isArray(errors)
    ? errors.map((e) => String((e as { code?: unknown }).code))
    : typeof body["error"] === "string"
      ? [body["error"]]
      : [];
  return { httpStatus, body: JSON.stringify(body), contentType: JSON_TYPE, success, errorCodes };
}

/** A plain-text reply, as the servlet container sends for 413, 414 and raw faults. */
export function text(httpStatus: number, body: string): Reply {
  return { httpStatus, body, contentType: TEXT_TYPE, success: false, errorCodes: [] };
}

/** A raw reply of a fault: JSON if the body parses, else text. */
export function raw(httpStatus: number, body: string): Reply {
  return { ...text(httpStatus, body), contentType: parsesAsJson(body) ? JSON_TYPE : TEXT_TYPE };
}

function parsesAsJson(body: string): boolean {
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}

/** Writes a reply, unless the connection is already gone; `close` asks the client to reconnect. */
export function writeReply(res: ServerResponse, reply: Reply, close = false): void {
  if (res.destroyed || res.socket?.destroyed === true) return;
  const headers: Record<string, string | number> = {
    "content-type": reply.contentType,
    "content-length": Buffer.byteLength(reply.body),
  };
  if (close) headers["connection"] = "close";
  res.writeHead(reply.httpStatus, headers);
  res.end(reply.body);
}

/**
 * The request target's path and query, split by hand: `new URL` would read `//rest/...` as a host
 * and normalise dot segments.
 */
export function splitTarget(target: string): { pathname: string; search: string } {
  const queryAt = target.indexOf("?");
  return queryAt === -1
    ? { pathname: target, search: "" }
    : { pathname: target.slice(0, queryAt), search: target.slice(queryAt + 1) };
}

/** The media type of the request's body, lower case, without parameters. */
export function mediaType(req: IncomingMessage): string {
  return (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/** Adds the fields of a form body (`application/x-www-form-urlencoded`) to `params`; other bodies add none. */
export function addFormFields(req: IncomingMessage, body: Buffer, params: URLSearchParams): void {
  if (mediaType(req) !== "application/x-www-form-urlencoded") return;
  for (const [key, value] of new URLSearchParams(body.toString("utf8"))) params.append(key, value);
}

/** The token of an `Authorization: Bearer` header, if one was sent. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  return /^Bearer\s+(.+)$/i.exec(header.trim())?.[1]?.trim();
}

/** Reads the whole body, or reports `tooLarge` past `limit` bytes (Marketo answers 413 above 1 MB). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "tooLarge"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on("data", (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        resolve("tooLarge");
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
    req.on("error", (error) => {
      if (!done) reject(error);
    });
    req.on("close", () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
  });
}
