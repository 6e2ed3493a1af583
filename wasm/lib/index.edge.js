// sesame-auth for the Edge runtime (the "edge-light" export condition,
// which Next.js's webpack and Turbopack set for Edge middleware, proxies and routes).
// Edge refuses to compile WebAssembly from bytes, so the bundler compiles the
// package's .wasm (the `?module` import) and this entry hands the Module over.
import wasmModule from '../dist/sesame_core.wasm?module';
import { useDefaultWasm } from './core.js';

useDefaultWasm(wasmModule);

export * from './index.js';
