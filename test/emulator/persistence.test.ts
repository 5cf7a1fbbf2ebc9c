import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EmulatorDataError, startEmulator } from "../../src/emulator/index.js";
import { codes, emulate, only, seededType, TYPE, typeBody } from "./helpers.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "marketo-emulator-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("emulator persistence", () => {
  it("keeps types, drafts, records and ids across a restart", async () => {
    const file = path.join(dir, "state.json");
    const first = await emulate({ persistPath: file });
    const created = only(await first.api.post(`${TYPE}.json`, typeBody("webinar")));
    await first.api.post(`${TYPE}/webinar/approve.json`);
    await first.api.post(`${TYPE}/webinar/attributes/create.json`, {
      attributes: [{ apiName: "minutes", name: "Minutes", dataType: "integer" }],
    });
    await first.api.post("/rest/v1/activities/external.json", {
      input: [
        {
          leadId: 5,
          activityDate: "2026-01-01T00:00:00Z",
          activityTypeId: created.id,
          primaryAttributeValue: "x",
          attributes: [],
        },
      ],
    });
    const before = first.emulator.state().activityTypes;
    const oldToken = await first.api.token();
    await first.emulator.close();

    const second = await emulate({ persistPath: file });
    expect(second.emulator.state().activityTypes).toStrictEqual(before);
    // Tokens live in memory: an old one is unknown after a restart.
    expect(
      codes(await second.api.get("/rest/v1/activities/external/types.json", { token: oldToken })),
    ).toStrictEqual(["601"]);
    const draft = only(await second.api.get(`${TYPE}/webinar/describe.json?draft=true`));
    expect(draft.status).toBe("approved with draft");
    expect(only(await second.api.post(`${TYPE}.json`, typeBody("next"))).id).toBe(created.id + 1);
  });

  it("writes the file at start and after each change, atomically (temp file and rename), leaving no temp files", async () => {
    const file = path.join(dir, "state.json");
    const { api } = await emulate({ persistPath: file, seed: { activityTypes: [seededType("webinar")] } });
    const initial = JSON.parse(readFileSync(file, "utf8"));
    expect(initial.types.map((t: { apiName: string }) => t.apiName)).toStrictEqual(["webinar"]);
    const inodeBefore = statSync(file).ino;
    await api.post(`${TYPE}.json`, typeBody("fresh"));
    const after = JSON.parse(readFileSync(file, "utf8"));
    expect(after.types.map((t: { apiName: string }) => t.apiName)).toStrictEqual(["webinar", "fresh"]);
    // A rename replaces the file (new inode); writing in place would keep the old one.
    expect(statSync(file).ino).not.toBe(inodeBefore);
    expect(readdirSync(dir)).toStrictEqual(["state.json"]);
  });

  it("does not rewrite the file for reads or failed calls", async () => {
    const file = path.join(dir, "state.json");
    const { api } = await emulate({ persistPath: file, seed: { activityTypes: [seededType("webinar")] } });
    const inode = statSync(file).ino;
    await api.get("/rest/v1/activities/external/types.json");
    expect(codes(await api.post(`${TYPE}/webinar/approve.json`))).toStrictEqual(["709"]);
    expect(statSync(file).ino).toBe(inode);
  });

  it("ignores the seed when the file exists", async () => {
    const file = path.join(dir, "state.json");
    const first = await emulate({ persistPath: file });
    await first.api.post(`${TYPE}.json`, typeBody("fromFile"));
    await first.emulator.close();
    const second = await emulate({ persistPath: file, seed: { activityTypes: [seededType("fromSeed")] } });
    expect(second.emulator.state().activityTypes.map((t) => t.apiName)).toStrictEqual(["fromFile"]);
  });

  it("fails to start on a corrupt file, naming it, and leaves it intact", async () => {
    const file = path.join(dir, "state.json");
    writeFileSync(file, '{"formatVersion": 1, "types": [');
    const error = await startEmulator({ persistPath: file }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmulatorDataError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toContain("not valid JSON");
    expect((error as EmulatorDataError).hint).toMatch(/move it away/);
    expect(readFileSync(file, "utf8")).toBe('{"formatVersion": 1, "types": [');
    expect(readdirSync(dir)).toStrictEqual(["state.json"]);
  });

  it("fails to start on a file that is JSON but not emulator state, and leaves it intact", async () => {
    const file = path.join(dir, "state.json");
    const content = JSON.stringify({
      formatVersion: 1,
      nextTypeId: 100001,
      nextRecordId: 1,
      types: [{ apiName: 3 }],
    });
    writeFileSync(file, content);
    await expect(startEmulator({ persistPath: file })).rejects.toThrow(
      /is not emulator state \(formatVersion 1\) at types\[0\]/,
    );
    expect(readFileSync(file, "utf8")).toBe(content);
  });

  it("fails to start on a type with neither a live nor a draft version, and leaves the file intact", async () => {
    const file = path.join(dir, "state.json");
    const type = {
      id: 100001,
      apiName: "webinar",
      createdAt: "2026-01-01T00:00:00Z",
      updatedAt: "2026-01-01T00:00:00Z",
      deleted: false,
      inUse: false,
      records: [],
    };
    const content = JSON.stringify({ formatVersion: 1, nextTypeId: 100002, nextRecordId: 1, types: [type] });
    writeFileSync(file, content);
    await expect(startEmulator({ persistPath: file })).rejects.toThrow(
      /is not emulator state \(formatVersion 1\) at types\[0\]: a type needs a live or a draft version\./,
    );
    expect(readFileSync(file, "utf8")).toBe(content);
  });

  it("fails to start on an unreadable path", async () => {
    const directory = path.join(dir, "a-directory.json");
    mkdirSync(directory);
    await expect(startEmulator({ persistPath: directory })).rejects.toThrow(/cannot be read \(EISDIR\)/);
  });

  it("fails to start when the data file cannot be created, saying where", async () => {
    const file = path.join(dir, "missing-directory", "state.json");
    await expect(startEmulator({ persistPath: file })).rejects.toThrow(
      `Cannot save emulator data to ${file}: it cannot be written (ENOENT).`,
    );
  });
});
