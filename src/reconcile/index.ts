/**
 * The reconciler: read an instance with the fewest calls, diff it against a manifest (pure), plans
 * and their schema, renderers, apply, saved plans and their re-planning. Imports only src/schema and
 * src/marketo; never cdktf. See docs/architecture.md.
 */
export {
  type ApplyEvent,
  type ApplyOptions,
  ApplyRefusedError,
  type ApplyResult,
  applyPlan,
  refusals,
  type TypeResult,
} from "./apply.js";
export { type DiffOptions, diff } from "./diff.js";
export type {
  Action,
  DraftState,
  FieldChange,
  Plan,
  Risk,
  Step,
  StepOperation,
  TypePlan,
  UnmanagedType,
} from "./plan.js";
export { stepToWire } from "./plan.js";
export { parsePlans, serializePlans } from "./plan-file.js";
export {
  fingerprint,
  type ReconcileClient,
  type ReconcileOperation,
  readInstance,
  toVersion,
} from "./read.js";
export type { MessageContext } from "./remedies.js";
export { type Colors, NO_COLORS, renderMarkdown, renderText, summarize } from "./render.js";
export {
  manifestOfPlan,
  type ReplanOptions,
  type ReplanRefusal,
  type ReplanResult,
  replan,
} from "./replan.js";
export type { LiveState, LiveType, LiveVersion } from "./types.js";
