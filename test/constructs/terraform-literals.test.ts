/**
 * What synth writes into Terraform's configuration is read back by Terraform as exactly the string
 * this package meant, and what it writes into a shell command is read by the shell as exactly that:
 * Terraform's template syntax is escaped (`$${`, `%%{`), cdktf's token markers in the text are either
 * references the app's code made or rejected, and the values spliced into a command are quoted.
 * `terraform validate` and `plan` read the synthesized stacks in test/e2e/terraform-validate.test.ts.
 */
/** biome-ignore-all lint/suspicious/noTemplateCurlyInString: Terraform's template syntax is the subject here */
import { execFileSync } from "node:child_process";
import * as cdktf from "cdktf";
import * as cdktn from "cdktn";
import { describe, expect, it } from "vitest";
import { CustomActivityType, MarketoInstance } from "../../src/constructs/index.js";
import { applyCommand, shellArgument } from "../../src/constructs/launcher.js";
import { hclLiteral, terraformLiteral } from "../../src/constructs/resources.js";
import { synthInstance, webinar } from "../helpers/constructs.js";

type Resources = Record<string, Record<string, Record<string, unknown>>>;
const resourcesOf = (json: { resource?: Resources }): Resources => json.resource ?? {};

describe("terraformLiteral", () => {
  it.each([
    ["plain text", "plain text"],
    ["costs ${price}", "costs $${price}"],
    ['${file("/etc/passwd")}', '$${file("/etc/passwd")}'],
    ["%{ if true }x%{ endif }", "%%{ if true }x%%{ endif }"],
    ["already $${escaped} and %%{escaped}", "already $$${escaped} and %%%{escaped}"],
    ["a lone $ and % and { }", "a lone $ and % and { }"],
    ["ends with $", "ends with $"],
    ["$$$$", "$$$$"],
    ["${${${", "$${$${$${"],
    ["quotes \" ' ` and \\ backslash\nnew line", "quotes \" ' ` and \\ backslash\nnew line"],
    ["日本語 and émoji 🎉", "日本語 and émoji 🎉"],
  ])("writes %j as %j", (value, expected) => {
    expect(terraformLiteral(value)).toBe(expected);
  });

  it("leaves a cdktf string token (a reference the app's code made) for the CDK to render", () => {
    expect(terraformLiteral("node ${TfToken[TOKEN.7]}/cli.js ${x}")).toBe(
      "node ${TfToken[TOKEN.7]}/cli.js $${x}",
    );
    // "$" right before the rendered "${expression}" would make "$${": it becomes an interpolation of "$".
    expect(terraformLiteral("price: $${TfToken[TOKEN.7]}")).toBe('price: ${"$"}${TfToken[TOKEN.7]}');
  });
});

describe("hclLiteral", () => {
  it("escapes backslashes, quotes and control characters on top of the template syntax", () => {
    expect(hclLiteral('a "q" \\ b\nc\r\td\u0001 ${x} %{y}')).toBe(
      'a \\"q\\" \\\\ b\\nc\\r\\td\\u0001 $${x} %%{y}',
    );
  });

  it("leaves the interpolation it writes for a '$' before a token unescaped", () => {
    expect(hclLiteral('"$${TfToken[TOKEN.7]}')).toBe('\\"${"$"}${TfToken[TOKEN.7]}');
  });
});

describe("the synthesized resource", () => {
  const nasty = 'Says "hi" \\ `now` ${price} %{ if x } $${kept} 日本語 🎉\nsecond line';

  it("writes every trigger as a literal, in JSON and in HCL", () => {
    const definition = {
      ...webinar,
      triggerName: `Attends ${nasty}`,
      description: nasty,
      primaryAttribute: { ...webinar.primaryAttribute, description: `%{ endfor } ${nasty}` },
    };
    const { json, errors } = synthInstance((prod) => new CustomActivityType(prod, "w", definition));
    expect(errors).toStrictEqual([]);
    const triggers = resourcesOf(json)["terraform_data"]!["prod_webinarAttended"]!["triggers_replace"];
    expect(triggers).toMatchObject({
      description: terraformLiteral(nasty),
      triggerName: terraformLiteral(`Attends ${nasty}`),
      "primaryAttribute.description": terraformLiteral(`%{ endfor } ${nasty}`),
    });
    expect(JSON.stringify(triggers)).not.toMatch(/(?<!\$)\$\{(?!\$)|(?<!%)%\{/);
  });

  it("writes the provisioner's command and environment as literals, and a token in the command as a reference", () => {
    const { json } = synthInstance((prod) => new CustomActivityType(prod, "w", webinar), {
      resourceKind: "terraform_data",
      command: 'node "${HOME}/cli.js" %{x}',
      budgetShare: 0.5,
    });
    const provisioner = (
      resourcesOf(json)["terraform_data"]!["prod_webinarAttended"]!["provisioner"] as {
        "local-exec": { command: string; environment: Record<string, string> };
      }[]
    )[0]!["local-exec"];
    expect(provisioner.command).toBe(
      'node "$${HOME}/cli.js" %%{x} apply --manifest marketo-activities.prod.json --only webinarAttended --auto-approve',
    );
    expect(provisioner.environment).toStrictEqual({
      MARKETO_ACTIVITIES_PROVISIONER: "1",
      MARKETO_BUDGET_SHARE: "0.5",
    });
  });

  it("renders a cdktf token in the command as the reference it stands for, on cdktf and cdktn", () => {
    for (const cdk of [cdktf, cdktn] as (typeof cdktf)[]) {
      const app = cdk.Testing.app();
      const stack = new cdk.TerraformStack(app, "stack");
      const directory = new cdk.TerraformVariable(stack, "cliDir", { type: "string" });
      const prod = new MarketoInstance(stack, "prod", {
        command: `node ${directory.stringValue}/cli.js $${directory.stringValue} \${HOME}`,
      });
      new CustomActivityType(prod, "w", webinar);
      const json = JSON.parse(cdk.Testing.synth(stack, true)) as { resource: Resources };
      const [provisioner] = json.resource["terraform_data"]!["prod_webinarAttended"]!["provisioner"] as {
        "local-exec": { command: string };
      }[];
      expect(provisioner!["local-exec"].command).toBe(
        'node ${var.cliDir}/cli.js ${"$"}${var.cliDir} $${HOME} apply --manifest marketo-activities.prod.json --only webinarAttended --auto-approve',
      );
    }
  });

  it("leaves the raw overrides an app adds as Terraform expressions", () => {
    const { json } = synthInstance((prod) =>
      new CustomActivityType(prod, "w", webinar).resource.addOverride("lifecycle.replace_triggered_by", [
        "${terraform_data.other}",
      ]),
    );
    expect(resourcesOf(json)["terraform_data"]!["prod_webinarAttended"]!["lifecycle"]).toStrictEqual({
      create_before_destroy: true,
      replace_triggered_by: ["${terraform_data.other}"],
    });
  });
});

describe("shellArgument", () => {
  const values = [
    "webinarAttended",
    "marketo-activities.prod.json",
    "x; touch PWNED #",
    "$(touch PWNED)",
    "`touch PWNED`",
    'it\'s "quoted" \\ here',
    "${HOME} $HOME %PATH% !x",
    "new\nline",
    "",
    "日本語 🎉",
  ];

  it("leaves a value of letters, digits and . _ - / @ + : as it is, for sh and cmd alike", () => {
    expect(shellArgument("webinarAttended")).toBe("webinarAttended");
    expect(shellArgument("marketo-activities.prod-1.json")).toBe("marketo-activities.prod-1.json");
    expect(shellArgument("x; touch PWNED #")).toBe("'x; touch PWNED #'");
    expect(shellArgument("it's")).toBe("'it'\\''s'");
  });

  it.skipIf(process.platform === "win32")("gives sh back every value exactly, running nothing in it", () => {
    for (const value of values) {
      const echoed = execFileSync("/bin/sh", ["-c", `printf '%s' ${shellArgument(value)}`], {
        encoding: "utf8",
        cwd: "/",
      });
      expect(echoed).toBe(value);
    }
  });

  it("quotes every value it adds to the command", () => {
    expect(
      applyCommand("node marketo-activities.mjs", "marketo-activities.prod.json", "x; touch PWNED #"),
    ).toBe(
      "node marketo-activities.mjs apply --manifest marketo-activities.prod.json --only 'x; touch PWNED #' --auto-approve",
    );
    expect(applyCommand("node marketo-activities.mjs", "marketo-activities.prod.json")).toBe(
      "node marketo-activities.mjs apply --manifest marketo-activities.prod.json --auto-approve",
    );
  });
});
