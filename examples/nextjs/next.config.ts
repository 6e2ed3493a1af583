import path from 'node:path';
import type { NextConfig } from 'next';

// sesame-auth is installed as a link to the repository's build/wasm/package
// (`npm install ../../build/wasm/package`), outside this folder: both bundlers
// must be told that the repository is the root they may read from.
const repositoryRoot = path.resolve(import.meta.dirname, '../..');

const nextConfig: NextConfig = {
  turbopack: { root: repositoryRoot },
  outputFileTracingRoot: repositoryRoot,
  // Each bundler builds into its own folder, so both builds can be started side by side.
  distDir: process.env.NEXT_DIST_DIR ?? '.next',
};

export default nextConfig;
