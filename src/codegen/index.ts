/**
 * `import`: a live instance's activity types as TypeScript source. Pure: the CLI reads the instance
 * (src/cli/commands/import.ts); this layer turns what was read into checked definitions and a module.
 * Imports only src/schema and src/marketo. See docs/import.md.
 */
export {
  type DraftChange,
  definitionOf,
  destructiveDraft,
  draftChanges,
  formatDraftChange,
  type ImportedDefinition,
  type ImportedType,
  importedDefinitions,
} from "./imported.js";
export { constantNames, shortLiteral, stringLiteral, textWidth } from "./literals.js";
export { ALL_TYPES_NAME, generateModule, type ModuleOptions, PACKAGE_NAME } from "./module.js";
