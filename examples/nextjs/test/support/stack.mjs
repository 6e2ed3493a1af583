// The example's whole stack, real parts only: a sesame-server (its own data dir,
// an ephemeral port), `next build` of this app with each bundler, and `next start`
// of each build on a free port, the server's CORS allowing both origins.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const exampleDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const repoRoot = path.resolve(exampleDir, '../..');
// The SDK's test helper starts the server the same way for its own suites.
const { startServer } = await import(path.join(repoRoot, 'wasm/test/support/server.mjs'));
export { PASSWORD, uniqueEmail } from '../../../../wasm/test/support/server.mjs';

export const serverBinary = process.env.SESAME_SERVER_BIN ?? path.join(repoRoot, 'build/native/server/sesame-server');
// SESAME_NEXT_BUNDLERS=webpack runs one of them (while working on the example).
export const BUNDLERS = process.env.SESAME_NEXT_BUNDLERS?.split(',') ?? ['turbopack', 'webpack'];
const nextBin = path.join(exampleDir, 'node_modules/next/dist/bin/next');
const START_TIMEOUT_MS = 60_000;

// Next must not phone home (telemetry) from a test run.
const nextEnv = (extra) => ({ ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...extra });

// A port that was free a moment ago (next start takes a port, not 0).
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

// Runs a command to its end and collects its output; rejects with the output on failure.
function run(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      const text = Buffer.concat(output).toString();
      if (code === 0) resolve(text);
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${text}`));
    });
  });
}

export const distDir = (bundler) => `.next-${bundler}`;

/** `next build` of the app in appDir (this example) with one bundler into its own dist dir; resolves to {output, seconds}. */
export async function buildApp(bundler, sesameUrl, appDir = exampleDir) {
  const started = Date.now();
  const output = await run(process.execPath, [nextBin, 'build', `--${bundler}`], {
    cwd: appDir,
    env: nextEnv({ NEXT_PUBLIC_SESAME_URL: sesameUrl, NEXT_DIST_DIR: distDir(bundler) }),
  });
  return { output, seconds: (Date.now() - started) / 1000 };
}

/** `next start` of one build; resolves when it answers, to {url, log, stop}. */
export async function startApp(bundler, port, env, appDir = exampleDir) {
  const child = spawn(process.execPath, [nextBin, 'start', '--hostname', '127.0.0.1', '--port', String(port)], {
    cwd: appDir,
    env: nextEnv({ NEXT_DIST_DIR: distDir(bundler), ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = [];
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', (line) => log.push(line));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + START_TIMEOUT_MS;
  // Ready when it answers a static page (next start prints "Ready" a little early).
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start (${bundler}) exited ${child.exitCode}:\n${log.join('\n')}`);
    try {
      const answer = await fetch(`${url}/signin`, { signal: AbortSignal.timeout(5_000) });
      if (answer.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`next start (${bundler}) did not answer within ${START_TIMEOUT_MS} ms:\n${log.join('\n')}`);
    }
    await new Promise((resolve) => { setTimeout(resolve, 200); });  // the next poll of the readiness condition
  }
  return {
    url,
    log,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/** A sesame-server that lets both apps' origins use its refresh cookie. */
export async function startSesame(origins) {
  return startServer({
    SESAME_CORS_ORIGINS: origins.join(','),
    // The issuer and audience the guard is told (lib/config.ts reads the same names).
    SESAME_ISSUER: 'https://auth.nextjs-example.test',
    SESAME_AUDIENCE: 'nextjs-example',
  });
}

// What the guard is told (lib/config.ts): the server's JWKS, issuer and audience.
export const guardEnv = (sesame) => ({
  SESAME_URL: sesame.url, SESAME_ISSUER: 'https://auth.nextjs-example.test', SESAME_AUDIENCE: 'nextjs-example',
});

/** `sesame-server admin create`, the password on stdin. */
export async function createAdmin(dataDir, email, password) {
  return new Promise((resolve, reject) => {
    const child = spawn(serverBinary, ['admin', 'create', '--email', email], {
      env: { ...process.env, SESAME_DATA_DIR: dataDir, SESAME_ARGON2_MEMORY_KIB: '64', SESAME_ARGON2_ITERATIONS: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`admin create exited ${code}: ${Buffer.concat(output)}`))));
    child.stdin.end(`${password}\n`);
  });
}
