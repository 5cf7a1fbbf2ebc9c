/**
 * The repository stands alone: a clone with nothing beside it passes its tests, and its docs are
 * understandable without anything outside it. Checks the tracked files (`git ls-files`) for references
 * to material that lives outside the repository or to one machine's paths, that every `docs/<name>.md`
 * the code and docs cite exists (with the section or decision cited), and that the license files exist.
 *
 * The patterns are built from pieces, so this file does not match them; it is also left out of the scan.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const self = path
  .relative(repoRoot, fileURLToPath(import.meta.url))
  .split(path.sep)
  .join("/");

/** The tracked files, or why they cannot be listed. */
function trackedFiles(): { files: string[] } | { reason: string } {
  try {
    const out = execFileSync("git", ["ls-files", "-z"], {
      cwd: repoRoot,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    const files = out.split("\0").filter((file) => file !== "");
    if (files.length === 0) return { reason: "git ls-files lists no file" };
    return { files };
  } catch (error) {
    return { reason: `not a git checkout (git ls-files failed: ${(error as Error).message.split("\n")[0]})` };
  }
}

const listing = trackedFiles();
if ("reason" in listing) console.warn(`test/repository.test.ts: skipped, ${listing.reason}`);
const tracked = "files" in listing ? listing.files : [];

const SCANNED_FOLDERS = ["src/", "test/", "docs/", "bench/", "scripts/", "examples/"];
const SCANNED_FILES = ["README.md", "biome.json", "package.json"];

/** Tracked files under `folders` (or named in `files`) that exist in the work tree, minus this file. */
function filesUnder(folders: readonly string[], files: readonly string[] = []): string[] {
  return tracked.filter(
    (file) =>
      file !== self &&
      (folders.some((folder) => file.startsWith(folder)) || files.includes(file)) &&
      existsSync(path.join(repoRoot, file)) &&
      statSync(path.join(repoRoot, file)).isFile(),
  );
}

function read(file: string): string {
  return readFileSync(path.join(repoRoot, file), "utf8");
}

const up = "..";
const shared = "shared";
const md = ".md";
const absoluteRoots = ["tmp", "work", "root", "home"].join("|");

/** What must not appear: material outside the repository, or one machine's absolute paths. */
const FORBIDDEN: readonly { name: string; pattern: RegExp }[] = [
  { name: "the folder beside the clone", pattern: new RegExp(`${up.replace(/\./g, "\\.")}/${shared}\\b`) },
  { name: "the outside Marketo notes", pattern: new RegExp(`\\b${shared}/marketo\\b`) },
  { name: "the outside cdktf notes", pattern: new RegExp(`\\b${shared}/cdktf\\b`) },
  { name: "the outside API fact sheet", pattern: new RegExp(["API", "FACTS"].join("-")) },
  {
    name: "an outside design, style or notes file",
    pattern: new RegExp(`(?<![\\w-])(?:${["DESIGN", "STYLE", "NOTES"].join("|")})${md.replace(".", "\\.")}`),
  },
  // A path such as /home/<name>: not one inside a URL or a relative path (a word, dot or dash before it).
  {
    name: "a machine-specific absolute path",
    pattern: new RegExp(`(?<![\\w.-])/(?:${absoluteRoots})/[\\w.-]`),
  },
];

describe.skipIf(tracked.length === 0)("the repository stands alone", () => {
  it("refers to nothing outside the repository and to no machine's paths", () => {
    const files = filesUnder(SCANNED_FOLDERS, SCANNED_FILES);
    expect(files.length).toBeGreaterThan(0);
    const hits: string[] = [];
    for (const file of files) {
      const lines = read(file).split("\n");
      lines.forEach((line, index) => {
        for (const { name, pattern } of FORBIDDEN) {
          const match = pattern.exec(line);
          if (match) hits.push(`${file}:${index + 1}: ${name} (${JSON.stringify(match[0])})`);
        }
      });
    }
    expect(hits, hits.join("\n")).toStrictEqual([]);
  });

  it("has every docs/<name>.md that the code and the docs cite", () => {
    const missing = new Set<string>();
    for (const file of filesUnder(["src/", "docs/", "test/", "bench/", "scripts/"])) {
      for (const match of read(file).matchAll(/\bdocs\/([\w-]+)\.md\b/g)) {
        if (!existsSync(path.join(repoRoot, "docs", `${match[1]}.md`)))
          missing.add(`${file}: docs/${match[1]}.md`);
      }
    }
    expect([...missing]).toStrictEqual([]);
  });

  it("has the sections and decisions that the code and the docs cite", () => {
    /** Section numbers of a doc: `## 4.`, `### 4.2`, or a bold `**6.4**` item; decisions `N. **…`. */
    function anchors(doc: string): { sections: Set<string>; decisions: Set<string> } {
      const text = read(`docs/${doc}.md`);
      const sections = new Set<string>();
      const decisions = new Set<string>();
      for (const m of text.matchAll(/^#{2,4} (\d+(?:\.\d+)?)[. ]/gm)) sections.add(m[1]!);
      for (const m of text.matchAll(/\*\*(\d+\.\d+)\*\*/g)) sections.add(m[1]!);
      for (const m of text.matchAll(/^(\d+)\. \*\*/gm)) decisions.add(m[1]!);
      return { sections, decisions };
    }
    const docs = ["marketo-api", "design", "cdktf"].filter((doc) =>
      existsSync(path.join(repoRoot, "docs", `${doc}.md`)),
    );
    const known = new Map(docs.map((doc) => [doc, anchors(doc)]));
    const citation =
      /\bdocs\/(marketo-api|design|cdktf)\.md`?,?\s+(?:(section|decision)s?\s+)?(\d+(?:\.\d+)?)/g;
    const broken: string[] = [];
    for (const file of filesUnder(SCANNED_FOLDERS, SCANNED_FILES)) {
      for (const m of read(file).matchAll(citation)) {
        const target = known.get(m[1]!);
        if (target === undefined) continue;
        const ok = m[2] === "decision" ? target.decisions.has(m[3]!) : target.sections.has(m[3]!);
        if (!ok) broken.push(`${file}: ${m[0].replace(/\s+/g, " ")}`);
      }
    }
    expect(broken, broken.join("\n")).toStrictEqual([]);
  });

  it("has its license, and the license of the swagger fixtures", () => {
    expect(read("LICENSE")).toContain("Mozilla Public License Version 2.0");
    expect(JSON.parse(read("package.json")).license).toBe("MPL-2.0");
    for (const file of ["LICENSE", "README.md", "swagger-mapi.json", "swagger-identity.json"])
      expect(existsSync(path.join(repoRoot, "test", "fixtures", "marketo", file)), file).toBe(true);
    expect(read("test/fixtures/marketo/LICENSE")).toContain("Apache License");
  });
});
