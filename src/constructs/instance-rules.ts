/**
 * The rules that span the types of one `MarketoInstance`. The rules themselves are written once, in
 * src/schema/instance-rules.ts, and also hold every manifest the CLI reads; this file says where
 * things are in construct terms (construct paths), and adds the one rule about the construct tree.
 */
import type { IConstruct } from "constructs";
import { checkInstanceRules as checkDeclaredRules, type ValidationIssue } from "../schema/index.js";

/** What the rules see of an instance. */
export interface InstanceDeclarations {
  readonly instanceId: string;
  readonly maxActivityTypes: number;
  /** The declared types: apiName, and trigger and filter names as written. */
  readonly types: readonly {
    readonly construct: IConstruct;
    readonly apiName: string;
    readonly triggerName: unknown;
    readonly filterName: unknown;
  }[];
  /** The retired apiNames, in declaration order. */
  readonly retired: readonly string[];
  /** Other `MarketoInstance`s of the same stack with the same id. */
  readonly sameIdInStack: readonly IConstruct[];
}

/** Every cross-type issue of an instance. */
export function checkInstanceRules(declared: InstanceDeclarations): ValidationIssue[] {
  const issues = checkDeclaredRules({
    maxActivityTypes: declared.maxActivityTypes,
    maxActivityTypesPath: "maxActivityTypes",
    types: declared.types.map(({ construct, apiName, triggerName, filterName }) => ({
      at: construct.node.path,
      apiName,
      triggerName,
      filterName,
      // Each construct's issues name the construct: the name is the path.
      pathOf: (name) => name,
    })),
    retired: declared.retired.map((apiName) => ({ apiName, path: "RetiredActivityType" })),
  });
  // The id names the manifest file: two instances with one id would overwrite each other's.
  if (declared.sameIdInStack.length > 0) {
    issues.push({
      path: "id",
      received: declared.instanceId,
      message: `another MarketoInstance in this stack has the same id (${declared.sameIdInStack.map((c) => c.node.path).join(", ")}); the id names the manifest file`,
      fix: "give each MarketoInstance in a stack its own id",
    });
  }
  return issues;
}
