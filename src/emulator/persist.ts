/**
 * Optional persistence of the instance's state in one JSON file. Loading checks the file fully and
 * refuses a corrupt one without touching it; saving writes a temporary file in the same directory
 * and renames it over the target, so a crash never leaves a half-written file.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import { DATA_TYPES, formatPath, MarketoActivitiesError } from "../schema/index.js";
import type { StateData } from "./state.js";

/**
 * Raised at start when the data file cannot be read, is not emulator state, or cannot be created.
 * A file that exists is never changed by a failed start.
 */
export class EmulatorDataError extends MarketoActivitiesError {
  constructor(
    public readonly path: string,
    action: "load" | "write",
    problem: string,
    options?: ErrorOptions,
  ) {
    super(
      "EmulatorDataInvalid",
      action === "load"
        ? `Cannot load emulator data from ${path}: ${problem}. The file was not changed.`
        : `Cannot save emulator data to ${path}: ${problem}.`,
      {
        ...options,
        hint:
          action === "load"
            ? `fix or restore ${path}, or move it away (or pass another path) to start with an empty instance`
            : "pass a path in a directory that exists and is writable",
      },
    );
  }
}

const attributeSchema = z.strictObject({
  apiName: z.string().min(1),
  name: z.string(),
  dataType: z.enum(DATA_TYPES),
  description: z.string().optional(),
  isPrimary: z.boolean(),
});

const versionSchema = z.strictObject({
  name: z.string(),
  description: z.string().optional(),
  triggerName: z.string(),
  filterName: z.string(),
  attributes: z.array(attributeSchema),
});

const recordSchema = z.strictObject({
  id: z.number().int(),
  marketoGUID: z.string(),
  leadId: z.number().int(),
  activityDate: z.string(),
  primaryAttributeValue: z.string(),
  attributes: z.array(z.strictObject({ apiName: z.string(), value: z.unknown() })),
  addedAt: z.string(),
});

const typeSchema = z
  .strictObject({
    id: z.number().int().positive(),
    apiName: z.string().min(1),
    createdAt: z.string(),
    updatedAt: z.string(),
    live: versionSchema.optional(),
    draft: versionSchema.optional(),
    deleted: z.boolean(),
    inUse: z.boolean(),
    records: z.array(recordSchema),
  })
  .refine(
    (type) => type.live !== undefined || type.draft !== undefined,
    "a type needs a live or a draft version",
  );

const stateSchema = z.strictObject({
  formatVersion: z.literal(1),
  nextTypeId: z.number().int().positive(),
  nextRecordId: z.number().int().positive(),
  types: z.array(typeSchema),
});

/** Reads the state file; `undefined` when it does not exist. Throws `EmulatorDataError` otherwise. */
export function loadState(path: string): StateData | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    throw new EmulatorDataError(path, "load", `it cannot be read (${code ?? String(error)})`, {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new EmulatorDataError(path, "load", `it is not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? "" : formatPath(issue.path);
    throw new EmulatorDataError(
      path,
      "load",
      `it is not emulator state (formatVersion 1)${where === "" ? "" : ` at ${where}`}: ${issue?.message ?? "invalid"}`,
    );
  }
  return parsed.data as StateData;
}

/** Writes the state atomically: a temporary file in the same directory, then a rename. */
export function saveState(path: string, state: StateData): void {
  const temporary = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
  );
  try {
    writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { encoding: "utf8", flag: "wx" });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
