export * from './db.js';
export * from './migrate.js';
export * from './registry.js';
export * from './rows.js';
export * from './types.js';
export type { NewDevice, DeviceContext } from './queries/devices.js';
export type { NewUser } from './queries/users.js';
export type { NewAuditEntry } from './queries/audit.js';
