import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./tools.js";

/**
 * Writes a cdktf app inside the repository (under .tmp/, git-ignored), so that the app's import
 * of `cdktf-marketo-activities` and the provisioners' `npx --no-install marketo-activities`
 * resolve to this package, as they would in a user's project with the package installed.
 */
export function writeApp(name: string, mainTs: string): string {
  const dir = join(repoRoot, ".tmp", `${name}-${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "main.ts"), mainTs);
  writeFileSync(
    join(dir, "cdktf.json"),
    `${JSON.stringify({ language: "typescript", app: "npx tsx main.ts", projectId: "00000000-0000-4000-8000-000000000001", sendCrashReports: "false" }, null, 2)}\n`,
  );
  return dir;
}

/** A cdktf app with one instance and the webinar type; `minutesName` is the attribute's display name. */
export function webinarApp(minutesName: string): string {
  return `import { App, LocalBackend, TerraformStack } from "cdktf";
import { CustomActivityType, MarketoInstance } from "cdktf-marketo-activities";

const app = new App();
const stack = new TerraformStack(app, "marketing");
new LocalBackend(stack, { path: "terraform.tfstate" });
const prod = new MarketoInstance(stack, "prod");
new CustomActivityType(prod, "webinar", {
  apiName: "webinarAttended",
  name: "Webinar Attended",
  triggerName: "Attends Webinar",
  filterName: "Attended Webinar",
  primaryAttribute: { apiName: "webinarName", name: "Webinar Name" },
  attributes: [
    { apiName: "minutesWatched", name: ${JSON.stringify(minutesName)}, dataType: "integer" },
    { apiName: "attendedLive", name: "Attended Live", dataType: "boolean" },
  ],
});
new CustomActivityType(prod, "trial", {
  apiName: "trialStarted",
  name: "Trial Started",
  triggerName: "Starts Trial",
  filterName: "Started Trial",
  primaryAttribute: { apiName: "productName", name: "Product Name" },
});
app.synth();
`;
}
