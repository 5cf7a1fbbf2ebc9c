/**
 * The emulator's HTTP server (node:http only): routing by the client's own route table, identity,
 * auth, limits, fault injection, the Marketo envelope, the request log and persistence.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { matchRoute, type Operation } from "../marketo/endpoints.js";
import { ApiFailure, concurrencyMessage, messageFor, rateLimitMessage } from "./failure.js";
import { FaultPlan } from "./faults.js";
import { TokenStore } from "./identity.js";
import { Limiter, type QuotaSnapshot } from "./limits.js";
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_STANDARD_ACTIVITY_TYPES,
  type EmulatorOptions,
  type FaultResponse,
  type FaultSpec,
  type ResolvedBehaviour,
  type ResolvedLimits,
  resolveBehaviour,
  resolveLimits,
} from "./options.js";
import { EmulatorDataError, loadState, saveState } from "./persist.js";
import { stateFromSeed } from "./seed.js";
import {
  type ActivityRecord,
  type AttributeState,
  Instance,
  statusOf,
  type TypeStatus,
  type VersionState,
} from "./state.js";

/** One request as the emulator saw it. Paths are logged without their query (identity puts credentials there). */
export interface RequestLogEntry {
  /** The operation matched, or `unknown` when method and path match no route (610, 605, 413, 414). */
  readonly operation: Operation | "unknown";
  readonly method: string;
  readonly path: string;
  /** The activity type's apiName from the path, for the `type/{apiName}/...` routes. */
  readonly apiName?: string;
  /** HTTP status sent; 0 when the connection was dropped without a response. */
  readonly httpStatus: number;
  /** `success` of the envelope (or HTTP 200 for identity). */
  readonly success: boolean;
  /** Response-level codes (`errors[].code`, or the OAuth `error` for identity). */
  readonly errorCodes: readonly string[];
  /** Arrival time, from the emulator's clock (epoch ms). */
  readonly at: number;
  /** Set when a fault answered the request. */
  readonly fault?: "scripted" | "random";
  readonly dropped?: "before" | "after";
}

/** An attribute in the snapshot. */
export interface SnapshotAttribute {
  readonly apiName: string;
  readonly name: string;
  readonly dataType: string;
  readonly description?: string;
}

/** A live or draft version in the snapshot. */
export interface SnapshotVersion {
  readonly name: string;
  readonly description?: string;
  readonly triggerName: string;
  readonly filterName: string;
  readonly primaryAttribute?: SnapshotAttribute;
  readonly attributes: readonly SnapshotAttribute[];
}

/** A type in the snapshot, deleted ones included. */
export interface SnapshotActivityType {
  readonly id: number;
  readonly apiName: string;
  readonly status: TypeStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly inUse: boolean;
  readonly live?: SnapshotVersion;
  readonly draft?: SnapshotVersion;
  readonly records: readonly ActivityRecord[];
}

/** A deep copy of the emulator's state. */
export interface EmulatorSnapshot {
  readonly activityTypes: readonly SnapshotActivityType[];
  readonly quota: QuotaSnapshot;
}

/** A running emulator. */
export interface Emulator {
  /** Base URL, e.g. `http://127.0.0.1:53117` (use as MARKETO_BASE_URL). */
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /**
   * The variables that point an instance's `envPrefix` at this emulator:
   * `{ <prefix>_BASE_URL, <prefix>_CLIENT_ID, <prefix>_CLIENT_SECRET }`.
   */
  env(envPrefix?: string): Record<string, string>;
  /** Live log of completed requests, oldest first. */
  readonly requests: readonly RequestLogEntry[];
  /** A deep copy of the instance's state and the limit counters. */
  state(): EmulatorSnapshot;
  /** Adds a scripted fault at run time (without `nth`: from the next call of its operation). */
  addFault(fault: FaultSpec): void;
  /** Marks a type as used by triggers or filters (delete gives 1022), or not. */
  setInUse(apiName: string, inUse: boolean): void;
  /** Stops listening, ends every connection (keep-alive ones too) and abandons requests in progress. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_URI_BYTES = 8 * 1024;
const IDENTITY_PATH = "/identity/oauth/token";
const JSON_TYPE = "application/json;charset=UTF-8";
const MUTATING: ReadonlySet<Operation> = new Set([
  "createCustomActivityType",
  "updateCustomActivityType",
  "approveCustomActivityType",
  "discardCustomActivityTypeDraft",
  "deleteCustomActivityType",
  "createCustomActivityTypeAttributes",
  "updateCustomActivityTypeAttributes",
  "deleteCustomActivityTypeAttributes",
  "addCustomActivities",
]);
const NEEDS_BODY: ReadonlySet<Operation> = new Set([
  "createCustomActivityType",
  "updateCustomActivityType",
  "createCustomActivityTypeAttributes",
  "updateCustomActivityTypeAttributes",
  "deleteCustomActivityTypeAttributes",
  "addCustomActivities",
]);

/** What a handler produced, before it is sent (or dropped). */
interface Reply {
  readonly httpStatus: number;
  readonly body: string;
  readonly contentType: string;
  readonly success: boolean;
  readonly errorCodes: readonly string[];
}

/** Starts an emulator. Resolves once it listens; see `EmulatorOptions` for every option. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const runtime = new Runtime(options);
  await runtime.listen(options.host ?? "127.0.0.1", options.port ?? 0);
  return runtime.emulator();
}

class Runtime {
  private readonly now: () => number;
  private readonly behaviour: ResolvedBehaviour;
  private readonly limits: ResolvedLimits;
  private readonly instance: Instance;
  private readonly tokens: TokenStore;
  private readonly limiter: Limiter;
  private readonly faults: FaultPlan;
  private readonly log: RequestLogEntry[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private readonly server: Server;
  private readonly clientId: string;
  private readonly clientSecret: string;
  private closed = false;
  private url = "";

  constructor(private readonly options: EmulatorOptions) {
    this.now = options.now ?? Date.now;
    this.behaviour = resolveBehaviour(options.behaviour);
    this.limits = resolveLimits(options.limits);
    this.clientId = options.clientId ?? DEFAULT_CLIENT_ID;
    this.clientSecret = options.clientSecret ?? DEFAULT_CLIENT_SECRET;
    const loaded = options.persistPath === undefined ? undefined : loadState(options.persistPath);
    const data = loaded ?? stateFromSeed(options.seed, this.now(), this.limits);
    const leads = options.leads;
    const leadSet = Array.isArray(leads) ? new Set(leads) : undefined;
    this.instance = new Instance(data, {
      behaviour: this.behaviour,
      limits: this.limits,
      now: this.now,
      leadExists:
        typeof leads === "function"
          ? leads
          : leadSet !== undefined
            ? (id) => leadSet.has(id)
            : (id) => id >= 1,
      standardActivityTypes: options.standardActivityTypes ?? DEFAULT_STANDARD_ACTIVITY_TYPES,
    });
    this.tokens = new TokenStore({
      clientId: this.clientId,
      clientSecret: this.clientSecret,
      scope: options.scope ?? "api-user@emulator.invalid",
      podCode: options.podCode ?? "emu",
      tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
      now: this.now,
    });
    this.limiter = new Limiter(this.limits, this.now);
    this.faults = new FaultPlan(options.faults ?? [], options.randomFaults);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        // A bug in the emulator: answer 611 rather than hanging the client.
        if (!res.headersSent && !res.destroyed) {
          const body = JSON.stringify(this.failureBody("611", `System error: ${String(error)}`));
          res.writeHead(200, { "content-type": JSON_TYPE, "content-length": Buffer.byteLength(body) });
          res.end(body);
        }
      });
    });
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    if (options.persistPath !== undefined && loaded === undefined) {
      try {
        this.persist();
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? String(error);
        throw new EmulatorDataError(options.persistPath, "write", `it cannot be written (${code})`, {
          cause: error,
        });
      }
    }
  }

  listen(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        const address = this.server.address();
        if (address === null || typeof address === "string") {
          reject(new Error("the emulator could not determine its address"));
          return;
        }
        const hostPart = address.family === "IPv6" ? `[${address.address}]` : address.address;
        this.url = `http://${hostPart}:${address.port}`;
        resolve();
      });
    });
  }

  emulator(): Emulator {
    return {
      url: this.url,
      clientId: this.clientId,
      clientSecret: this.clientSecret,
      env: (envPrefix = "MARKETO") => ({
        [`${envPrefix}_BASE_URL`]: this.url,
        [`${envPrefix}_CLIENT_ID`]: this.clientId,
        [`${envPrefix}_CLIENT_SECRET`]: this.clientSecret,
      }),
      requests: this.log,
      state: () => this.snapshot(),
      addFault: (fault) => this.faults.add(fault),
      setInUse: (apiName, inUse) => {
        this.instance.setInUse(apiName, inUse);
        this.persist();
      },
      close: () => this.close(),
    };
  }

  private close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    for (const pending of this.timers) {
      clearTimeout(pending.timer);
      pending.resolve();
    }
    this.timers.clear();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
      for (const socket of this.sockets) socket.destroy();
    });
  }

  // ---- the request pipeline ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = this.now();
    const method = (req.method ?? "GET").toUpperCase();
    const rawUrl = req.url ?? "/";
    // Split by hand: `new URL` would read `//rest/...` as a host and normalise dot segments.
    const queryAt = rawUrl.indexOf("?");
    const pathname = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    const search = queryAt === -1 ? "" : rawUrl.slice(queryAt + 1);
    const base = { method, path: pathname, at };

    if (Buffer.byteLength(rawUrl) > MAX_URI_BYTES) {
      this.send(res, text(414, "Request-URI Too Long"), { ...base, operation: "unknown" }, true);
      return;
    }
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === "tooLarge") {
      this.send(res, text(413, "Request Entity Too Large"), { ...base, operation: "unknown" }, true);
      return;
    }
    if (this.closed) return;

    // POST with _method=GET carries a long query in a form body (docs/marketo-api.md 2.1, 414).
    let effectiveMethod = method;
    const params = new URLSearchParams(search);
    if (method === "POST" && params.get("_method") === "GET") {
      effectiveMethod = "GET";
      if (mediaType(req) === "application/x-www-form-urlencoded")
        for (const [key, value] of new URLSearchParams(body.toString("utf8"))) params.append(key, value);
    }

    const route = matchRoute(effectiveMethod, pathname);
    if ("error" in route) {
      const reply =
        pathname === IDENTITY_PATH
          ? json(405, {
              error: "method_not_allowed",
              error_description: `Request method '${method}' not supported`,
            })
          : route.error === "notFound"
            ? this.failure("610", messageFor("610"))
            : this.failure("605", messageFor("605"));
      await this.sleep();
      this.send(res, reply, { ...base, operation: "unknown" });
      return;
    }
    const { operation } = route;
    const entry =
      route.apiName === undefined ? { ...base, operation } : { ...base, operation, apiName: route.apiName };

    const fault = this.faults.next(operation);
    if (fault !== undefined && "drop" in fault.respond && fault.respond.drop === "before") {
      req.socket.destroy();
      this.recordDrop(entry, fault.source, "before");
      return;
    }
    if (fault !== undefined && !("drop" in fault.respond)) {
      await this.sleep();
      this.send(res, this.faultReply(fault.respond), { ...entry, fault: fault.source });
      return;
    }

    const reply =
      operation === "identity"
        ? await this.identity(req, params, body)
        : await this.rest(
            operation,
            route.apiName,
            req,
            params,
            effectiveMethod === "POST" ? body : Buffer.alloc(0),
          );
    if (this.closed) return;
    if (fault !== undefined) {
      // drop "after": the request was processed (state changed) but no response is sent.
      req.socket.destroy();
      this.recordDrop(entry, fault.source, "after");
      return;
    }
    this.send(res, reply, entry);
  }

  private async identity(req: IncomingMessage, params: URLSearchParams, body: Buffer): Promise<Reply> {
    // The swagger puts the credentials in the query; a servlet also reads a form body.
    if (mediaType(req) === "application/x-www-form-urlencoded")
      for (const [key, value] of new URLSearchParams(body.toString("utf8"))) params.append(key, value);
    await this.sleep();
    const reply = this.tokens.token(params);
    return json(reply.httpStatus, reply.body);
  }

  private async rest(
    operation: Operation,
    apiName: string | undefined,
    req: IncomingMessage,
    params: URLSearchParams,
    body: Buffer,
  ): Promise<Reply> {
    let ticket: ReturnType<Limiter["admit"]>;
    try {
      this.tokens.check(this.bearer(req, params));
      ticket = this.limiter.admit();
    } catch (error) {
      await this.sleep();
      return this.failureReply(error);
    }
    let code: string | undefined;
    try {
      await this.sleep();
      if (this.closed) throw new ApiFailure("611", messageFor("611"));
      const input = this.parseBody(operation, req, body);
      const result = this.dispatch(operation, apiName ?? "", input, params);
      if (MUTATING.has(operation)) this.persistOrFail();
      return json(200, this.successBody(result));
    } catch (error) {
      const reply = this.failureReply(error);
      code = reply.errorCodes[0];
      return reply;
    } finally {
      this.limiter.finish(ticket, code);
    }
  }

  private bearer(req: IncomingMessage, params: URLSearchParams): string | undefined {
    const header = req.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer\s+(.+)$/i.exec(header.trim());
      return match?.[1]?.trim();
    }
    if (this.options.acceptAccessTokenQuery === true) return params.get("access_token") ?? undefined;
    return undefined;
  }

  /** 612 for a body that is not JSON by its content type, 609 for JSON that does not parse. */
  private parseBody(operation: Operation, req: IncomingMessage, body: Buffer): unknown {
    if (req.method?.toUpperCase() !== "POST" || (body.length === 0 && !NEEDS_BODY.has(operation)))
      return undefined;
    if (body.length > 0 && mediaType(req) !== "application/json")
      throw new ApiFailure("612", messageFor("612"));
    if (!NEEDS_BODY.has(operation)) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      throw new ApiFailure("609", messageFor("609"));
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
      throw new ApiFailure("609", `${messageFor("609")}: the body must be a JSON object`);
    return parsed;
  }

  private dispatch(operation: Operation, apiName: string, body: unknown, params: URLSearchParams): unknown[] {
    const instance = this.instance;
    switch (operation) {
      case "listActivityTypes":
        return instance.listActivityTypes();
      case "listCustomActivityTypes":
        return instance.list();
      case "describeCustomActivityType":
        return instance.describe(apiName, parseBoolean(params.get("draft")));
      case "createCustomActivityType":
        return instance.create(body);
      case "updateCustomActivityType":
        return instance.update(apiName, body);
      case "approveCustomActivityType":
        return instance.approve(apiName);
      case "discardCustomActivityTypeDraft":
        return instance.discardDraft(apiName);
      case "deleteCustomActivityType":
        return instance.delete(apiName);
      case "createCustomActivityTypeAttributes":
        return instance.createAttributes(apiName, body);
      case "updateCustomActivityTypeAttributes":
        return instance.updateAttributes(apiName, body);
      case "deleteCustomActivityTypeAttributes":
        return instance.deleteAttributes(apiName, body);
      case "addCustomActivities":
        return instance.addActivities(body);
      case "identity":
        throw new ApiFailure("610", messageFor("610"));
    }
  }

  // ---- replies ----

  private requestId(): string {
    return `${randomBytes(2).toString("hex")}#${this.now().toString(16)}`;
  }

  private successBody(result: unknown[]): Record<string, unknown> {
    const body: Record<string, unknown> = { requestId: this.requestId(), result, success: true };
    if (this.behaviour.emptyErrorsAndWarnings) {
      body["errors"] = [];
      body["warnings"] = [];
    }
    return body;
  }

  private failureBody(code: string, message: string): Record<string, unknown> {
    return { requestId: this.requestId(), success: false, errors: [{ code, message }] };
  }

  private failure(code: string, message: string): Reply {
    return { ...json(200, this.failureBody(code, message)), success: false, errorCodes: [code] };
  }

  private failureReply(error: unknown): Reply {
    if (error instanceof ApiFailure) return this.failure(error.code, error.message);
    return this.failure("611", `System error: ${error instanceof Error ? error.message : String(error)}`);
  }

  private faultReply(respond: FaultResponse): Reply {
    if ("code" in respond)
      return this.failure(respond.code, respond.message ?? this.defaultMessage(respond.code));
    if ("httpStatus" in respond) {
      const body = respond.body ?? "";
      let isJson = false;
      try {
        JSON.parse(body);
        isJson = body !== "";
      } catch {}
      return {
        httpStatus: respond.httpStatus,
        body,
        contentType: isJson ? JSON_TYPE : "text/plain;charset=UTF-8",
        success: false,
        errorCodes: [],
      };
    }
    return text(500, "");
  }

  private defaultMessage(code: string): string {
    const { rateLimit, maxConcurrent } = this.limits;
    if (code === "606")
      return rateLimitMessage(
        rateLimit === false ? 100 : rateLimit.calls,
        rateLimit === false ? 20_000 : rateLimit.windowMs,
      );
    if (code === "615") return concurrencyMessage(maxConcurrent === false ? 10 : maxConcurrent);
    return messageFor(code);
  }

  private send(
    res: ServerResponse,
    reply: Reply,
    entry: Omit<RequestLogEntry, "httpStatus" | "success" | "errorCodes">,
    close = false,
  ): void {
    this.record({
      ...entry,
      httpStatus: reply.httpStatus,
      success: reply.success,
      errorCodes: reply.errorCodes,
    });
    if (res.destroyed || res.socket?.destroyed === true) return;
    const headers: Record<string, string | number> = {
      "content-type": reply.contentType,
      "content-length": Buffer.byteLength(reply.body),
    };
    if (close) headers["connection"] = "close";
    res.writeHead(reply.httpStatus, headers);
    res.end(reply.body);
  }

  /** Logs a request whose connection a fault dropped: no HTTP status, no envelope. */
  private recordDrop(
    entry: Pick<RequestLogEntry, "operation" | "method" | "path" | "at"> & { apiName?: string },
    fault: "scripted" | "random",
    dropped: "before" | "after",
  ): void {
    this.record({ ...entry, httpStatus: 0, success: false, errorCodes: [], fault, dropped });
  }

  private record(entry: RequestLogEntry): void {
    // A fixed key order makes the log easy to read in test failures.
    const { operation, method, path, apiName, httpStatus, success, errorCodes, at, fault, dropped } = entry;
    this.log.push({
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

  private sleep(): Promise<void> {
    const ms = this.options.latencyMs ?? 0;
    if (ms <= 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const pending = {
        timer: setTimeout(() => {
          this.timers.delete(pending);
          resolve();
        }, ms),
        resolve,
      };
      this.timers.add(pending);
    });
  }

  // ---- state ----

  private persist(): void {
    if (this.options.persistPath !== undefined) saveState(this.options.persistPath, this.instance.data);
  }

  private persistOrFail(): void {
    try {
      this.persist();
    } catch (error) {
      throw new ApiFailure("611", `System error: could not save emulator data (${(error as Error).message})`);
    }
  }

  private snapshot(): EmulatorSnapshot {
    const types = this.instance.data.types.map((type): SnapshotActivityType => {
      const out: Record<string, unknown> = {
        id: type.id,
        apiName: type.apiName,
        status: statusOf(type),
        createdAt: type.createdAt,
        updatedAt: type.updatedAt,
        inUse: type.inUse,
      };
      if (type.live !== undefined) out["live"] = snapshotVersion(type.live);
      if (type.draft !== undefined) out["draft"] = snapshotVersion(type.draft);
      out["records"] = structuredClone(type.records);
      return out as unknown as SnapshotActivityType;
    });
    return { activityTypes: types, quota: this.limiter.snapshot() };
  }
}

function snapshotVersion(version: VersionState): SnapshotVersion {
  const attribute = (a: AttributeState): SnapshotAttribute =>
    a.description === undefined
      ? { apiName: a.apiName, name: a.name, dataType: a.dataType }
      : { apiName: a.apiName, name: a.name, dataType: a.dataType, description: a.description };
  const primary = version.attributes.find((a) => a.isPrimary);
  return {
    name: version.name,
    ...(version.description === undefined ? {} : { description: version.description }),
    triggerName: version.triggerName,
    filterName: version.filterName,
    ...(primary === undefined ? {} : { primaryAttribute: attribute(primary) }),
    attributes: version.attributes.filter((a) => !a.isPrimary).map(attribute),
  };
}

function json(httpStatus: number, body: Record<string, unknown>): Reply {
  const success = httpStatus === 200 && body["success"] !== false;
  const errors = body["errors"];
  const errorCodes = Array.isArray(errors)
    ? errors.map((e) => String((e as { code?: unknown }).code))
    : typeof body["error"] === "string"
      ? [body["error"]]
      : [];
  return { httpStatus, body: JSON.stringify(body), contentType: JSON_TYPE, success, errorCodes };
}

function text(httpStatus: number, body: string): Reply {
  return { httpStatus, body, contentType: "text/plain;charset=UTF-8", success: false, errorCodes: [] };
}

function mediaType(req: IncomingMessage): string {
  return (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/** Spring's boolean conversion: true/false, on/off, yes/no, 1/0; anything else is a 1001. */
function parseBoolean(value: string | null): boolean {
  if (value === null || value === "") return false;
  const lower = value.toLowerCase();
  if (["true", "on", "yes", "1"].includes(lower)) return true;
  if (["false", "off", "no", "0"].includes(lower)) return false;
  throw new ApiFailure("1001", `Invalid value '${value}'. Required of type 'boolean'`);
}

/** Reads the whole body, or reports `tooLarge` past `limit` bytes (Marketo answers 413 above 1 MB). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "tooLarge"> {
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
