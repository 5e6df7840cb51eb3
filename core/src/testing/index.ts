export * from './free-port.js';
export * from './process.js';
export * from './servers.js';
export * from './mosquitto.js';
export * from './wait.js';
export * from './service-lifecycle-contract.js';
export * from './test-world.js';
export * from './seeded-random.js';
