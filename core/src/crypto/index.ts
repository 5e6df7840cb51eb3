export * from './secrets.js';
export * from './keys.js';
export * from './secret-box.js';
export * from './token.js';
export * from './session.js';
export * from './dev-secrets.js';
export * from './play-url.js';
