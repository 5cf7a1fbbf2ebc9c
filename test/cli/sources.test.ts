import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  checkSources,
  MAX_SOURCE_FILES,
  SOURCES_FILE_NAME,
  sourcesRecordSchema,
  writeSourcesRecord,
} from "../../src/sources/index.js";
import { tempDir } from "../helpers/tools.js";

let app: string;
let stack: string;
const manifest = () => join(stack, "marketo-activities.prod.json");
const write = (path: string, text: string) => {
  mkdirSync(join(app, path, ".."), { recursive: true });
  writeFileSync(join(app, path), text);
};
const record = () =>
  sourcesRecordSchema.parse(JSON.parse(readFileSync(join(stack, SOURCES_FILE_NAME), "utf8")));
const AT = new Date("2026-12-01T14:20:05Z");

beforeEach(() => {
  app = tempDir("sources");
  stack = join(app, "cdktf.out", "stacks", "marketing");
  write("main.ts", "export const a = 1;\n");
  write("src/types.ts", "export const b = 2;\n");
  write("src/data/activities.json", "{}\n");
  write("package.json", "{}\n");
  write("tsconfig.json", "{}\n");
  write("package-lock.json", "{}\n");
  write("plan.json", "{}\n");
  write("README.md", "# app\n");
  write("node_modules/x/index.js", "x\n");
  write(".gen/providers.ts", "x\n");
  write(".emulator.json", "{}\n");
  write("cdktf.out/manifest.json", "{}\n");
  mkdirSync(stack, { recursive: true });
  writeFileSync(manifest(), "{}\n");
});
afterEach(() => {
  delete process.env["SOURCE_DATE_EPOCH"];
});

describe("writeSourcesRecord", () => {
  it("records a digest of each source file, app-relative and sorted, and the app dir from the stack dir", () => {
    writeSourcesRecord(stack, app, AT);
    const r = record();
    expect(r.appDir).toBe("../../..");
    expect(r.synthesizedAt).toBe("2026-12-01T14:20:05.000Z");
    expect(Object.keys(r.files)).toStrictEqual([
      "main.ts",
      "package.json",
      "src/data/activities.json",
      "src/types.ts",
      "tsconfig.json",
    ]);
    expect(r.files["main.ts"]).toMatch(/^sha256-[0-9a-f]{64}$/);
    expect(r.truncated).toBeUndefined();
  });

  it("skips the output directory cdktf.json names", () => {
    write("cdktf.json", JSON.stringify({ output: "synth" }));
    write("synth/stacks/x/gen.ts", "x\n");
    write("cdktf.out/leftover.ts", "x\n");
    writeSourcesRecord(stack, app, AT);
    expect(Object.keys(record().files)).toContain("cdktf.out/leftover.ts");
    expect(Object.keys(record().files)).not.toContain("synth/stacks/x/gen.ts");
  });

  it("uses SOURCE_DATE_EPOCH as the synthesis time when set", () => {
    process.env["SOURCE_DATE_EPOCH"] = "1700000000";
    writeSourcesRecord(stack, app, AT);
    expect(record().synthesizedAt).toBe("2023-11-14T22:13:20.000Z");
  });

  it("stops at the cap, says truncated, and then does not judge staleness", () => {
    const dir = join(app, "many");
    mkdirSync(dir);
    for (let i = 0; i <= MAX_SOURCE_FILES; i++) writeFileSync(join(dir, `f${i}.js`), "");
    writeSourcesRecord(stack, app, AT);
    expect(record().truncated).toBe(true);
    expect(Object.keys(record().files)).toHaveLength(MAX_SOURCE_FILES);
    write("main.ts", "changed\n");
    const check = checkSources(manifest());
    expect(check.status).toBe("unknown");
    expect(check.reason).toContain(`more than ${MAX_SOURCE_FILES} source files`);
  });
});

describe("checkSources", () => {
  it("is fresh when nothing changed, also with CRLF line endings", () => {
    writeSourcesRecord(stack, app, AT);
    write("main.ts", "export const a = 1;\r\n");
    expect(checkSources(manifest())).toStrictEqual({
      synthesizedAt: "2026-12-01T14:20:05.000Z",
      status: "fresh",
      changed: [],
      added: [],
      removed: [],
    });
  });

  it("names changed, added and removed files, and ignores outputs, lock files and non-source files", () => {
    writeSourcesRecord(stack, app, AT);
    write("main.ts", "export const a = 2;\n");
    write("src/new.ts", "export {};\n");
    rmSync(join(app, "src/types.ts"));
    write("package-lock.json", '{"changed":true}\n');
    write("plan.json", '{"changed":true}\n');
    write("README.md", "changed\n");
    write(".emulator.json", '{"changed":true}\n');
    write("node_modules/x/index.js", "changed\n");
    const check = checkSources(manifest());
    expect(check.status).toBe("stale");
    expect(check.changed).toStrictEqual(["main.ts"]);
    expect(check.added).toStrictEqual(["src/new.ts"]);
    expect(check.removed).toStrictEqual(["src/types.ts"]);
  });

  it("is unknown, with the reason, without a sources file or without the app directory", () => {
    const none = checkSources(manifest());
    expect(none.status).toBe("unknown");
    expect(none.synthesizedAt).toBeUndefined();
    expect(none.reason).toContain(`no ${SOURCES_FILE_NAME} next to it`);

    const elsewhere = tempDir("sources-elsewhere");
    writeSourcesRecord(elsewhere, join(elsewhere, "gone"), AT);
    const gone = checkSources(join(elsewhere, "marketo-activities.prod.json"));
    expect(gone.status).toBe("unknown");
    expect(gone.synthesizedAt).toBe("2026-12-01T14:20:05.000Z");
    expect(gone.reason).toContain("is not there");
  });

  it("is unknown when the sources file is not JSON or not this format", () => {
    writeFileSync(join(stack, SOURCES_FILE_NAME), "{");
    expect(checkSources(manifest()).reason).toContain("is not valid JSON");
    writeFileSync(join(stack, SOURCES_FILE_NAME), JSON.stringify({ formatVersion: 2 }));
    expect(checkSources(manifest()).reason).toContain("not in a format this version reads");
  });
});
