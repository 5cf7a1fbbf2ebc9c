/**
 * What a refusal tells the user to do. The remedy depends on where the message is read: flags can be
 * added to a command in a terminal or CI job, but a cdktf provisioner runs a fixed command.
 */
import type { TypePlan } from "./plan.js";

/**
 * Where a message is read, which decides the remedy it offers: `cli` is a terminal or CI job, where
 * flags can be added to the command; `provisioner` is a cdktf resource's `local-exec` provisioner
 * (MARKETO_ACTIVITIES_PROVISIONER=1), which runs a fixed command: only the code can change.
 */
export type MessageContext = "cli" | "provisioner";

/** What to do about destructive changes a definition does not allow. */
export function destructiveRemedy(context: MessageContext = "cli"): string {
  return context === "provisioner"
    ? "set allowDestructiveChanges: true on the type (reviewed in the pull request), then deploy again"
    : "set allowDestructiveChanges: true on the type (reviewed in the pull request) or pass --allow-destructive";
}

/**
 * What to do about a foreign draft. `discard`: the type has a live version to fall back to (the draft
 * is discarded), else the draft is overwritten. The `cli` text ends every plan's `conflict`.
 */
export function foreignDraftRemedy(discard: boolean, context: MessageContext = "cli"): string {
  if (context === "provisioner") {
    return "Fold their change into the code, or approve or discard the draft in Marketo Admin, or run `marketo-activities apply --discard-foreign-drafts` outside Terraform; then deploy again";
  }
  return `Fold their change into the code, or ${discard ? "discard the draft" : "overwrite the draft"} with --discard-foreign-drafts`;
}

/** A type's conflict, with the remedy for `context` (the plan holds the `cli` text). */
export function conflictText(type: TypePlan, context: MessageContext = "cli"): string | undefined {
  if (type.conflict === undefined || context === "cli") return type.conflict;
  const cli = foreignDraftRemedy(type.steps[0]?.operation === "discardCustomActivityTypeDraft", "cli");
  if (!type.conflict.endsWith(cli)) return type.conflict;
  return `${type.conflict.slice(0, -cli.length)}${foreignDraftRemedy(true, context)}`;
}

/**
 * What to do when the code changes the primary attribute of a published type. Marketo's Admin guide
 * allows choosing the primary field only while a custom activity has never been published
 * (docs/marketo-api.md 5.2); there is no flag for it, because no flag makes Marketo accept it.
 */
export function primaryChangeRemedy(livePrimary: string): string {
  return `keep ${livePrimary} as the primary attribute, or retire this type (RetiredActivityType) and declare a new one under a new apiName with the new primary`;
}
