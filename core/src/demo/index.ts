export * from './generate.js';
export * from './load.js';
export * from './credit-code.js';
export { SeededRandom } from './random.js';
