/**
 * Optional persistence of the instance's state in one JSON file. Loading checks the file fully and
 * refuses a corrupt one without touching it; saving writes a temporary file in the same directory
 * and renames it over the target, so a crash never leaves a half-written file.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { formatPath, MarketoActivitiesError } from "../schema/index.js";
import { type InstanceData, instanceDataSchema } from "./model.js";

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

/** Reads the state file; `undefined` when it does not exist. Throws `EmulatorDataError` otherwise. */
export function loadState(path: string): InstanceData | undefined {
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
  const parsed = instanceDataSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? "" : formatPath(issue.path);
    throw new EmulatorDataError(
      path,
      "load",
      `it is not emulator state (formatVersion 1)${where === "" ? "" : ` at ${where}`}: ${issue?.message ?? "invalid"}`,
    );
  }
  return parsed.data;
}

/** Writes the state atomically: a temporary file in the same directory, then a rename. */
export function saveState(path: string, state: InstanceData): void {
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
