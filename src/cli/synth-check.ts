import { resolve } from "node:path";
import type { MessageContext } from "../reconcile/index.js";
import { MarketoActivitiesError } from "../schema/index.js";
import { checkSources, type SourcesCheck } from "../sources/index.js";
import type { CliIO } from "./io.js";
import type { FoundManifest } from "./manifests.js";

/** A manifest with what its sources record says about it. */
export interface CheckedManifest {
  readonly found: FoundManifest;
  readonly check: SourcesCheck;
}

/** How many file names a warning shows before "and N more". */
const SHOWN_FILES = 5;

/** What to do about a stale synth. */
export const STALE_FIX = "run `npx cdktf synth` (or `cdktf deploy`, which synthesizes)";

/** `2026-12-01T14:20:05.000Z` -> `2026-12-01 14:20 UTC`. */
export function formatSynthTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** Checks every manifest's sources record; manifests of one stack share a record and are checked once. */
export function checkManifests(found: readonly FoundManifest[], io: CliIO): CheckedManifest[] {
  const byPath = new Map<string, SourcesCheck>();
  return found.map((f) => {
    const path = resolve(io.cwd, f.path);
    const dir = resolve(path, "..");
    let check = byPath.get(dir);
    if (check === undefined) {
      check = checkSources(path);
      byPath.set(dir, check);
    }
    return { found: f, check };
  });
}

/** `changed: main.ts, src/a.ts; added: src/b.ts; removed: old.ts (and 3 more)`. */
function fileSummary(checks: readonly SourcesCheck[], quote: (s: string) => string = (s) => s): string {
  const union = (key: "changed" | "added" | "removed") => [...new Set(checks.flatMap((c) => c[key]))].sort();
  const groups = (["changed", "added", "removed"] as const).map((key) => [key, union(key)] as const);
  let budget = SHOWN_FILES;
  let hidden = 0;
  const parts: string[] = [];
  for (const [key, files] of groups) {
    if (files.length === 0) continue;
    const shown = files.slice(0, Math.max(budget, 0));
    budget -= shown.length;
    hidden += files.length - shown.length;
    if (shown.length > 0) parts.push(`${key}: ${shown.map(quote).join(", ")}`);
  }
  return `${parts.join("; ")}${hidden > 0 ? ` (and ${hidden} more)` : ""}`;
}

/** The manifests whose app code changed after they were synthesized. */
export function staleOnes(checked: readonly CheckedManifest[]): CheckedManifest[] {
  return checked.filter((c) => c.check.status === "stale");
}

function when(checked: readonly CheckedManifest[]): string {
  const times = [...new Set(checked.flatMap((c) => (c.check.synthesizedAt ? [c.check.synthesizedAt] : [])))];
  return times.sort().map(formatSynthTime).join(", ");
}

/**
 * `the app's code changed after a.json was synthesized (2026-12-01 14:20 UTC): changed: main.ts`: the
 * sentence every stale-synth message starts from. `quote` marks paths and files (Markdown code).
 */
export function staleSentence(
  stale: readonly CheckedManifest[],
  quote: (s: string) => string = (s) => s,
): string {
  return `the app's code changed after ${stale.map((s) => quote(s.found.path)).join(", ")} ${stale.length === 1 ? "was" : "were"} synthesized (${when(stale)}): ${fileSummary(
    stale.map((s) => s.check),
    quote,
  )}`;
}

/**
 * Apply refuses a stale synth: it would write to Marketo what the code said before the last edit.
 * Inside a provisioner, `cdktf deploy` synthesized just before, so apply goes ahead: the stale
 * manifests are returned, for a warning.
 */
export function refuseStale(checked: readonly CheckedManifest[], context: MessageContext): CheckedManifest[] {
  const stale = staleOnes(checked);
  if (stale.length === 0 || context === "provisioner") return stale;
  throw new MarketoActivitiesError(
    "StaleSynth",
    `${staleSentence(stale)}; apply would write the code as it was then. Nothing was applied`,
    { hint: `${STALE_FIX} and apply again` },
  );
}
