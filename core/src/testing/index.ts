export * from './free-port.js';
export * from './process.js';
export * from './servers.js';
