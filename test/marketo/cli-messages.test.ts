/**
 * What a user sees of the client's transport and trust failures: `marketo-activities plan` in
 * process, against the emulator with one answer replaced, prints one `Error:` line and one `Hint:`
 * line, no stack trace, no secret, and exits 1.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { FetchLike } from "../../src/marketo/index.js";
import { cli, THREE_TYPES, type Workspace, workspace } from "../helpers/cli.js";

const workspaces: Workspace[] = [];
afterEach(async () => {
  await Promise.all(workspaces.splice(0).map((ws) => ws.close()));
});

type Replace = (path: string, init: RequestInit) => Response | undefined;

/** The emulator's answers, with the one `replace` returns for a request instead. */
function replacing(replace: Replace): FetchLike {
  return async (url, init) => replace(new URL(url).pathname, init) ?? globalThis.fetch(url, init);
}

const LIST = "/rest/v1/activities/external/types.json";
const DESCRIBE = "/rest/v1/activities/external/type/webinarAttended/describe.json";

async function plan(replace: Replace, env: Record<string, string | undefined> = {}) {
  const ws = await workspace();
  workspaces.push(ws);
  const manifest = ws.manifest(THREE_TYPES.slice(0, 1));
  const run = await cli(["plan", "--manifest", manifest], {
    cwd: ws.dir,
    env: { ...ws.env, ...env },
    clientSettings: { fetch: replacing(replace), random: () => 0 },
  });
  return { ...run, ws };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

describe("marketo-activities plan, when the answers cannot be trusted", () => {
  it.each<[string, Replace, RegExp, RegExp]>([
    [
      "an HTML page",
      (path) =>
        path === LIST ? new Response("<html><title>Sign in</title></html>", { status: 200 }) : undefined,
      /^Error: Marketo answered listCustomActivityTypes with HTTP 200 and an HTML page instead of Marketo's JSON answer: /,
      /^Hint: MARKETO_BASE_URL \(http:\/\/127\.0\.0\.1:\d+\) may point at something other than Marketo's REST host/,
    ],
    [
      "success: false without codes",
      (path) => (path === LIST ? json({ requestId: "9#9", success: false }) : undefined),
      /^Error: Marketo answered listCustomActivityTypes with success: false but no error code, so it did not say why it failed \(requestId 9#9\)$/,
      /^Hint: Marketo did not say why: try again, and if it fails the same way, report it to Adobe support with the requestId 9#9$/,
    ],
    [
      "HTTP 403",
      (path) => (path === LIST ? new Response("Forbidden", { status: 403 }) : undefined),
      /^Error: Marketo answered listCustomActivityTypes with HTTP 403 and a refusal of access \(403 Forbidden\)/,
      /^Hint: the API-only user of that service needs a role with Read-Only Activity Metadata or Read-Write Activity Metadata for listCustomActivityTypes/,
    ],
    [
      "a redirect",
      (path) =>
        path === LIST
          ? new Response(null, {
              status: 307,
              headers: { location: "https://elsewhere.example.net/types.json?x=1" },
            })
          : undefined,
      /^Error: Marketo answered listCustomActivityTypes with HTTP 307 and a redirect to https:\/\/elsewhere\.example\.net\/types\.json, which the client does not follow$/,
      /^Hint: the client sends credentials, activity type definitions and lead ids only to MARKETO_BASE_URL/,
    ],
    [
      "a status it does not know",
      (path) =>
        path === LIST
          ? json({
              requestId: "7#7",
              success: true,
              result: [{ id: 1, apiName: "webinarAttended", status: "archived" }],
            })
          : undefined,
      /^Error: Marketo answered listCustomActivityTypes with an activity type status it does not know, "archived" at result\[0\] \(requestId 7#7\): \{"id":1,"apiName":"webinarAttended","status":"archived"\}$/,
      /^Hint: the statuses this package knows are "draft", "approved", "approved with draft", "deleted"/,
    ],
    [
      "a describe of another type",
      (path) =>
        path === DESCRIBE
          ? json({
              requestId: "8#8",
              success: true,
              result: [{ id: 2, apiName: "otherType", status: "draft" }],
            })
          : undefined,
      /^Error: Marketo answered describeCustomActivityType for "webinarAttended" with an activity type named "otherType" instead \(requestId 8#8\): \{"id":2,"apiName":"otherType","status":"draft"\}$/,
      /^Hint: the answer is not about the type asked for, so it was not used/,
    ],
  ])("prints one message and one hint for %s, and plans nothing", async (_, replace, error, hint) => {
    const run = await plan(replace);
    expect(run.code).toBe(1);
    const lines = run.stderr.split("\n");
    const at = lines.findIndex((line) => line.startsWith("Error: "));
    expect(lines[at]).toMatch(error);
    expect(lines[at + 1]).toMatch(hint);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stderr).not.toContain(run.ws.env["MARKETO_CLIENT_SECRET"]);
    expect(run.stdout).not.toContain("create");
    expect(
      run.ws.operationsSince(0).filter((op) => !op.startsWith("list") && !op.startsWith("describe")),
    ).toStrictEqual([]);
  });

  it("refuses a base URL and a Munchkin id that disagree, before any request", async () => {
    const run = await plan(() => undefined, { MARKETO_MUNCHKIN_ID: "123-ABC-456" });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(
      /Error: MARKETO_BASE_URL and MARKETO_MUNCHKIN_ID name different Marketo instances: MARKETO_BASE_URL is http:\/\/127\.0\.0\.1:\d+, but MARKETO_MUNCHKIN_ID 123-ABC-456 means https:\/\/123-abc-456\.mktorest\.com\nHint: unset one of them/,
    );
    expect(run.ws.emulator.requests).toStrictEqual([]);
  });

  it("refuses plain http to a remote host, before any request", async () => {
    const run = await plan(() => undefined, { MARKETO_BASE_URL: "http://192.0.2.2" });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(
      "Error: MARKETO_BASE_URL is a plain http:// URL to 192.0.2.2, which is not this machine: the client secret and access tokens would cross the network unencrypted\nHint: use https://192.0.2.2",
    );
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.ws.emulator.requests).toStrictEqual([]);
  });
});
