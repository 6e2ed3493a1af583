#!/usr/bin/env node
// Measures what the example costs a visitor: the First Load JS of the sign-in
// page (every script it loads, raw and gzip -9) with each bundler's production
// build, that of the home page (no SDK in the browser) for comparison, and the SDK's .wasm (fetched later, on the first call that needs the
// core; a signed-out visit to the sign-in page does not fetch it).
//
//   node examples/nextjs/scripts/measure.mjs
//
// Needs what the journeys need: build/native (sesame-server), the staged SDK
// package (installed here by npm ci) and Debian's chromium.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { BUNDLERS, buildApp, exampleDir, freePort, guardEnv, startApp, startSesame } from '../test/support/stack.mjs';
import { firstLoad, kib } from '../test/support/first-load.mjs';

const ports = Object.fromEntries(await Promise.all(BUNDLERS.map(async (bundler) => [bundler, await freePort()])));
const sesame = await startSesame(BUNDLERS.map((bundler) => `http://127.0.0.1:${ports[bundler]}`));
const browser = await chromium.launch({
  executablePath: process.env.SESAME_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const rows = [];
try {
  for (const bundler of BUNDLERS) {
    await buildApp(bundler, sesame.url);
    const app = await startApp(bundler, ports[bundler], guardEnv(sesame));
    try {
      const load = await firstLoad(browser, `${app.url}/signin`, 'button[value="signin"]');
      rows.push([`/signin First Load JS, ${bundler} (${load.scripts} scripts)`, kib(load.raw), kib(load.gzip)]);
      if (load.wasmFetched) rows.push([`(the .wasm was fetched on a signed-out visit with ${bundler})`, '', '']);
      // The home page has no client component of its own: Next and React alone, for comparison.
      const home = await firstLoad(browser, `${app.url}/`, 'h1');
      rows.push([`/ First Load JS, ${bundler} (${home.scripts} scripts; no SDK in the browser)`, kib(home.raw), kib(home.gzip)]);
    } finally {
      await app.stop();
    }
  }
  const wasm = await readFile(path.join(exampleDir, 'node_modules/sesame-auth/dist/sesame_core.wasm'));
  rows.push(['sesame_core.wasm (fetched at the first call that needs the core)', kib(wasm.length), kib(gzipSync(wasm, { level: 9 }).length)]);
} finally {
  await browser.close();
  await sesame.stop();
}
const { version: nextVersion } = JSON.parse(await readFile(path.join(exampleDir, 'node_modules/next/package.json'), 'utf8'));
console.log(`Next.js ${nextVersion}, Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${os.platform()} ${os.release()}\n`);
console.log('| what | raw | gzip -9 |\n| --- | --- | --- |');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
