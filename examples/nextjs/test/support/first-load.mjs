// What a first visit to a page downloads, as Next's "First Load JS" counts it:
// every script of the app's origin that the page loads before its load event
// (later ones are prefetches for other pages), measured raw and gzip -9 from the
// bytes served. Whether a .wasm was fetched by then is reported on its own.
import { gzipSync } from 'node:zlib';

export async function firstLoad(browser, url, readySelector) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const origin = new URL(url).origin;
    const pending = [];
    // Scripts that arrive after the load event are Link prefetches of other
    // pages, not this page's; a .wasm counts whenever it comes.
    let loaded = false;
    page.once('load', () => { loaded = true; });
    page.on('response', (response) => {
      const type = response.request().resourceType();
      const isWasm = new URL(response.url()).pathname.endsWith('.wasm');
      if (!response.url().startsWith(origin) || (type !== 'script' && !isWasm) || (loaded && !isWasm)) return;
      pending.push(response.body().then((body) => ({ url: response.url(), isWasm, raw: body.length, gzip: gzipSync(body, { level: 9 }).length })));
    });
    await page.goto(url, { waitUntil: 'load' });
    await page.locator(readySelector).first().waitFor();
    // The page's own effects (initialize() among them) have run and their requests ended.
    await page.waitForLoadState('networkidle');
    const files = await Promise.all(pending);
    const scripts = files.filter((file) => !file.isWasm);
    const sum = (list, key) => list.reduce((total, file) => total + file[key], 0);
    return {
      scripts: scripts.length,
      raw: sum(scripts, 'raw'),
      gzip: sum(scripts, 'gzip'),
      wasmFetched: files.some((file) => file.isWasm),
    };
  } finally {
    await context.close();
  }
}

export const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
