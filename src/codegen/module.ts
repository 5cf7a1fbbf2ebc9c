/**
 * The TypeScript module `import` writes: a header naming the instance, one exported
 * `defineActivityType(...)` constant per type and an exported array of them all. Deterministic (the
 * same definitions and options give the same bytes) and formatted as Prettier's defaults and Biome's
 * (with a two-space indent) format it, so a formatter leaves the file as it is (docs/import.md).
 */
import type { ActivityTypeInput, AttributeInput, PrimaryAttributeInput } from "../schema/index.js";
import { destructiveDraft, formatDraftChange, type ImportedDefinition } from "./imported.js";
import { constantNames, stringLiteral, textWidth } from "./literals.js";

/** The exported array of every imported definition. */
export const ALL_TYPES_NAME = "activityTypes";
/** The function each definition is written with, imported from the package. */
const DEFINE = "defineActivityType";
/** The package the module imports `defineActivityType` from. */
export const PACKAGE_NAME = "cdktf-marketo-activities";
/** Prettier's and Biome's default line width. */
const WIDTH = 80;
const INDENT = "  ";

/** What the header says about where the types came from. */
export interface ModuleOptions {
  /** The instance's REST host, without port: `123-abc-456.mktorest.com`. */
  readonly host: string;
  /** Where the credentials came from: `MARKETO` for `MARKETO_BASE_URL`, ... */
  readonly envPrefix: string;
  /** The apiNames `--only` named, when it did. */
  readonly only?: readonly string[];
  /** The time the header names; none unless given (`SOURCE_DATE_EPOCH`), so the bytes stay the same. */
  readonly importedAt?: Date;
  /** The subscription's type limit a `MarketoInstance` assumes unless told (10). */
  readonly defaultMaxActivityTypes: number;
  /** The number of types the instance holds, imported or not: above the default, the header says so. */
  readonly typesInInstance: number;
}

/**
 * `key: value,`, or the value on a line of its own when the line would be too long, as formatters
 * do; not after a key shorter than the indent plus 3 (`name`), where moving the value gains too little.
 */
function property(indent: string, key: string, literal: string): string[] {
  const line = `${indent}${key}: ${literal},`;
  if (textWidth(line) <= WIDTH || textWidth(key) < INDENT.length + 3) return [line];
  return [`${indent}${key}:`, `${indent}${INDENT}${literal},`];
}

function attributeLines(
  indent: string,
  attribute: AttributeInput | PrimaryAttributeInput,
  open: string,
  close: string,
): string[] {
  const inner = indent + INDENT;
  return [
    `${indent}${open}`,
    ...property(inner, "apiName", stringLiteral(attribute.apiName)),
    ...property(inner, "name", stringLiteral(attribute.name)),
    ...(attribute.dataType === undefined
      ? []
      : property(inner, "dataType", stringLiteral(attribute.dataType))),
    ...(attribute.description === undefined
      ? []
      : property(inner, "description", stringLiteral(attribute.description))),
    `${indent}${close}`,
  ];
}

/** The object literal's lines, from the line after `{` to the one before `}`. */
function definitionBody(indent: string, definition: ActivityTypeInput): string[] {
  const lines = [
    ...property(indent, "apiName", stringLiteral(definition.apiName)),
    ...property(indent, "name", stringLiteral(definition.name)),
    ...property(indent, "triggerName", stringLiteral(definition.triggerName)),
    ...property(indent, "filterName", stringLiteral(definition.filterName)),
    ...(definition.description === undefined
      ? []
      : property(indent, "description", stringLiteral(definition.description))),
    ...attributeLines(indent, definition.primaryAttribute, "primaryAttribute: {", "},"),
  ];
  const attributes = definition.attributes ?? [];
  if (attributes.length > 0) {
    lines.push(`${indent}attributes: [`);
    for (const attribute of attributes) lines.push(...attributeLines(indent + INDENT, attribute, "{", "},"));
    lines.push(`${indent}],`);
  }
  return lines;
}

/** `export const webinarAttended = defineActivityType({ ... });`, broken after `=` when too long. */
function declaration(name: string, definition: ActivityTypeInput): string[] {
  const head = `export const ${name} = ${DEFINE}({`;
  if (textWidth(head) <= WIDTH) return [head, ...definitionBody(INDENT, definition), "});"];
  return [
    `export const ${name} =`,
    `${INDENT}${DEFINE}({`,
    ...definitionBody(INDENT + INDENT, definition),
    `${INDENT}});`,
  ];
}

/** The comment above a definition: what its reader must know before the first plan. */
function notes(imported: ImportedDefinition): string[] {
  if (imported.neverApproved) {
    return [
      "// Never approved: Marketo holds only a draft of this type, imported as it is. The first",
      "// apply approves (publishes) it, unless the instance says approve: false.",
    ];
  }
  const changes = imported.draftChanges;
  if (changes === undefined) return [];
  if (changes.length === 0) {
    return [
      "// Marketo also holds a draft of this type, the same as its approved version: the first apply",
      "// approves it, changing nothing.",
    ];
  }
  return [
    "// Marketo also holds a draft of this type, which this definition leaves out; it changes:",
    ...changes.map((change) => `//   ${formatDraftChange(change)}`),
    "// So the first plan shows the draft as foreign. To keep its changes, approve it in Marketo",
    `// Admin and import this type again (marketo-activities import --only ${imported.apiName}), or`,
    ...(destructiveDraft(changes)
      ? [
          "// write them into this definition with allowDestructiveChanges: true (they remove an",
          "// attribute or change a dataType): the next apply publishes the draft. To drop them, run",
        ]
      : ["// write them into this definition: the next apply publishes the draft. To drop them, run"]),
    "// `marketo-activities apply --discard-foreign-drafts` (or discard the draft in Marketo Admin).",
  ];
}

function header(options: ModuleOptions): string[] {
  const only = options.only === undefined ? "" : ` --only ${options.only.join(",")}`;
  const at =
    options.importedAt === undefined ? "" : ` on ${options.importedAt.toISOString().replace(/\.000Z$/, "Z")}`;
  const props = [
    ...(options.envPrefix === "MARKETO" ? [] : [`envPrefix: ${stringLiteral(options.envPrefix)}`]),
    ...(options.typesInInstance > options.defaultMaxActivityTypes
      ? [`maxActivityTypes: ${options.typesInInstance}`]
      : []),
  ];
  const instanceProps = props.length === 0 ? "" : `, { ${props.join(", ")} }`;
  return [
    `// The custom activity types of the Marketo instance at ${options.host}, as`,
    `// \`marketo-activities import${only}\` read them${at} (credentials: ${options.envPrefix}_*).`,
    "// Each definition can be given as it is to a CustomActivityType; to declare them all:",
    "//",
    `//   const prod = new MarketoInstance(stack, "prod"${instanceProps});`,
    `//   for (const definition of ${ALL_TYPES_NAME}) {`,
    "//     new CustomActivityType(prod, definition.apiName, definition);",
    "//   }",
    "//",
    "// From then on the code is the source of truth: `marketo-activities plan` shows what an edit",
    "// changes in Marketo, and the next apply makes it.",
  ];
}

/** The module's text: the header, the import, one constant per definition and the array of them all. */
export function generateModule(definitions: readonly ImportedDefinition[], options: ModuleOptions): string {
  const names = constantNames(
    definitions.map((d) => d.apiName),
    [DEFINE, ALL_TYPES_NAME],
  );
  const lines = [...header(options), "", `import { ${DEFINE} } from "${PACKAGE_NAME}";`];
  for (const imported of definitions) {
    lines.push("", ...notes(imported), ...declaration(names.get(imported.apiName)!, imported.definition));
  }
  const all = definitions.map((d) => names.get(d.apiName)!);
  const oneLine = `export const ${ALL_TYPES_NAME} = [${all.join(", ")}];`;
  lines.push(
    "",
    ...(textWidth(oneLine) <= WIDTH
      ? [oneLine]
      : [`export const ${ALL_TYPES_NAME} = [`, ...all.map((name) => `${INDENT}${name},`), "];"]),
  );
  return `${lines.join("\n")}\n`;
}
