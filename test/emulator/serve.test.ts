import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { serveEmulator, startEmulator } from "../../src/emulator/index.js";
import { MarketoClient } from "../../src/marketo/index.js";
import { conformanceErrors } from "./conformance.js";

describe("serveEmulator", () => {
  it("binds 127.0.0.1, prints the URL and the export line, and stops cleanly once", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const served = await serveEmulator(
      { port: 0 },
      { stdout: (l) => out.push(l), stderr: (l) => err.push(l) },
    );
    const { url, clientId, clientSecret } = served.emulator;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(out[0]).toBe(`Marketo emulator listening on ${url}`);
    expect(out[1]).toBe(
      `export MARKETO_BASE_URL=${url} MARKETO_CLIENT_ID=emulator-client MARKETO_CLIENT_SECRET=emulator-secret`,
    );
    const token = await fetch(
      `${url}/identity/oauth/token?grant_type=client_credentials&client_id=${clientId}&client_secret=${clientSecret}`,
    );
    expect(token.status).toBe(200);
    expect(conformanceErrors("identityUsingGET", await token.json())).toStrictEqual([]);
    await Promise.all([served.stop(), served.stop()]);
    expect(err).toStrictEqual(["Marketo emulator stopped."]);
    await expect(fetch(`${url}/identity/oauth/token`)).rejects.toThrow();
  });

  it("uses the data file and the env prefix it is given", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "marketo-serve-"));
    try {
      const file = path.join(dir, "data.json");
      const out: string[] = [];
      const served = await serveEmulator(
        { dataPath: file, envPrefix: "MARKETO_DEV", seed: { activityTypes: [] } },
        { stdout: (l) => out.push(l), stderr: () => {} },
      );
      expect(out[1]).toMatch(/^export MARKETO_DEV_BASE_URL=http:\/\/127\.0\.0\.1:\d+ MARKETO_DEV_CLIENT_ID=/);
      expect(out[2]).toBe(`State is saved to ${file}.`);
      expect(JSON.parse(readFileSync(file, "utf8")).formatVersion).toBe(1);
      await served.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("an emulator bound to every interface", () => {
  it("gives a loopback URL, which the client accepts over plain http", async () => {
    const emulator = await startEmulator({ host: "0.0.0.0" });
    try {
      expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const client = new MarketoClient({
        baseUrl: emulator.url,
        clientId: emulator.clientId,
        clientSecret: emulator.clientSecret,
      });
      expect(await client.listCustomActivityTypes()).toStrictEqual([]);
    } finally {
      await emulator.close();
    }
  });
});
