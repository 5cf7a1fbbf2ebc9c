/**
 * A local HTTP server in front of (or beside) the emulator, for transport cases the emulator's own
 * faults cannot play: redirects to another origin, a gateway that forwards some calls and answers
 * others itself.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Proxy {
  readonly url: string;
  /** Paths (without query) of the requests it received, in order. */
  readonly seen: readonly string[];
  close(): Promise<void>;
}

/** What the proxy does with one request: answer it, or forward it to `target`. */
export type ProxyRule = (
  request: IncomingMessage,
) => { forward: string } | { status: number; headers?: Record<string, string>; body?: string };

async function body(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startProxy(rule: ProxyRule): Promise<Proxy> {
  const seen: string[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    seen.push(new URL(request.url ?? "/", "http://proxy").pathname);
    const decided = rule(request);
    void (async () => {
      if ("forward" in decided) {
        const sent = await body(request);
        const headers = Object.fromEntries(
          Object.entries(request.headers)
            .filter(([k]) => k !== "host" && k !== "connection" && k !== "content-length")
            .map(([k, v]) => [k, String(v)]),
        );
        const answer = await fetch(`${decided.forward}${request.url ?? "/"}`, {
          method: request.method ?? "GET",
          headers,
          ...(sent.length > 0 ? { body: sent } : {}),
        });
        const text = await answer.text();
        response.writeHead(answer.status, {
          "content-type": answer.headers.get("content-type") ?? "text/plain",
        });
        response.end(text);
        return;
      }
      await body(request);
      response.writeHead(decided.status, decided.headers ?? {});
      response.end(decided.body ?? "");
    })().catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
