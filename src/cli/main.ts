import { createRequire } from "node:module";
import { Argument, Command, CommanderError, Option } from "commander";
import { MarketoActivitiesError } from "../schema/errors.js";
import type { CliDeps } from "./context.js";
import { type CliIO, processIO } from "./io.js";

// Command modules and the renderer are imported when a command runs, so `--help` and start-up stay
// fast and the plan/apply path never loads cdktf (it is not imported anywhere under src/cli).
const version = (createRequire(import.meta.url)("../../package.json") as { version: string }).version;

/** What each repeatable flag takes, for the message about an empty value. */
const REPEATABLE = {
  "--manifest": {
    what: "a manifest file",
    example: "--manifest marketo-activities.prod.json",
    without: "to use the manifests `cdktf synth` wrote to cdktf.out",
  },
  "--stack": {
    what: "a cdktf stack name",
    example: "--stack marketing",
    without: "for every stack of the app",
  },
  "--only": {
    what: "an apiName",
    example: "--only webinarAttended",
    without: "for every declared activity type",
  },
} as const;

/**
 * The parser of a repeatable, comma-separated flag. An empty or blank value (an unset variable in a
 * script: `--only "$TYPES"`) is an error naming the flag: dropped, it would widen the run to every
 * type, stack or manifest.
 */
const collect =
  (flag: keyof typeof REPEATABLE) =>
  (value: string, previous: string[] | undefined): string[] => {
    const values = value.split(",").map((v) => v.trim());
    if (values.some((v) => v === "")) {
      const { what, example, without } = REPEATABLE[flag];
      const got = values.every((v) => v === "") ? "an empty value" : "an empty item";
      throw new MarketoActivitiesError(
        "Usage",
        `${flag} got ${got} (${JSON.stringify(value)}): it takes ${what}, repeated or comma-separated`,
        {
          hint: `give ${what}, e.g. ${example}, or leave ${flag} out ${without}; in a script, check that the variable it is set from is not empty`,
        },
      );
    }
    return [...(previous ?? []), ...values];
  };
const formatOption = () =>
  new Option("--format <format>", "output format: text (terminal), markdown (pull-request comment) or json")
    .choices(["text", "markdown", "json"])
    .default("text");
const targetOptions = (command: Command) =>
  command
    .option(
      "--manifest <file>",
      "a manifest file to use instead of those found in cdktf.out (repeatable)",
      collect("--manifest"),
    )
    .option("--stack <name>", "only the manifests of this cdktf stack (repeatable)", collect("--stack"))
    .option(
      "--only <apiName>",
      "only this activity type (repeatable, or comma-separated)",
      collect("--only"),
    );

const budgetShareOption = () =>
  new Option(
    "--budget-share <fraction>",
    "this run's share of the instance's API budget, 0 < fraction <= 1 (default: <PREFIX>_BUDGET_SHARE, else 1)",
  );

const BUDGET_HELP = `
Sharing the instance's API budget:
  Marketo allows 100 calls per rolling 20 s and 10 concurrent requests per instance, shared by every
  integration on it and by every process of this tool (cdktf deploy runs up to 10 provisioners at once).
  --budget-share 0.25 keeps this run to 25 calls per 20 s and 2 at a time (rounded down, at least 1),
  leaving the rest to the others. <PREFIX>_BUDGET_SHARE=0.25 does the same for every run; the
  MarketoInstance prop budgetShare splits a share among the provisioners of cdktf deploy.
  When Marketo is busy anyway (606, 615), each call waits it out for up to 2 minutes, printing each wait.`;

const ENV_HELP = `
Credentials come from the environment, per instance envPrefix (default MARKETO):
  <PREFIX>_BASE_URL       REST host root, e.g. https://123-ABC-456.mktorest.com (or <PREFIX>_MUNCHKIN_ID)
  <PREFIX>_CLIENT_ID      from Admin > LaunchPoint > your custom service > View Details
  <PREFIX>_CLIENT_SECRET
Try it without an account: run \`marketo-activities emulator\` in another terminal and export what it prints.`;

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(
  argv: readonly string[],
  io: CliIO = processIO(),
  deps: CliDeps = {},
): Promise<number> {
  let code = 0;
  const program = new Command()
    .name("marketo-activities")
    .description(
      "Marketo Engage custom activity types as code: plan and apply the manifests that `cdktf synth` writes.\n" +
        "Run inside a cdktf app directory; plan and apply find the synthesized manifests by themselves.",
    )
    .version(version, "-v, --version")
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .addHelpText(
      "after",
      `
Examples:
  $ npx cdktf synth && marketo-activities plan      # what would change in Marketo
  $ marketo-activities apply                        # plan, confirm, apply
  $ marketo-activities emulator                     # a local Marketo to try it on
  $ marketo-activities show plan.json               # a saved plan, with no credentials
  $ marketo-activities schema --type <apiName>      # the JSON Schema of a type's activity records
  $ marketo-activities <command> --help             # options and examples of a command
${ENV_HELP}`,
    );

  targetOptions(
    program
      .command("plan")
      .description("Show what apply would change in Marketo, field by field, with the risk of each change.")
      .addOption(formatOption())
      .option("--out <file>", "also save the plan as JSON; `apply <file>` applies exactly it")
      .option("--detailed-exitcode", "exit 0 when nothing would change, 2 when something would, 1 on error")
      .option(
        "--fail-on-refusal",
        "exit 1 when apply would refuse the plan: changes Marketo does not allow, destructive changes the definitions do not allow, foreign drafts, the type limit (for pull-request checks)",
      )
      .addOption(budgetShareOption())
      .option("--no-color", "no colour in text output (also: NO_COLOR=1)"),
  )
    .addHelpText(
      "after",
      `
Examples:
  $ npx cdktf synth && marketo-activities plan
  $ marketo-activities plan --format markdown --out plan.json --fail-on-refusal > plan.md   # pull-request check
  $ marketo-activities plan --detailed-exitcode                   # drift check in CI
  $ marketo-activities plan --manifest cdktf.out/stacks/marketing/marketo-activities.prod.json --only webinarAttended
  $ marketo-activities plan --budget-share 0.5                    # leave half the instance's calls to other integrations
${BUDGET_HELP}
${ENV_HELP}`,
    )
    .action(async (opts) => {
      const [{ planCommand }, { messageContext, reporter }] = await Promise.all([
        import("./commands/plan.js"),
        import("./render.js"),
      ]);
      code = await planCommand(
        {
          ...opts,
          detailedExitcode: opts.detailedExitcode === true,
          failOnRefusal: opts.failOnRefusal === true,
          context: messageContext(io),
        },
        io,
        deps,
        reporter(io, { format: opts.format, color: opts.color !== false }),
      );
    });

  targetOptions(
    program
      .command("apply")
      .argument(
        "[plan-file]",
        "a plan saved with `plan --out`: applied only if it is what the code synthesized now plans, and the instance has not changed since",
      )
      .description(
        "Bring the Marketo instance to the declared state: create, update, approve and delete activity types.",
      )
      .addOption(formatOption())
      .option("--auto-approve", "do not ask for confirmation (CI, cdktf provisioners)")
      .option("--allow-destructive", "allow deleting attributes or changing dataTypes of published types")
      .option(
        "--discard-foreign-drafts",
        "discard drafts someone edited in Marketo Admin instead of refusing",
      )
      .addOption(budgetShareOption())
      .option("--no-color", "no colour in text output (also: NO_COLOR=1)"),
  )
    .addHelpText(
      "after",
      `
Examples:
  $ marketo-activities apply                          # plan, confirm, apply
  $ marketo-activities apply plan.json --auto-approve  # exactly the reviewed plan, or refuse
    (checked against the manifests in cdktf.out, or those given with --manifest: synthesize first)
  $ marketo-activities apply --manifest marketo-activities.prod.json --only webinarAttended --auto-approve
    (what each cdktf resource's provisioner runs during \`cdktf deploy\`)
  $ marketo-activities apply --budget-share 0.5       # while another integration syncs to the same instance
  $ marketo-activities apply plan.json --auto-approve --format json > result.json
    (one JSON result on stdout: per type the outcome, steps and calls; progress on stderr; docs/apply-result.md)

Destructive changes need allowDestructiveChanges: true on the type, or --allow-destructive.
Apply refuses, changing nothing, when a plan has blocked changes, foreign drafts or exceeds the type limit.
${BUDGET_HELP}
${ENV_HELP}`,
    )
    .action(async (planFile: string | undefined, opts) => {
      const [{ applyCommand }, { messageContext, reporter }] = await Promise.all([
        import("./commands/apply.js"),
        import("./render.js"),
      ]);
      code = await applyCommand(
        {
          ...opts,
          ...(planFile === undefined ? {} : { planFile }),
          autoApprove: opts.autoApprove === true,
          allowDestructive: opts.allowDestructive === true,
          discardForeignDrafts: opts.discardForeignDrafts === true,
          context: messageContext(io),
        },
        io,
        deps,
        reporter(io, { format: opts.format, color: opts.color !== false }),
      );
    });

  program
    .command("show")
    .argument("<plan-file>", "a plan saved with `plan --out`")
    .description(
      "Render a saved plan as text, Markdown or JSON, as plan shows it: no credentials, no call to Marketo.",
    )
    .addOption(formatOption())
    .option("--no-color", "no colour in text output (also: NO_COLOR=1)")
    .addHelpText(
      "after",
      `
Examples:
  $ marketo-activities show plan.json                            # review a plan made in CI
  $ marketo-activities show plan.json --format markdown > plan.md  # a pull-request comment from a plan made elsewhere

show checks the file's format only; \`apply plan.json\` checks it against the code and the instance.`,
    )
    .action(async (planFile: string, opts) => {
      const [{ showCommand }, { reporter }] = await Promise.all([
        import("./commands/show.js"),
        import("./render.js"),
      ]);
      code = await showCommand(
        { planFile },
        io,
        reporter(io, { format: opts.format, color: opts.color !== false }),
      );
    });

  program
    .command("schema")
    .addArgument(
      new Argument("[name]", "a JSON Schema the package ships (dist/schemas)").choices([
        "manifest",
        "plan",
        "apply-result",
      ]),
    )
    .description(
      "Print a JSON Schema: of one declared type's activity record (--type), or of the manifest, the plan or apply's JSON result.",
    )
    .option(
      "--type <apiName>",
      "the activity type whose record (as Marketo takes it) to describe, from the manifests plan would use",
    )
    .option(
      "--manifest <file>",
      "a manifest file to use instead of those found in cdktf.out (repeatable)",
      collect("--manifest"),
    )
    .option("--stack <name>", "only the manifests of this cdktf stack (repeatable)", collect("--stack"))
    .addHelpText(
      "after",
      `
Examples:
  $ npx cdktf synth && marketo-activities schema --type webinarAttended > webinarAttended.schema.json
    (validate records in any language before sending them to POST /rest/v1/activities/external.json)
  $ marketo-activities schema plan           # also shipped as cdktf-marketo-activities/schemas/plan.schema.json`,
    )
    .action(async (name: string | undefined, opts) => {
      const [{ schemaCommand }, { reporter }] = await Promise.all([
        import("./commands/schema.js"),
        import("./render.js"),
      ]);
      code = await schemaCommand(
        {
          ...(name === undefined ? {} : { document: name }),
          ...(opts.type === undefined ? {} : { type: opts.type }),
          ...(opts.manifest === undefined ? {} : { manifest: opts.manifest }),
          ...(opts.stack === undefined ? {} : { stack: opts.stack }),
        },
        io,
        reporter(io),
      );
    });

  program
    .command("validate")
    .description("Check the synthesized manifests without calling Marketo.")
    .option("--manifest <file>", "a manifest file to check (repeatable)", collect("--manifest"))
    .option("--stack <name>", "only the manifests of this cdktf stack (repeatable)", collect("--stack"))
    .addHelpText("after", "\nExamples:\n  $ npx cdktf synth && marketo-activities validate")
    .action(async (opts) => {
      const [{ validateCommand }, { reporter }] = await Promise.all([
        import("./commands/validate.js"),
        import("./render.js"),
      ]);
      code = await validateCommand(opts, io, reporter(io));
    });

  program
    .command("emulator")
    .description(
      "Run a local Marketo emulator (REST API and identity) for trying things without an account.\n" +
        "In a synthesized cdktf app directory: one emulator per envPrefix of the app's instances, each on its own port.",
    )
    .option(
      "--port <port>",
      "port of the first emulator, the next ones take the following ports; 0 picks free ones",
      "8787",
    )
    .option("--host <host>", "address to bind", "127.0.0.1")
    .option(
      "--data <file>",
      "keep state in this JSON file across restarts (with several emulators, one file per envPrefix: <file>.<prefix>.json)",
    )
    .option(
      "--env-prefix <prefix>",
      "serve only this prefix (default: every envPrefix of the app's manifests, else MARKETO)",
    )
    .option(
      "--config <file>",
      "behaviour options from a JSON file, such as the one `marketo-activities probe --write-emulator-config` writes",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  $ npx cdktf synth && marketo-activities emulator   # one emulator per envPrefix of the app\n  $ marketo-activities emulator --port 8787 --data .emulator.json\n  $ marketo-activities emulator --config marketo-emulator.json   # behaves as the probed instance\n  $ export MARKETO_BASE_URL=http://127.0.0.1:8787 ...   (as printed)\n  $ marketo-activities plan",
    )
    .action(async (opts) => {
      const { emulatorCommand } = await import("./commands/emulator.js");
      const port = /^\d{1,5}$/.test(opts.port) ? Number(opts.port) : Number.NaN;
      if (!(port >= 0 && port <= 65535)) {
        throw new MarketoActivitiesError(
          "Usage",
          `--port must be a number from 0 to 65535, got "${opts.port}"`,
        );
      }
      if (opts.envPrefix !== undefined && !/^[A-Z][A-Z0-9_]*$/.test(opts.envPrefix)) {
        throw new MarketoActivitiesError(
          "Usage",
          `--env-prefix must be upper-case letters, digits and underscores, starting with a letter, got "${opts.envPrefix}"`,
          { hint: "use the envPrefix of your MarketoInstance, e.g. MARKETO_PROD" },
        );
      }
      code = await emulatorCommand(
        {
          port,
          host: opts.host,
          ...(opts.data === undefined ? {} : { data: opts.data }),
          ...(opts.envPrefix === undefined ? {} : { envPrefix: opts.envPrefix }),
          ...(opts.config === undefined ? {} : { config: opts.config }),
        },
        io,
      );
    });

  program
    .command("import")
    .description(
      "Write the activity types of a live Marketo instance as TypeScript definitions, to adopt it:\n" +
        "one defineActivityType(...) constant per type and an array of them all.",
    )
    .option("--out <file>", "write the module to this file (default: stdout)")
    .option(
      "--only <apiName>",
      "only this activity type (repeatable, or comma-separated; default: every type)",
      collect("--only"),
    )
    .option("--env-prefix <prefix>", "read the credentials from <prefix>_BASE_URL, ... (default: MARKETO)")
    .option("--force", "overwrite the --out file when it exists")
    .addHelpText(
      "after",
      `
Examples:
  $ marketo-activities import --out activity-types.ts          # every type of the instance
  $ marketo-activities import --only webinarAttended,trialStarted --out activity-types.ts
  $ marketo-activities import --env-prefix MARKETO_PROD --out prod-types.ts --force
  Then declare them (the module's header shows how), \`npx cdktf synth\` and \`marketo-activities plan\`:
  no change for every approved type. Reads one list, one describe per type, and one more per draft.
${ENV_HELP}`,
    )
    .action(async (opts) => {
      const [{ importCommand }, { reporter }] = await Promise.all([
        import("./commands/import.js"),
        import("./render.js"),
      ]);
      code = await importCommand(
        {
          ...(opts.out === undefined ? {} : { out: opts.out }),
          ...(opts.only === undefined ? {} : { only: opts.only }),
          ...(opts.envPrefix === undefined ? {} : { envPrefix: opts.envPrefix }),
          force: opts.force === true,
        },
        io,
        deps,
        reporter(io),
      );
    });

  program
    .command("probe")
    .description(
      "Settle Marketo's open behaviours (docs/marketo-api.md section 8) against a sandbox: create, change and delete\n" +
        "one temporary mkaProbe* type, report each answer with its evidence, and write the emulator options that reproduce it.",
    )
    .option("--env-prefix <prefix>", "read the credentials from <prefix>_BASE_URL, ... (default: MARKETO)")
    .option("--yes-this-is-a-sandbox", "do not ask: the instance is a sandbox the probe may write to")
    .option("--max-activity-types <n>", "the instance's type limit; the probe needs one free slot", "10")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .option(
      "--write-emulator-config <file>",
      "write the emulator's behaviour options that reproduce this instance",
    )
    .addHelpText(
      "after",
      `
Examples:
  $ marketo-activities probe --env-prefix MARKETO_SANDBOX --yes-this-is-a-sandbox --write-emulator-config sandbox.emulator.json
  $ marketo-activities probe --format json > probe.json      # asks for confirmation in a terminal
  About 21 to 26 REST calls; everything it makes is deleted, also when interrupted (a rerun removes leftovers).
${ENV_HELP}`,
    )
    .action(async (opts) => {
      const { probeCommand } = await import("./commands/probe.js");
      code = await probeCommand(
        {
          ...(opts.envPrefix === undefined ? {} : { envPrefix: opts.envPrefix }),
          yesThisIsASandbox: opts.yesThisIsASandbox === true,
          maxActivityTypes: opts.maxActivityTypes,
          format: opts.format,
          ...(opts.writeEmulatorConfig === undefined
            ? {}
            : { writeEmulatorConfig: opts.writeEmulatorConfig }),
        },
        io,
        deps,
      );
    });

  try {
    if (argv.length === 0) {
      program.outputHelp();
      return 1;
    }
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1;
    const { errorText } = await import("./render.js");
    io.stderr(errorText(error, version));
    return 1;
  }
}
