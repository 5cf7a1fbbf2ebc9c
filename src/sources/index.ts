/**
 * Which version of the app's code a synth came from, so that `plan` and `apply` can tell a stale
 * `cdktf.out` from a fresh one.
 *
 * At synth, `writeSourcesRecord` writes `marketo-activities-sources.json` into the stack directory,
 * next to the manifests: a content digest of every source-like file of the app. `checkSources` digests
 * the same files again and compares. Content digests, never file times: times mean nothing in a fresh
 * CI checkout or after downloading `cdktf.out` as an artifact.
 *
 * Before a stack synthesizes, `removeSynthOutputs` removes what an earlier synth wrote there for plan
 * and apply (the manifests and the sources record), so a synth that fails leaves none of it behind.
 *
 * This module may import only src/schema and node builtins (it is loaded at synth by the constructs
 * and by the CLI's plan/apply path).
 */
import { createHash } from "node:crypto";
import {
  type Dirent,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { z } from "zod";
import { isManifestFileName } from "../schema/index.js";

/** File name of the sources record inside a stack directory. */
export const SOURCES_FILE_NAME = "marketo-activities-sources.json";

/** The sources record format this version writes and reads. */
export const SOURCES_FORMAT_VERSION = 1;

/** Most files recorded; past it the record says `truncated` and staleness is not judged. */
export const MAX_SOURCE_FILES = 5_000;

const DIGEST = /^sha256-[0-9a-f]{64}$/;

/** The content of `marketo-activities-sources.json`. */
export const sourcesRecordSchema = z.object({
  formatVersion: z.literal(SOURCES_FORMAT_VERSION),
  /** When the app was synthesized (`SOURCE_DATE_EPOCH` when it was set), ISO 8601 UTC. */
  synthesizedAt: z.iso.datetime(),
  /** The app directory, relative to the stack directory, in POSIX form (e.g. `../../..`). */
  appDir: z.string(),
  /** App-relative POSIX path -> `sha256-<hex>`, sorted by path. */
  files: z.record(z.string(), z.string().regex(DIGEST)),
  /** Set when the app had more than `MAX_SOURCE_FILES` source files: `files` is incomplete. */
  truncated: z.literal(true).optional(),
});

/** A parsed sources record. */
export type SourcesRecord = z.output<typeof sourcesRecordSchema>;

/** What `checkSources` found. */
export interface SourcesCheck {
  /** When the manifest was synthesized, when known (ISO 8601). */
  readonly synthesizedAt?: string;
  /**
   * `fresh`: the app's source files are as they were at synth. `stale`: some changed. `unknown`: no
   * usable record (an older synth, a manifest copied elsewhere, the app directory is not there).
   */
  readonly status: "fresh" | "stale" | "unknown";
  /** App-relative paths whose content changed since synth, sorted. */
  readonly changed: readonly string[];
  /** Source files that appeared since synth. */
  readonly added: readonly string[];
  /** Source files that were removed since synth. */
  readonly removed: readonly string[];
  /** Why the status is `unknown`. */
  readonly reason?: string;
}

const SOURCE_EXTENSIONS = new Set([".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs", ".json"]);
/** Lock files change with installs, not with the app's code. */
const LOCK_FILES = new Set(["package-lock.json", "npm-shrinkwrap.json"]);
/**
 * JSON in the app directory itself counts only for these: other JSON files there are usually
 * outputs (`plan --out plan.json`, emulator state, reports), and counting them would call every synth
 * stale after the first `plan --out`. JSON files in subdirectories count.
 */
const ROOT_JSON = /^(package|cdktf|tsconfig(\..+)?)\.json$/;

function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot <= 0 ? "" : name.slice(dot);
}

/** The cdktf output directory of the app: `output` from cdktf.json, else `cdktf.out`. */
function outputDirOf(appDir: string): string {
  try {
    const config = JSON.parse(readFileSync(join(appDir, "cdktf.json"), "utf8")) as { output?: unknown };
    if (typeof config.output === "string" && config.output !== "") return resolve(appDir, config.output);
  } catch {
    // No cdktf.json, or one cdktf itself will complain about.
  }
  return join(appDir, "cdktf.out");
}

/** The app's source-like files, app-relative POSIX paths, sorted; `truncated` past the cap. */
function listSources(appDir: string): { files: string[]; truncated: boolean } {
  const skipDir = outputDirOf(appDir);
  const files: string[] = [];
  let truncated = false;
  const walk = (dir: string, rel: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (truncated) return;
      const name = entry.name;
      if (name.startsWith(".")) continue;
      const path = join(dir, name);
      const relPath = rel === "" ? name : `${rel}/${name}`;
      if (entry.isDirectory()) {
        if (name === "node_modules" || path === skipDir) continue;
        walk(path, relPath);
      } else if (entry.isFile()) {
        const ext = extensionOf(name);
        if (!SOURCE_EXTENSIONS.has(ext) || LOCK_FILES.has(name)) continue;
        if (ext === ".json" && rel === "" && !ROOT_JSON.test(name)) continue;
        if (files.length >= MAX_SOURCE_FILES) {
          truncated = true;
          return;
        }
        files.push(relPath);
      }
    }
  };
  walk(appDir, "");
  return { files: files.sort(), truncated };
}

/** Digest of a file's content, line endings normalized (a Windows checkout digests as a Linux one). */
function digestOf(path: string): string | undefined {
  try {
    const text = readFileSync(path, "utf8").replace(/\r\n/g, "\n");
    return `sha256-${createHash("sha256").update(text).digest("hex")}`;
  } catch {
    return undefined;
  }
}

function digestAll(appDir: string): { files: Record<string, string>; truncated: boolean } {
  const listed = listSources(appDir);
  const files: Record<string, string> = {};
  for (const file of listed.files) {
    const digest = digestOf(join(appDir, ...file.split("/")));
    if (digest !== undefined) files[file] = digest;
  }
  return { files, truncated: listed.truncated };
}

const toPosix = (path: string) => path.split(sep).join("/");

/** `SOURCE_DATE_EPOCH` (seconds) when set and valid, else `now`. */
function synthesisTime(now: Date): Date {
  const epoch = process.env["SOURCE_DATE_EPOCH"];
  if (epoch !== undefined && /^\d+$/.test(epoch.trim())) return new Date(Number(epoch.trim()) * 1000);
  return now;
}

/**
 * Writes `marketo-activities-sources.json` into `stackDir`: the digest of every source file of the
 * app in `appDir` (`.ts .tsx .mts .cts .js .jsx .mjs .cjs .json`, without `node_modules`, dot
 * directories and files, the cdktf output directory and lock files). Called at synth.
 */
export function writeSourcesRecord(stackDir: string, appDir: string, now: Date = new Date()): void {
  const app = resolve(appDir);
  const { files, truncated } = digestAll(app);
  const record: SourcesRecord = {
    formatVersion: SOURCES_FORMAT_VERSION,
    synthesizedAt: synthesisTime(now).toISOString(),
    appDir: toPosix(relative(resolve(stackDir), app)) || ".",
    files,
    ...(truncated ? { truncated: true as const } : {}),
  };
  mkdirSync(stackDir, { recursive: true });
  writeFileSync(join(stackDir, SOURCES_FILE_NAME), `${JSON.stringify(record, null, 2)}\n`);
}

function unknown(reason: string, synthesizedAt?: string): SourcesCheck {
  return {
    ...(synthesizedAt === undefined ? {} : { synthesizedAt }),
    status: "unknown",
    changed: [],
    added: [],
    removed: [],
    reason,
  };
}

/**
 * Compares the app's source files with the record written at synth next to `manifestPath`. Never
 * throws for a missing or unreadable record: the status is then `unknown`, with a `reason`.
 */
export function checkSources(manifestPath: string): SourcesCheck {
  const stackDir = dirname(resolve(manifestPath));
  const recordPath = join(stackDir, SOURCES_FILE_NAME);
  if (!existsSync(recordPath)) {
    return unknown(
      `no ${SOURCES_FILE_NAME} next to it: synthesized by an older version, or copied out of its stack directory`,
    );
  }
  let record: SourcesRecord;
  try {
    const parsed = sourcesRecordSchema.safeParse(JSON.parse(readFileSync(recordPath, "utf8")));
    if (!parsed.success) return unknown(`${SOURCES_FILE_NAME} is not in a format this version reads`);
    record = parsed.data;
  } catch {
    return unknown(`${SOURCES_FILE_NAME} is not valid JSON`);
  }
  const at = record.synthesizedAt;
  if (record.truncated === true) {
    return unknown(`the app has more than ${MAX_SOURCE_FILES} source files; they were not all recorded`, at);
  }
  const appDir = resolve(stackDir, record.appDir);
  let isDir = false;
  try {
    isDir = statSync(appDir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) return unknown(`the app directory it was synthesized from (${appDir}) is not there`, at);
  const now = digestAll(appDir);
  if (now.truncated) {
    return unknown(`the app now has more than ${MAX_SOURCE_FILES} source files; they were not compared`, at);
  }
  const changed: string[] = [];
  const removed: string[] = [];
  for (const [file, digest] of Object.entries(record.files)) {
    const current = now.files[file];
    if (current === undefined) removed.push(file);
    else if (current !== digest) changed.push(file);
  }
  const added = Object.keys(now.files).filter((file) => record.files[file] === undefined);
  const stale = changed.length + added.length + removed.length > 0;
  return {
    synthesizedAt: at,
    status: stale ? "stale" : "fresh",
    changed: changed.sort(),
    added: added.sort(),
    removed: removed.sort(),
  };
}

/**
 * Removes from `stackDir` every manifest and the sources record, what plan and apply read of a synth.
 * Called at synth before any stack is synthesized: the manifests of this synth are written after
 * their stack, and only for valid instances, so a synth that fails leaves no earlier manifest beside
 * a new `cdk.tf.json` for the CLI to use. A missing directory is fine; the launcher and cdktf's own
 * files are left alone.
 */
export function removeSynthOutputs(stackDir: string): void {
  let names: string[];
  try {
    names = readdirSync(stackDir);
  } catch {
    return;
  }
  for (const name of names) {
    if (isManifestFileName(name) || name === SOURCES_FILE_NAME) rmSync(join(stackDir, name), { force: true });
  }
}
