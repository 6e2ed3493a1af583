// A real sesame-server for the SDK tests: its own data dir (SQLite), an
// ephemeral port read from its first log line, stopped with SIGTERM.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const serverBinary = process.env.SESAME_SERVER_BIN ?? path.join(repoRoot, 'build/native/server/sesame-server');

export const ISSUER = 'https://auth.sdk-tests.example';
export const AUDIENCE = 'sdk-tests';
const START_TIMEOUT_MS = 15_000;

export async function startServer(env = {}) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sesame-sdk-'));
  const settings = {
    SESAME_LISTEN: '127.0.0.1:0',
    SESAME_DATA_DIR: dataDir,
    SESAME_DEV: '1',
    SESAME_ISSUER: ISSUER,
    SESAME_AUDIENCE: AUDIENCE,
    // Cheap hashing and no per-IP limit: the tests sign in many times.
    SESAME_ARGON2_MEMORY_KIB: '64',
    SESAME_ARGON2_ITERATIONS: '1',
    SESAME_RATE_LIMIT_PER_IP: '0',
    ...env,
  };
  const child = spawn(serverBinary, ['serve'], { env: { ...process.env, ...settings }, stdio: ['ignore', 'ignore', 'pipe'] });
  const log = [];
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sesame-server did not start:\n${log.join('\n')}`)), START_TIMEOUT_MS);
    child.once('exit', (code) => reject(new Error(`sesame-server exited (${code}):\n${log.join('\n')}`)));
    createInterface({ input: child.stderr }).on('line', (line) => {
      log.push(line);
      const match = /"port":(\d+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    dataDir,
    log,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
export const uniqueEmail = (label = 'user') => `${label}-${process.pid}-${Date.now()}-${counter++}@example.test`;
export const PASSWORD = 'correct horse battery staple';
