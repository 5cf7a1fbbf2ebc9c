/**
 * Writes the JSON Schemas the package ships into dist/schemas (`npm run build` runs it after tsc):
 * `manifest.schema.json`, `plan.schema.json` and `apply-result.schema.json`, each generated from the
 * zod schema that reads or writes the document (src/cli/commands/schema.ts). Generated, never
 * committed; `marketo-activities schema <name>` prints the same.
 *
 *   tsx scripts/schemas.ts [outDir]     (default: dist/schemas)
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PUBLISHED_SCHEMAS } from "../src/cli/commands/schema.js";

/** The file each published schema is written to. */
export function schemaFileName(name: keyof typeof PUBLISHED_SCHEMAS): string {
  return `${name}.schema.json`;
}

/** Writes every published schema into `outDir`, replacing what an earlier build wrote; returns the files. */
export function writeSchemas(outDir: string): string[] {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  return (Object.keys(PUBLISHED_SCHEMAS) as (keyof typeof PUBLISHED_SCHEMAS)[]).map((name) => {
    const file = join(outDir, schemaFileName(name));
    writeFileSync(file, `${JSON.stringify(PUBLISHED_SCHEMAS[name](), null, 2)}\n`);
    return file;
  });
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(fileURLToPath(import.meta.url), "..", "..");
  writeSchemas(resolve(root, process.argv[2] ?? join("dist", "schemas")));
}
