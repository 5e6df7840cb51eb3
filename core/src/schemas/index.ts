export * from './device-kind.js';
export * from './fault-codes.js';
export * from './payloads.js';
export * from './parse.js';
export * from './storage-policy.js';
