/**
 * The one module that touches CDK for Terraform. The package works in apps on HashiCorp's `cdktf`
 * (0.20, 0.21) and on its maintained fork CDK Terrain (`cdktn`), and always with the CDK the
 * user's stack comes from: both are optional peer dependencies, neither is imported at load time,
 * and each construct finds its stack's CDK when it is created (docs/cdktf.md section 7).
 *
 * Why not `import ... from "cdktf"`: the two CDKs share their `Symbol.for("cdktf/...")` markers,
 * so a cdktn stack takes resources made with cdktf's classes for its own and crashes on them; and
 * a second copy of one CDK (a nested install, an app on another version) breaks the same way.
 * Only types are imported here, and no public declaration refers to them.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import type * as CdktfModule from "cdktf";
import { Construct, type IConstruct } from "constructs";
import { DefinitionError, MarketoActivitiesError } from "../schema/index.js";
import { removeSynthOutputs } from "../sources/index.js";

/** What this package uses of a CDK module; cdktf and cdktn export the same API. */
export type Cdk = Pick<
  typeof CdktfModule,
  "Aspects" | "TerraformProvider" | "TerraformResource" | "TerraformStack" | "Token"
>;
export type TerraformStack = CdktfModule.TerraformStack;
export type TerraformResource = CdktfModule.TerraformResource;
export type LocalExecProvisioner = CdktfModule.LocalExecProvisioner;
export type ISynthesisSession = CdktfModule.ISynthesisSession;

/** A CDK module found in the app, with where it was loaded from (for messages). */
export interface FoundCdk {
  readonly name: "cdktf" | "cdktn";
  /** The package directory, e.g. `/app/node_modules/cdktf`. */
  readonly path: string;
  readonly module: Cdk;
}

/** The metadata type both CDKs collect as an error annotation (`AnnotationMetadataEntryType.ERROR`). */
export const ERROR_ANNOTATION = "@cdktf/error";

const STACK_SYMBOL = Symbol.for("cdktf/TerraformStack");
const CDK_NAMES = ["cdktf", "cdktn"] as const;
const requireHere = createRequire(import.meta.url);

/** True if `x` is a TerraformStack of either CDK (they share the marker). */
export function isStack(x: unknown): x is TerraformStack {
  return typeof x === "object" && x !== null && STACK_SYMBOL in x;
}

/** The package directory of a module's entry file (`.../cdktf/lib/index.js` → `.../cdktf`). */
function packageDir(entry: string): string {
  return dirname(dirname(entry));
}

/**
 * Every copy of cdktf or cdktn that is loaded in this process (the app has loaded its own before
 * it made a stack; both CDKs are CommonJS, so ESM apps load them through the same cache), then
 * those resolvable from this package, which a peer dependency makes the app's own.
 */
function candidates(): FoundCdk[] {
  const found = new Map<string, FoundCdk>();
  const add = (name: FoundCdk["name"], entry: string) => {
    const path = packageDir(entry);
    if (found.has(path)) return;
    const module = requireHere(entry) as Cdk;
    if (typeof module.TerraformStack === "function") found.set(path, { name, path, module });
  };
  for (const entry of Object.keys(requireHere.cache)) {
    for (const name of CDK_NAMES) {
      if (entry.endsWith(`${sep}${name}${sep}lib${sep}index.js`)) add(name, entry);
    }
  }
  return [...found.values()];
}

function resolvable(): FoundCdk[] {
  const found: FoundCdk[] = [];
  for (const name of CDK_NAMES) {
    let entry: string;
    try {
      entry = requireHere.resolve(name);
    } catch {
      continue;
    }
    found.push({ name, path: packageDir(entry), module: requireHere(entry) as Cdk });
  }
  return found;
}

const byStackClass = new WeakMap<object, FoundCdk>();

/** The nearest TerraformStack at or above `scope`. */
function stackOf(scope: IConstruct): TerraformStack | undefined {
  return scope.node.scopes.slice().reverse().find(isStack);
}

/**
 * The stack `scope` belongs to and the CDK that stack was made with. Throws a `DefinitionError`
 * that names the copies and the fix when the construct tree mixes copies of `constructs`, or when
 * the stack's CDK is not one this package can find.
 */
export function cdkOf(scope: IConstruct, what: string): { stack: TerraformStack; cdk: FoundCdk } {
  assertOneConstructs(scope, what);
  const stack = stackOf(scope);
  if (stack === undefined) {
    throw new DefinitionError(`${what} (at ${scope.node.path})`, [
      {
        path: "",
        message: "must be declared inside a TerraformStack (of cdktf or cdktn)",
        fix: 'create a stack and pass it as the scope: const stack = new TerraformStack(app, "marketing"); new MarketoInstance(stack, "prod")',
      },
    ]);
  }
  const stackClass = Object.getPrototypeOf(stack) as object;
  const known = byStackClass.get(stackClass);
  if (known !== undefined) return { stack, cdk: known };
  const loaded = candidates();
  const all = [...loaded, ...resolvable().filter((r) => !loaded.some((l) => l.path === r.path))];
  const cdk = all.find((c) => stack instanceof c.module.TerraformStack);
  if (cdk === undefined) {
    const copies = all.map((c) => `${c.name} at ${c.path}`);
    throw new DefinitionError(`${what} (at ${scope.node.path})`, [
      {
        path: "",
        message: `the stack "${stack.node.path}" was made with a copy of cdktf or cdktn that this package cannot find (it found: ${copies.length > 0 ? copies.join("; ") : "none"})`,
        fix: "install cdktf (or cdktn) once, as a dependency of your app: `npm ls cdktf cdktn` must list one copy; remove nested copies with `npm dedupe`",
      },
    ]);
  }
  byStackClass.set(stackClass, cdk);
  return { stack, cdk };
}

/**
 * Two copies of `constructs` in one tree type-check as different classes and break at run time
 * in ways that name neither; say so once, with both paths.
 */
function assertOneConstructs(scope: IConstruct, what: string): void {
  if (scope instanceof Construct) return;
  const ours = packageDir(requireHere.resolve("constructs"));
  const others = Object.keys(requireHere.cache)
    .filter((entry) => entry.endsWith(`${sep}constructs${sep}lib${sep}index.js`))
    .map(packageDir)
    .filter((path) => path !== ours);
  throw new DefinitionError(`${what} (at ${scope.node.path})`, [
    {
      path: "",
      message: `its scope was made with another copy of the "constructs" package: this package uses ${ours}${others.length > 0 ? `, your app ${others.join(", ")}` : ""}`,
      fix: "keep one copy of constructs: `npm ls constructs` must list one version; run `npm dedupe`, or install a constructs version that cdktf/cdktn and this package all accept",
    },
  ]);
}

/** Where to find `@cdktf/provider-null` for a cdktf copy: next to it, or next to this package. */
export function loadProviderNull(cdk: FoundCdk): typeof import("@cdktf/provider-null") | undefined {
  if (cdk.name !== "cdktf") return undefined;
  for (const from of [cdk.path, import.meta.url]) {
    try {
      const module = createRequire(from.startsWith("file:") ? from : `${from}${sep}`)(
        "@cdktf/provider-null",
      ) as typeof import("@cdktf/provider-null");
      // Only a binding built on this very cdktf copy may join the stack.
      if (module.resource.Resource.prototype instanceof cdk.module.TerraformResource) return module;
    } catch {
      // not installed here
    }
  }
  return undefined;
}

/** The synth sessions (one per `app.synth()`) whose earlier outputs are removed already. */
const clearedSessions = new WeakSet<object>();

/**
 * The stack directories plan and apply may read after a synth into `session.outdir`: every stack of
 * the app `stack` is in (`<outdir>/stacks/<id>`, the CDK's `Manifest.stacksFolder`; computed here
 * rather than asked of `session.manifest.forStack`, which would record the stack before its aspects
 * ran), and every stack that the outdir's `manifest.json` lists from an earlier synth (it stays when
 * a synth fails).
 */
function stackDirectories(stack: TerraformStack, session: ISynthesisSession): string[] {
  const stacksFolder = (session.manifest.constructor as { stacksFolder?: unknown }).stacksFolder;
  const folder = typeof stacksFolder === "string" ? stacksFolder : "stacks";
  const directories = stack.node.root.node
    .findAll()
    .filter(isStack)
    .map((s) => join(session.outdir, folder, s.node.id));
  try {
    const earlier = JSON.parse(readFileSync(join(session.outdir, "manifest.json"), "utf8")) as {
      stacks?: Record<string, { workingDirectory?: unknown }>;
    };
    for (const entry of Object.values(earlier.stacks ?? {})) {
      if (typeof entry?.workingDirectory !== "string") continue;
      const directory = join(session.outdir, entry.workingDirectory);
      const inside = relative(session.outdir, directory);
      if (inside !== "" && !inside.startsWith("..") && !isAbsolute(inside)) directories.push(directory);
    }
  } catch {
    // No earlier synth, or a manifest.json cdktf will rewrite.
  }
  return [...new Set(directories)];
}

/**
 * Synthesizes `stack` with the synthesizer the CDK gave it (`inner`), for the wrapper that writes the
 * manifests (marketo-instance.ts). Before the first stack of a synth, it removes the manifests and
 * sources records of every stack directory plan and apply could read (`removeSynthOutputs`), so a
 * synth that fails, here or in another stack, leaves no earlier desired state beside a new
 * `cdk.tf.json`. When the CDK stops on error annotations, the error names them without the CDK's
 * stack trace and its advice to ignore them (docs/cdktf.md section 9).
 */
export function synthesizeWith(
  inner: { synthesize(session: ISynthesisSession): void },
  stack: TerraformStack,
  session: ISynthesisSession,
): void {
  if (!clearedSessions.has(session)) {
    clearedSessions.add(session);
    for (const directory of stackDirectories(stack, session)) removeSynthOutputs(directory);
  }
  try {
    inner.synthesize(session);
  } catch (error) {
    throw annotationsError(stack, error) ?? error;
  }
}

/** The message both CDKs throw error annotations with (`encounteredAnnotationWithLevelError`). */
const CDK_ANNOTATIONS_ERROR = 'Encountered Annotations with level "ERROR"';

/**
 * For the CDK's error on error annotations, one of this package that lists them as `cdktf synth`
 * prints them and ends with the last: no stack trace (the annotations name the constructs at fault),
 * no `cause`, no fields that Node would print after it. Undefined for any other error.
 */
function annotationsError(stack: TerraformStack, error: unknown): Error | undefined {
  if (!(error instanceof Error) || !error.message.startsWith(CDK_ANNOTATIONS_ERROR)) return undefined;
  const errors = stack.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === ERROR_ANNOTATION)
        .map((m) => `ERROR [${c.node.path}]: ${String(m.data)}`),
    );
  if (errors.length === 0) return undefined;
  const count = errors.length === 1 ? "1 error" : `${errors.length} errors`;
  const ours = new MarketoActivitiesError(
    "SynthFailed",
    `stack "${stack.node.id}" has ${count}; nothing of it was written:\n${errors.join("\n")}`,
  );
  for (const key of ["name", "code", "hint"] as const)
    Object.defineProperty(ours, key, { enumerable: false });
  // Node prints an uncaught error without frames as `[stack]`, then its version: the message stays last.
  ours.stack = `${ours.name}: ${ours.message}`;
  return ours;
}
