// The staged package (build/wasm/package, or SESAME_SDK_DIR), imported as a user would.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const packageDir = path.resolve(process.env.SESAME_SDK_DIR ?? path.join(repoRoot, 'build/wasm/package'));
export const loadSdk = () => import(pathToFileURL(path.join(packageDir, 'lib/index.js')).href);
