// Starts one sesame-server for the whole run and stops it at the end. Its URL
// reaches the tests through SESAME_E2E_URL (workers inherit the environment).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const START_TIMEOUT_MS = 15_000;

// A port free right now: the server must know its own URL before it starts,
// because mail links (and the issuer) are built from it.
async function freePort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export default async function globalSetup() {
  const binary = process.env.SESAME_SERVER_BIN ?? path.join(ROOT, 'build/native/server/sesame-server');
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sesame-e2e-'));
  const listen = `127.0.0.1:${await freePort()}`;
  const env = {
    ...process.env,
    SESAME_LISTEN: listen,
    SESAME_DATA_DIR: dataDir,
    SESAME_DEV: '1',
    SESAME_ACCESS_TOKEN_TTL: '30',
    SESAME_RATE_LIMIT_PER_IP: '0',
    SESAME_ARGON2_MEMORY_KIB: '1024',
    SESAME_ARGON2_ITERATIONS: '1',
    SESAME_WEB_DIR: path.join(ROOT, 'web-demo'),
    SESAME_SDK_DIR: process.env.SESAME_SDK_DIR ?? path.join(ROOT, 'build/wasm/package'),
  };
  const child = spawn(binary, ['serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const log = [];
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sesame-server did not start:\n${log.join('\n')}`)), START_TIMEOUT_MS);
    child.once('exit', (code) => reject(new Error(`sesame-server exited (${code}):\n${log.join('\n')}`)));
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (log.length < 200) log.push(line);
      const match = /"port":(\d+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
  });
  // The public URL is what mail links point at: this very server.
  process.env.SESAME_E2E_URL = `http://127.0.0.1:${port}`;
  return async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  };
}
