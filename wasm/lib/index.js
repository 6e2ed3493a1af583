// sesame-auth: the browser SDK for Sesame. Importing it does nothing; the wasm
// core loads on the first call that needs it.
export { AuthClient, AuthEvent } from './client.js';
export { configureWasm, loadCore } from './core.js';
export { AuthApiError, NetworkError, SesameError } from './errors.js';
export { memoryStorage, sessionStorageAdapter } from './storage.js';
export { createLocalLocks } from './tabs.js';
export { checkPassword, formatBackupCodes, formatSecret, normalizeBackupCode, totpCountdown, totpEnrolment } from './totp.js';
export { importJwks, verifyAccessToken } from './verify.js';
