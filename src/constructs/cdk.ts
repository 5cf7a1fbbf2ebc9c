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
import { createRequire } from "node:module";
import { dirname, sep } from "node:path";
import type * as CdktfModule from "cdktf";
import { Construct, type IConstruct } from "constructs";
import { DefinitionError } from "../schema/index.js";

/** What this package uses of a CDK module; cdktf and cdktn export the same API. */
export type Cdk = Pick<
  typeof CdktfModule,
  "Aspects" | "TerraformProvider" | "TerraformResource" | "TerraformStack"
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
