import { TerraformStack, Testing } from "cdktf";
import { MarketoInstance, type MarketoInstanceProps } from "../../src/constructs/index.js";

/** A valid definition to start from; tests override one field at a time. */
export const webinar = {
  apiName: "webinarAttended",
  name: "Webinar Attended",
  triggerName: "Attends Webinar",
  filterName: "Attended Webinar",
  primaryAttribute: { apiName: "webinarName", name: "Webinar Name" },
  attributes: [{ apiName: "minutesWatched", name: "Minutes Watched", dataType: "integer" as const }],
};

export interface Synthesized {
  readonly stack: TerraformStack;
  readonly instance: MarketoInstance;
  /** The stack's Terraform JSON (metadata stripped, keys sorted), parsed. */
  readonly json: {
    resource?: Record<string, Record<string, Record<string, unknown>>>;
    [key: string]: unknown;
  };
  /** Error annotations as `[path] message`, in tree order. */
  readonly errors: string[];
}

/**
 * Builds a stack with one `MarketoInstance` "prod", lets `build` declare types in it, and
 * synthesizes with validations on (`Testing.synth(stack, true)`).
 */
export function synthInstance(
  build: (instance: MarketoInstance, stack: TerraformStack) => void,
  props: MarketoInstanceProps = { resourceKind: "terraform_data" },
  context: Record<string, unknown> = {},
): Synthesized {
  const app = Testing.app({ context });
  const stack = new TerraformStack(app, "stack");
  const instance = new MarketoInstance(stack, "prod", props);
  build(instance, stack);
  const json = JSON.parse(Testing.synth(stack, true)) as Synthesized["json"];
  return { stack, instance, json, errors: errorAnnotations(stack) };
}

/** The `@cdktf/error` annotations below `stack`, as cdktf prints them. */
export function errorAnnotations(stack: TerraformStack): string[] {
  return stack.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === "@cdktf/error")
        .map((m) => `[${c.node.path}] ${String(m.data)}`),
    );
}
