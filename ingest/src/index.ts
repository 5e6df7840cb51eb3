export { createIngest, type IngestDeps, type IngestService, type IngestServiceConfig } from './ingest.js';
export { createHistory, type History, type HistoryOptions, type SeriesQuery, type SeriesResult, type StepsQuery, type StepsResult, type LatestValue, type EventRow } from './history.js';
export { valueAt, fillBuckets, type StepPoint, type StepValue } from './step-series.js';
export { createShadowReader, shadowFromHash, type DeviceShadow, type ShadowChange, type ShadowEvent, type ShadowListFilter, type ShadowReader, type ChangeOptions } from './shadow-reader.js';
export { listDeadLetters, invalidCounts, type DeadLetter, type DeadLetterQuery, type InvalidCount } from './dead-letter.js';
export { TELEMETRY_FIELDS, EVENT_FIELDS, STATUS_FIELDS, measurementOf, type FieldSpec } from './measurements.js';
export { createV1Transport, mapWritePath } from './v1-transport.js';
export { trimPoint, trimStream } from './trimmer.js';
// Building blocks, exported for the benchmark's per-message cost measurement.
export { DeviceCache, type DeviceLookup } from './device-cache.js';
export { validateEntry } from './validator.js';
export { lineOf } from './processor.js';
export { deviceTagSet, telemetryLine } from './line-protocol.js';
export { ShadowWriter, defineShadowCommand } from './shadow-writer.js';
// Store by exception: the policy as ingest applies it, and the decision in TypeScript (the load generator's reference).
export { compilePolicy, storagePolicyOf, type CompiledPolicy, type CompiledKind } from './store-policy.js';
export { decide, newState, type Decision } from './store-decide.js';
