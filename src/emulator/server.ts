/**
 * The emulator's HTTP server: the request pipeline (size limits, routing, faults, identity, auth,
 * call limits, the handler, persistence, the request log), latency, and a clean shutdown.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { messageForCode } from "../marketo/codes.js";
import { isWrite } from "../marketo/endpoints.js";
import { MAX_REQUEST_BYTES_ACCEPTED, MAX_URI_BYTES } from "../schema/index.js";
import { loadEmulatorConfig, mergeBehaviour } from "./config.js";
import { Envelope } from "./envelope.js";
import { ApiFailure } from "./failure.js";
import { FaultPlan } from "./faults.js";
import {
  addFormFields,
  bearerToken,
  json,
  mediaType,
  type Reply,
  readBody,
  splitTarget,
  text,
  writeReply,
} from "./http.js";
import { TokenStore } from "./identity.js";
import { EmulatedInstance } from "./instance.js";
import { Limiter } from "./limits.js";
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_STANDARD_ACTIVITY_TYPES,
  type EmulatorOptions,
  resolveBehaviour,
  resolveLimits,
} from "./options.js";
import { EmulatorDataError, loadState, saveState } from "./persist.js";
import { RequestLog, type RequestSeen } from "./request-log.js";
import { type RestRequest, route, routedMethod, runOperation } from "./router.js";
import { stateFromSeed } from "./seed.js";
import { snapshotOf } from "./snapshot.js";
import type { Emulator } from "./types.js";

/** Starts an emulator. Resolves once it listens; see `EmulatorOptions` for every option. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const server = new EmulatorServer(options);
  await server.listen(options.host ?? "127.0.0.1", options.port ?? 0);
  return server.handle();
}

class EmulatorServer {
  private readonly now: () => number;
  private readonly instance: EmulatedInstance;
  private readonly tokens: TokenStore;
  private readonly limiter: Limiter;
  private readonly faults: FaultPlan;
  private readonly envelope: Envelope;
  private readonly log = new RequestLog();
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private readonly server: Server;
  private readonly clientId: string;
  private readonly clientSecret: string;
  private closed = false;
  private url = "";

  constructor(private readonly options: EmulatorOptions) {
    this.now = options.now ?? Date.now;
    const behaviour = resolveBehaviour(
      options.config === undefined
        ? options.behaviour
        : mergeBehaviour(loadEmulatorConfig(options.config).behaviour, options.behaviour),
    );
    const limits = resolveLimits(options.limits);
    this.clientId = options.clientId ?? DEFAULT_CLIENT_ID;
    this.clientSecret = options.clientSecret ?? DEFAULT_CLIENT_SECRET;
    const loaded = options.persistPath === undefined ? undefined : loadState(options.persistPath);
    const data = loaded ?? stateFromSeed(options.seed, this.now(), limits, behaviour);
    this.instance = new EmulatedInstance(data, {
      behaviour,
      limits,
      now: this.now,
      leadExists: leadExists(options.leads),
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
    this.limiter = new Limiter(limits, this.now);
    this.faults = new FaultPlan(options.faults ?? [], options.randomFaults);
    this.envelope = new Envelope({
      now: this.now,
      emptyErrorsAndWarnings: behaviour.emptyErrorsAndWarnings,
      limits,
    });
    this.server = createServer((req, res) => {
      this.serve(req, res).catch((error: unknown) => {
        // A bug in the emulator: answer 611 rather than hanging the client.
        if (!res.headersSent && !res.destroyed) writeReply(res, this.envelope.crash(error));
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
        // Bound to every interface, it is still reached on this machine through loopback, the only
        // plain-http host the client accepts (docs/client.md, Transport and trust).
        const reachable =
          address.address === "0.0.0.0" ? "127.0.0.1" : address.address === "::" ? "::1" : address.address;
        const hostPart = reachable.includes(":") ? `[${reachable}]` : reachable;
        this.url = `http://${hostPart}:${address.port}`;
        resolve();
      });
    });
  }

  /** The handle `startEmulator` returns. */
  handle(): Emulator {
    return {
      url: this.url,
      clientId: this.clientId,
      clientSecret: this.clientSecret,
      env: (envPrefix = "MARKETO") => ({
        [`${envPrefix}_BASE_URL`]: this.url,
        [`${envPrefix}_CLIENT_ID`]: this.clientId,
        [`${envPrefix}_CLIENT_SECRET`]: this.clientSecret,
      }),
      requests: this.log.entries,
      state: () => snapshotOf(this.instance.data, this.limiter.snapshot()),
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

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = this.now();
    const method = (req.method ?? "GET").toUpperCase();
    const target = req.url ?? "/";
    const { pathname, search } = splitTarget(target);
    const unrouted: RequestSeen = { operation: "unknown", method, path: pathname, at };

    if (Buffer.byteLength(target) > MAX_URI_BYTES) {
      this.send(res, text(414, "Request-URI Too Long"), unrouted, true);
      return;
    }
    const body = await readBody(req, MAX_REQUEST_BYTES_ACCEPTED);
    if (body === "tooLarge") {
      this.send(res, text(413, "Request Entity Too Large"), unrouted, true);
      return;
    }
    if (this.closed) return;

    const params = new URLSearchParams(search);
    const routed = routedMethod(req, method, params, body);
    const matched = route(method, routed, pathname, this.envelope);
    if ("reply" in matched) {
      if (matched.code !== undefined) this.limiter.charge(matched.code);
      await this.sleep();
      this.send(res, matched.reply, unrouted);
      return;
    }
    const { operation, apiName } = matched;
    const seen: RequestSeen = {
      operation,
      method,
      path: pathname,
      at,
      ...(apiName === undefined ? {} : { apiName }),
    };

    const fault = this.faults.next(operation, at);
    if (fault !== undefined && "drop" in fault.respond && fault.respond.drop === "before") {
      req.socket.destroy();
      this.log.dropped(seen, fault.source, "before");
      return;
    }
    if (fault !== undefined && !("drop" in fault.respond)) {
      // A coded fault stands for Marketo's answer, so it counts as that code would; a raw HTTP status
      // comes from in front of the API (a gateway) and counts toward nothing, as identity calls.
      if ("code" in fault.respond && operation !== "identity") this.limiter.charge(fault.respond.code);
      await this.sleep();
      this.send(res, this.envelope.fault(fault.respond), { ...seen, fault: fault.source });
      return;
    }

    const reply =
      operation === "identity"
        ? await this.identity(req, params, body)
        : await this.rest(req, {
            operation,
            apiName,
            method,
            contentType: mediaType(req),
            body: routed === "POST" ? body : Buffer.alloc(0),
            params,
          });
    if (this.closed) return;
    if (fault !== undefined) {
      // drop "after": the request was processed (state changed) but no response is sent.
      req.socket.destroy();
      this.log.dropped(seen, fault.source, "after");
      return;
    }
    this.send(res, reply, seen);
  }

  private async identity(req: IncomingMessage, params: URLSearchParams, body: Buffer): Promise<Reply> {
    // The swagger puts the credentials in the query; a servlet also reads a form body.
    addFormFields(req, body, params);
    await this.sleep();
    const reply = this.tokens.token(params);
    return json(reply.httpStatus, reply.body);
  }

  /** Auth, the call limits, then the operation; a write is saved before the reply. */
  private async rest(req: IncomingMessage, request: RestRequest): Promise<Reply> {
    let ticket: ReturnType<Limiter["admit"]>;
    try {
      this.tokens.check(this.accessToken(req, request.params));
    } catch (error) {
      const refused = this.envelope.fromError(error);
      const code = refused.errorCodes[0];
      if (code !== undefined) this.limiter.charge(code);
      await this.sleep();
      return refused;
    }
    try {
      ticket = this.limiter.admit();
    } catch (error) {
      await this.sleep();
      return this.envelope.fromError(error);
    }
    let code: string | undefined;
    try {
      await this.sleep();
      if (this.closed) throw new ApiFailure("611", messageForCode("611"));
      const result = runOperation(this.instance, request);
      if (isWrite(request.operation)) this.persistOrFail();
      return this.envelope.success(result);
    } catch (error) {
      const reply = this.envelope.fromError(error);
      code = reply.errorCodes[0];
      return reply;
    } finally {
      this.limiter.finish(ticket, code);
    }
  }

  /** The bearer token; the `access_token` query parameter only with `acceptAccessTokenQuery`. */
  private accessToken(req: IncomingMessage, params: URLSearchParams): string | undefined {
    if (req.headers.authorization !== undefined) return bearerToken(req);
    if (this.options.acceptAccessTokenQuery === true) return params.get("access_token") ?? undefined;
    return undefined;
  }

  private send(res: ServerResponse, reply: Reply, seen: RequestSeen, close = false): void {
    this.log.answered(seen, reply);
    writeReply(res, reply, close);
  }

  /** `latencyMs` before answering, cut short by close. */
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

  // ---- persistence ----

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
}

/** `options.leads`: the lead ids that exist (1004 otherwise); by default every positive integer. */
function leadExists(leads: EmulatorOptions["leads"]): (leadId: number) => boolean {
  if (typeof leads === "function") return leads;
  if (leads === undefined) return (id) => id >= 1;
  const known = new Set(leads);
  return (id) => known.has(id);
}
