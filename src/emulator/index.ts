/**
 * A local, Marketo-compatible server for the custom activity endpoints, for tests and `npm start`
 * (`cdktf-marketo-activities/emulator`). Library code never imports it. See docs/emulator.md.
 */
export type { QuotaSnapshot } from "./limits.js";
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
  type FaultResponse,
  type FaultSpec,
  type MarketoCode,
  type RandomFaults,
  type RateLimit,
  type SeedActivityType,
  type SeedAttribute,
  type SeedRecord,
  type SeedVersion,
  type StandardActivityType,
} from "./options.js";
export { EmulatorDataError } from "./persist.js";
export { EmulatorSeedError } from "./seed.js";
export { type EmulatorIo, type ServedEmulator, type ServeEmulatorOptions, serveEmulator } from "./serve.js";
export {
  type Emulator,
  type EmulatorSnapshot,
  type RequestLogEntry,
  type SnapshotActivityType,
  type SnapshotAttribute,
  type SnapshotVersion,
  startEmulator,
} from "./server.js";
export type { ActivityRecord, TypeStatus } from "./state.js";
