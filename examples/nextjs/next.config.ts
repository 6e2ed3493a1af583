import fs from 'node:fs';
import path from 'node:path';
import type { NextConfig } from 'next';

// sesame-auth is installed as a link to the repository's build/wasm/package
// (`npm install ../../build/wasm/package`), outside this folder. Turbopack reads
// no file outside its root, so the root is the nearest folder holding both this
// app and the package's real location (the repository, here).
const appDir = import.meta.dirname;
const packageDir = fs.realpathSync(path.join(appDir, 'node_modules/sesame-auth'));
let root = appDir;
while (path.relative(root, packageDir).startsWith('..')) root = path.dirname(root);

const nextConfig: NextConfig = {
  turbopack: { root },
  outputFileTracingRoot: root,
  // The test builds each bundler into its own folder (.next-turbopack, .next-webpack).
  distDir: process.env.NEXT_DIST_DIR ?? '.next',
};

export default nextConfig;
