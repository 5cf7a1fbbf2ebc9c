/**
 * The layer rules are written once, in scripts/layers.ts; biome.json holds what it generates.
 * A hand edit of biome.json's overrides, or a table change without `npm run layers`, fails here.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { biomeOverrides, FOLDERS, LAYERS } from "../scripts/layers.js";
import { repoRoot } from "./helpers/tools.js";

describe("the layers", () => {
  it("biome.json's overrides are the ones scripts/layers.ts generates (run `npm run layers`)", () => {
    const config = JSON.parse(readFileSync(join(repoRoot, "biome.json"), "utf8")) as { overrides: unknown };
    expect(config.overrides).toStrictEqual(biomeOverrides());
  });

  it("name files and folders that exist, and cover every folder of src/", () => {
    for (const layer of LAYERS) {
      for (const glob of layer.includes) {
        const path = glob.replace(/^!/, "").replace(/\/\*\*$/, "");
        expect(
          existsSync(join(repoRoot, path)) || path === "src/codegen",
          `${glob} in scripts/layers.ts`,
        ).toBe(true);
      }
    }
    for (const folder of FOLDERS) {
      expect(
        LAYERS.some((l) => l.includes.includes(`src/${folder}/**`)),
        folder,
      ).toBe(true);
    }
  });
});
