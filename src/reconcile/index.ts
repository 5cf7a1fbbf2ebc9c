export {
  type ApplyEvent,
  type ApplyOptions,
  ApplyRefusedError,
  type ApplyResult,
  applyPlan,
  conflictText,
  destructiveRemedy,
  foreignDraftRemedy,
  type MessageContext,
  refusals,
  type TypeResult,
} from "./apply.js";
export { type DiffOptions, diff } from "./diff.js";
export * from "./plan.js";
export { parsePlans, serializePlans } from "./plan-file.js";
export {
  fingerprint,
  type ReconcileClient,
  type ReconcileOperation,
  readInstance,
  toVersion,
} from "./read.js";
export { type Colors, NO_COLORS, renderMarkdown, renderText, summarize } from "./render.js";
export {
  manifestOfPlan,
  type ReplanOptions,
  type ReplanRefusal,
  type ReplanResult,
  replan,
} from "./replan.js";
export * from "./types.js";
