import { existsSync, readdirSync, readFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import {
  DefinitionError,
  isManifestFileName,
  type Manifest,
  MarketoActivitiesError,
  manifestFileName,
  parseManifest,
} from "../schema/index.js";

/** A manifest found on disk. */
export interface FoundManifest {
  /** Path as shown to the user (relative to the working directory when inside it). */
  readonly path: string;
  /** The cdktf stack it was synthesized in, when found through cdktf.out. */
  readonly stack?: string;
  readonly manifest: Manifest;
}

function usageError(message: string, hint: string): MarketoActivitiesError {
  return new MarketoActivitiesError("Usage", message, { hint });
}

const MANIFEST_HINT = "synthesize again with `npx cdktf synth`; do not edit manifests by hand";

function readJson(path: string, shown: string, invalidHint = MANIFEST_HINT): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw usageError(
      `cannot read ${shown}${code === "ENOENT" ? ": no such file" : ` (${code ?? "error"})`}`,
      "check the path, or run `npx cdktf synth` to write the manifests",
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw usageError(`${shown} is not valid JSON`, invalidHint);
  }
}

/** The cdktf output directory: `output` from cdktf.json, else `cdktf.out`. */
function cdktfOutput(cwd: string): string {
  const config = join(cwd, "cdktf.json");
  if (existsSync(config)) {
    const output = (
      readJson(config, "cdktf.json", "fix the JSON syntax of cdktf.json (cdktf reads it too)") as {
        output?: unknown;
      }
    ).output;
    if (typeof output === "string" && output !== "") return resolve(cwd, output);
  }
  return join(cwd, "cdktf.out");
}

/**
 * The manifests to plan or apply: the `--manifest` files, or else every manifest of every stack
 * (or of the `--stack`s) that `cdktf synth` wrote under the app directory `cwd`.
 */
export function findManifests(options: {
  cwd: string;
  manifest?: readonly string[];
  stack?: readonly string[];
}): FoundManifest[] {
  const { cwd } = options;
  const show = (path: string) => {
    const rel = relative(cwd, path);
    return rel.startsWith("..") || isAbsolute(rel) ? path : rel;
  };
  if (options.manifest !== undefined && options.manifest.length > 0) {
    return options.manifest.map((file) => {
      const path = resolve(cwd, file);
      return { path: show(path), manifest: parseManifest(readJson(path, show(path)), show(path)) };
    });
  }
  const outdir = cdktfOutput(cwd);
  const cdktfManifest = join(outdir, "manifest.json");
  if (!existsSync(cdktfManifest)) {
    throw usageError(
      `no synthesized app found: ${show(cdktfManifest)} does not exist`,
      "run `npx cdktf synth` in your cdktf app directory first, or pass --manifest <file>",
    );
  }
  const stacks =
    (
      readJson(cdktfManifest, show(cdktfManifest)) as {
        stacks?: Record<string, { workingDirectory?: string; dependencies?: string[] }>;
      }
    ).stacks ?? {};
  const names = dependencyOrder(stacks);
  const wanted = options.stack !== undefined && options.stack.length > 0 ? options.stack : names;
  const unknown = wanted.filter((s) => !names.includes(s));
  if (unknown.length > 0) {
    throw usageError(
      `unknown stack ${unknown.map((s) => `"${s}"`).join(", ")}`,
      `the app has: ${names.join(", ") || "no stacks"}`,
    );
  }
  const found: FoundManifest[] = [];
  for (const stack of wanted) {
    const dir = join(outdir, stacks[stack]?.workingDirectory ?? join("stacks", stack));
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)
      .filter((f) => isManifestFileName(f))
      .sort()) {
      const path = join(dir, file);
      const manifest = parseManifest(readJson(path, show(path)), show(path));
      refuseMisnamed(file, show(path), manifest);
      found.push({ path: show(path), stack, manifest });
    }
  }
  if (found.length === 0) {
    throw usageError(
      `no Marketo manifests in ${show(outdir)}${options.stack?.length ? ` for stack ${wanted.join(", ")}` : ""}`,
      "declare a MarketoInstance with activity types in your app and run `npx cdktf synth`",
    );
  }
  return found;
}

/**
 * Synth names each manifest after its instance (`marketo-activities.<id>.json`), one per instance of a
 * stack: a manifest whose instance is another was renamed or edited by hand, and could stand for an
 * instance twice.
 */
function refuseMisnamed(file: string, shown: string, manifest: Manifest): void {
  if (file === manifestFileName(manifest.instance.id)) return;
  throw new DefinitionError(
    `manifest ${shown}`,
    [
      {
        path: "instance.id",
        received: manifest.instance.id,
        message: `the file name says instance "${file.slice("marketo-activities.".length, -".json".length)}"; synth names each manifest after its instance`,
        fix: "synthesize again (`npx cdktf synth`) and do not rename or edit manifests by hand",
      },
    ],
    "synthesize again (cdktf synth) and do not edit manifests by hand",
  );
}

/**
 * Stack names with every stack after the stacks it depends on (sandbox before a production that
 * depends on it), ties by name: the order `cdktf deploy '*'` deploys them and plans are shown in.
 */
function dependencyOrder(stacks: Record<string, { dependencies?: string[] }>): string[] {
  const ordered: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (ordered.includes(name) || path.includes(name) || stacks[name] === undefined) return;
    for (const dependency of [...(stacks[name]?.dependencies ?? [])].sort())
      visit(dependency, [...path, name]);
    ordered.push(name);
  };
  for (const name of Object.keys(stacks).sort()) visit(name, []);
  return ordered;
}

/**
 * Applies `--only`: every apiName must be declared or retired in some manifest; manifests that
 * declare none of them are dropped.
 */
export function selectOnly(
  found: readonly FoundManifest[],
  only: readonly string[] | undefined,
): FoundManifest[] {
  if (only === undefined || only.length === 0) return [...found];
  const known = (m: Manifest) => new Set([...m.types.map((t) => t.apiName), ...m.retired]);
  const all = new Set(found.flatMap((f) => [...known(f.manifest)]));
  const missing = only.filter((a) => !all.has(a));
  if (missing.length > 0) {
    throw usageError(
      `--only ${missing.map((a) => `"${a}"`).join(", ")}: not declared or retired in ${found.map((f) => f.path).join(", ")}`,
      `declared apiNames: ${[...all].sort().join(", ")}`,
    );
  }
  return found.filter((f) => only.some((a) => known(f.manifest).has(a)));
}
