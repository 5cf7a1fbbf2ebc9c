/**
 * A bank's marketing team tracks three moments as Marketo custom activities, for one instance.
 * Run `npx cdktf synth` here: cdktf.out/stacks/marketing/ gets cdk.tf.json (one resource per type)
 * and marketo-activities.prod.json (the manifest `marketo-activities plan` and `apply` read).
 */
import { App, LocalBackend, TerraformStack } from "cdktf";
import {
  CustomActivityType,
  defineActivityType,
  MarketoInstance,
  RetiredActivityType,
} from "cdktf-marketo-activities";
import type { Construct } from "constructs";

/** Shared with the code that sends webinar records, so record shapes are typed from it. */
export const webinarAttended = defineActivityType({
  apiName: "webinarAttended",
  name: "Webinar Attended",
  triggerName: "Attends Webinar",
  filterName: "Attended Webinar",
  description: "A lead watched one of our webinars, live or on demand",
  primaryAttribute: { apiName: "webinarName", name: "Webinar Name", dataType: "string" },
  attributes: [
    { apiName: "minutesWatched", name: "Minutes Watched", dataType: "integer" },
    { apiName: "attendedLive", name: "Attended Live", dataType: "boolean" },
    { apiName: "recordingUrl", name: "Recording URL", dataType: "link" },
  ],
});

export class MarketingStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    // A relative state path keeps cdk.tf.json free of machine-specific paths; use a remote backend in teams.
    new LocalBackend(this, { path: "terraform.tfstate" });

    const prod = new MarketoInstance(this, "prod", { envPrefix: "MARKETO" });

    new CustomActivityType(prod, "checkDeposited", {
      apiName: "checkDeposited",
      name: "Check Deposited",
      triggerName: "Deposits Check",
      filterName: "Deposited Check",
      description: "A customer deposited a check at a branch or by mobile capture",
      primaryAttribute: { apiName: "branchName", name: "Branch Name" },
      attributes: [
        { apiName: "amount", name: "Amount", dataType: "currency" },
        { apiName: "depositedOn", name: "Deposited On", dataType: "date" },
        { apiName: "channel", name: "Channel", dataType: "string", description: "branch, atm or mobile" },
      ],
    });

    new CustomActivityType(prod, "webinarAttended", webinarAttended);

    const trial = new CustomActivityType(prod, "trialStarted", {
      apiName: "trialStarted",
      name: "Trial Started",
      triggerName: "Starts Trial",
      filterName: "Started Trial",
      primaryAttribute: { apiName: "productName", name: "Product Name" },
      attributes: [{ apiName: "seats", name: "Seats", dataType: "integer" }],
    });
    trial.addAttribute({ apiName: "trialEndsAt", name: "Trial Ends At", dataType: "datetime" });
    trial.addAttribute({ apiName: "contactEmail", name: "Contact Email", dataType: "email" });

    // The old newsletter signup type is deleted from Marketo by this reviewed tombstone.
    new RetiredActivityType(prod, "oldNewsletterSignup", { apiName: "oldNewsletterSignup" });
  }
}

const app = new App();
new MarketingStack(app, "marketing");
app.synth();
