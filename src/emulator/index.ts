/**
 * A local, Marketo-compatible server for the custom activity endpoints, for tests and `npm start`
 * (`cdktf-marketo-activities/emulator`). Library code never imports it. See docs/emulator.md.
 */
export type { RateLimit } from "../marketo/index.js";
/** A type's status, as the wire shows it (the union of src/marketo/wire.ts). */
export type { CustomActivityTypeStatus as TypeStatus } from "../marketo/wire.js";
export {
  type EmulatorConfig,
  emulatorBehaviourSchema,
  emulatorConfigSchema,
  loadEmulatorConfig,
  parseEmulatorConfig,
} from "./config.js";
export type { QuotaSnapshot } from "./limits.js";
export type { ActivityRecord } from "./model.js";
export {
  DEFAULT_BEHAVIOUR,
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_LIMITS,
  DEFAULT_RANDOM_FAULT_KINDS,
  DEFAULT_STANDARD_ACTIVITY_TYPES,
  type EmulatorBehaviour,
  type EmulatorLimits,
  type EmulatorOptions,
  type EmulatorSeed,
  type FaultPeriod,
  type FaultResponse,
  type FaultSpec,
  type MarketoCode,
  type RandomFaults,
  type SeedActivityType,
  type SeedAttribute,
  type SeedRecord,
  type SeedVersion,
  type StandardActivityType,
} from "./options.js";
export { EmulatorDataError } from "./persist.js";
export { EmulatorSeedError } from "./seed.js";
export { type EmulatorIo, type ServedEmulator, type ServeEmulatorOptions, serveEmulator } from "./serve.js";
export { startEmulator } from "./server.js";
export type {
  Emulator,
  EmulatorSnapshot,
  RequestLogEntry,
  SnapshotActivityType,
  SnapshotAttribute,
  SnapshotVersion,
} from "./types.js";
