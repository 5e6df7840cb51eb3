export * from './keys.js';
export * from './uplink-entry.js';
