/**
 * `MARKETO_ACTIVITIES_TRACE=1` (docs/client.md, Tracing): every command prints each request and each
 * answer of its clients on stderr (method, path, status, Marketo codes, duration, retries), with the
 * client secret and every token the instance issued nowhere in the output, and stdout unchanged.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { traced } from "../../src/cli/context.js";
import type { CliIO } from "../../src/cli/io.js";
import { traceEnabled } from "../../src/cli/trace.js";
import type { FetchLike } from "../../src/marketo/index.js";
import { cli, THREE_TYPES, type Workspace, workspace } from "../helpers/cli.js";

const SECRET = "Cli-Secret-7d2e91b4c0";
const TRACE = { MARKETO_ACTIVITIES_TRACE: "1" };
const TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace({ clientSecret: SECRET });
});
afterEach(async () => {
  await ws.close();
});

/**
 * Node's fetch, recording each request sent and every token the identity endpoint issued; `echo`
 * answers the chosen REST calls itself with a 604 that quotes the request's bearer token and the
 * secret, as a misbehaving gateway might.
 */
function recordingFetch(echo: (operationPath: string, n: number) => boolean = () => false) {
  const tokens = new Set<string>();
  const sent: string[] = [];
  const counts = new Map<string, number>();
  const fetch: FetchLike = async (url, init) => {
    const { pathname } = new URL(url);
    sent.push(`${init.method} ${pathname}`);
    const n = (counts.get(pathname) ?? 0) + 1;
    counts.set(pathname, n);
    if (echo(pathname, n)) {
      const bearer = new Headers(init.headers).get("authorization") ?? "";
      const message = `Request time-out for ${bearer} access_token=${bearer.slice(7)} client_secret=${SECRET}`;
      return new Response(
        JSON.stringify({ requestId: "echo#1", success: false, errors: [{ code: "604", message }] }),
        { headers: { "content-type": "application/json" } },
      );
    }
    const response = await globalThis.fetch(url, init);
    if (pathname === "/identity/oauth/token" && response.status === 200) {
      const body = (await response.clone().json()) as { access_token?: string };
      if (body.access_token !== undefined) tokens.add(body.access_token);
    }
    return response;
  };
  return { fetch, tokens, sent };
}

function run(args: string[], env: Record<string, string>, fetch?: FetchLike) {
  return cli(args, {
    cwd: ws.dir,
    env: { ...ws.env, ...env },
    ...(fetch === undefined ? {} : { clientSettings: { sleep: async () => {}, fetch } }),
  });
}

function traceLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line.startsWith("trace "));
}

function expectClean(text: string, secrets: readonly string[]): void {
  for (const secret of secrets.flatMap((s) => [s, encodeURIComponent(s)]))
    expect(text, `output holds ${secret}`).not.toContain(secret);
}

describe("MARKETO_ACTIVITIES_TRACE", () => {
  it("is on for 1 and true, off when unset, empty, 0 or false", () => {
    for (const value of ["1", "true", "TRUE", " 1 "])
      expect(traceEnabled({ MARKETO_ACTIVITIES_TRACE: value }), value).toBe(true);
    for (const value of [undefined, "", "0", "false", "no"])
      expect(traceEnabled({ MARKETO_ACTIVITIES_TRACE: value }), String(value)).toBe(false);
  });

  it("traces the events of any client a command makes through traced(), naming the instance per line", () => {
    let stderr = "";
    const io = {
      stderr: (text: string) => (stderr += text),
      env: { ...TRACE, MARKETO_CLIENT_SECRET: SECRET },
    };
    const seen: string[] = [];
    let instance = "MARKETO"; // import names the instance by its host once the client knows it
    const settings = traced({ onEvent: (e) => seen.push(e.type), now: () => 0 }, io as unknown as CliIO, {
      envPrefix: "MARKETO",
      instance: () => instance,
    });
    settings.onEvent?.({ type: "reauthenticate", operation: "listCustomActivityTypes", code: "601" });
    instance = "123-abc-456.mktorest.com";
    settings.onEvent?.({
      type: "giveUp",
      operation: "listCustomActivityTypes",
      attempts: 1,
      reason: `x ${SECRET}`,
      error: "MarketoApi",
    });
    expect(seen).toStrictEqual(["reauthenticate", "giveUp"]);
    expect(stderr).toBe(
      "trace 1970-01-01T00:00:00.000Z MARKETO listCustomActivityTypes reauthenticate: Marketo refused the token (601); resending once with a new one\n" +
        "trace 1970-01-01T00:00:00.000Z 123-abc-456.mktorest.com listCustomActivityTypes failed after 1 attempt: x [REDACTED] (MarketoApi)\n",
    );
    const off = { onEvent: () => {} };
    expect(
      traced(off, { ...io, env: {} } as unknown as CliIO, { envPrefix: "MARKETO", instance: "prod" }),
    ).toBe(off);
  });

  it("prints nothing more when unset: stderr has no trace line", async () => {
    const manifest = ws.manifest(THREE_TYPES);
    const plain = await run(["plan", "--manifest", manifest], {});
    expect(plain.code, plain.stderr).toBe(0);
    expect(traceLines(plain.stderr)).toStrictEqual([]);
    const off = await run(["plan", "--manifest", manifest], { MARKETO_ACTIVITIES_TRACE: "0" });
    expect(traceLines(off.stderr)).toStrictEqual([]);
  });

  it("traces every request and answer of an apply through retries, 601/602 re-authentication and network errors", async () => {
    const manifest = ws.manifest(THREE_TYPES);
    const { emulator } = ws;
    emulator.addFault({ operation: "listCustomActivityTypes", respond: { code: "606" } });
    emulator.addFault({ operation: "describeCustomActivityType", respond: { code: "602" } });
    emulator.addFault({ operation: "createCustomActivityType", respond: { code: "601" } });
    emulator.addFault({ operation: "createCustomActivityTypeAttributes", respond: { drop: "before" } });
    emulator.addFault({ operation: "approveCustomActivityType", respond: { httpStatus: 502 } });
    // The first create of each type is answered by the "gateway" with a 604 quoting the token and the secret.
    const wire = recordingFetch((path, n) => path.endsWith("/type.json") && n <= 1);
    const result = await run(["apply", "--manifest", manifest, "--auto-approve"], TRACE, wire.fetch);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Apply complete for instance "prod"');

    const lines = traceLines(result.stderr);
    expect(
      lines.every((l) => new RegExp(`^trace ${TIME} prod `).test(l)),
      lines.join("\n"),
    ).toBe(true);
    const requests = lines.filter((l) => / attempt \d+$/.test(l));
    const answers = lines.filter((l) => / attempt \d+ -> /.test(l));
    expect(requests).toHaveLength(wire.sent.length);
    expect(answers).toHaveLength(wire.sent.length);
    // Request lines name the request as it was sent, in order: method and path, never a query.
    expect(requests.map((l) => l.replace(/^trace \S+ prod \S+ (\S+ \S+) attempt \d+$/, "$1"))).toStrictEqual(
      wire.sent,
    );
    for (const mark of [
      / prod identity POST \/identity\/oauth\/token attempt 1 -> 200 in \d+ ms$/,
      / prod listCustomActivityTypes GET \/rest\/v1\/activities\/external\/types\.json attempt 1 -> 200 codes 606 in \d+ ms requestId \S+$/,
      / prod listCustomActivityTypes retry in \d+ ms: attempt 2 \(Marketo busy, rate limit; giving up in [\d.]+ s\) after 606 Max rate limit /,
      / prod describeCustomActivityType reauthenticate: Marketo refused the token \(602\)/,
      / prod createCustomActivityType reauthenticate: Marketo refused the token \(601\)/,
      / prod createCustomActivityType POST \/rest\/v1\/activities\/external\/type\.json attempt 1 -> 200 codes 604 in \d+ ms requestId echo#1$/,
      / prod createCustomActivityType retry in \d+ ms: attempt 2 of at most 6 after 604 Request time-out for Bearer \[REDACTED\]/,
      / prod createCustomActivityTypeAttributes POST \S+\/attributes\/create\.json attempt 1 -> no answer \(\w+\) after \d+ ms$/,
      / prod approveCustomActivityType POST \S+\/approve\.json attempt 1 -> 502 in \d+ ms$/,
      / prod approveCustomActivityType retry in \d+ ms: attempt 2 of at most 6 after HTTP 502/,
      / prod identity token received, expires in \d+ s$/,
    ])
      expect(
        lines.some((l) => mark.test(l)),
        `no line matches ${mark}`,
      ).toBe(true);
    expect(wire.tokens.size).toBeGreaterThanOrEqual(1);
    expectClean(result.stderr + result.stdout, [SECRET, ...wire.tokens]);
    expect(lines.join("\n")).not.toMatch(/\?|client_id|grant_type/);
    // stdout holds no trace: a plan piped to a file or a JSON parser stays as it was.
    expect(result.stdout).not.toContain("trace ");
  });

  it("traces a run that fails: refused credentials, a call that failed, and no secret", async () => {
    const manifest = ws.manifest(THREE_TYPES);
    const wrong = { MARKETO_CLIENT_SECRET: "Wrong-Secret-3a9f0c11e2", ...TRACE };
    const refused = await run(["plan", "--manifest", manifest], wrong);
    expect(refused.code).toBe(1);
    const lines = traceLines(refused.stderr);
    expect(
      lines.some((l) => / identity POST \/identity\/oauth\/token attempt 1 -> 401 in \d+ ms$/.test(l)),
    ).toBe(true);
    expect(lines.some((l) => / identity failed after 1 attempt: .*\(MarketoAuth\)$/.test(l))).toBe(true);
    expectClean(refused.stderr + refused.stdout, [SECRET, "Wrong-Secret-3a9f0c11e2"]);

    // Marketo keeps refusing the token: one re-authentication, then the command fails.
    ws.emulator.addFault({
      operation: "listCustomActivityTypes",
      times: 2,
      respond: { code: "601", message: `Access token invalid client_secret=${SECRET}` },
    });
    const wire = recordingFetch();
    const failed = await run(["plan", "--manifest", manifest], TRACE, wire.fetch);
    expect(failed.code).toBe(1);
    const failedLines = traceLines(failed.stderr);
    expect(
      failedLines.filter((l) => / listCustomActivityTypes \S+ \S+ attempt \d -> 200 codes 601 /.test(l)),
    ).toHaveLength(2);
    expect(failedLines.some((l) => / listCustomActivityTypes failed after 2 attempts: 601 /.test(l))).toBe(
      true,
    );
    expectClean(failed.stderr + failed.stdout, [SECRET, ...wire.tokens]);
    expect(wire.tokens.size).toBeGreaterThanOrEqual(1);
  });

  it("traces plan --format json on stderr only; stdout is the JSON alone", async () => {
    const manifest = ws.manifest(THREE_TYPES);
    const result = await run(["plan", "--manifest", manifest, "--format", "json"], TRACE);
    expect(result.code, result.stderr).toBe(0);
    expect(() => JSON.parse(result.stdout)).not.toThrow();
    expect(traceLines(result.stderr).length).toBeGreaterThanOrEqual(4);
  });
});
