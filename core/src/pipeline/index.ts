export * from './keys.js';
export * from './uplink-entry.js';
export * from './stream-reply.js';
export * from './stream-groups.js';
