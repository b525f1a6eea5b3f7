import { setFlagsFromString } from 'node:v8';

/** Settles once no `withBaselineWasm` load is under way (V8 compiles WebAssembly as it always does again). */
let settled: Promise<unknown> = Promise.resolve();

/**
 * Runs `load` with V8 compiling WebAssembly with its baseline compiler only (`--liftoff-only`), then sets it back.
 * Otherwise (Node 20, measured) a process that loaded the parser ends about 0.1 s later, the compiler still at work
 * on the module on other threads, and the parse of a first migration's 400 statements is no faster. Left alone when
 * Node was started with a flag of its own about it.
 */
export async function withBaselineWasm<T>(load: () => Promise<T>): Promise<T> {
  const given = [...process.execArgv, process.env['NODE_OPTIONS'] ?? ''].some((flag) => /liftoff|wasm-tier/.test(flag));
  if (given) return load();
  let set = false;
  try {
    setFlagsFromString('--liftoff-only');
    set = true;
  } catch {
    // A V8 that refuses flags at run time compiles as it always does.
  }
  const loading = (async () => {
    try {
      return await load();
    } finally {
      if (set) setFlagsFromString('--no-liftoff-only');
    }
  })();
  settled = Promise.all([settled, loading.catch(() => undefined)]);
  return loading;
}

/**
 * Waits for the loads of `withBaselineWasm` under way: PGlite, compiled meanwhile, would be compiled by the baseline
 * compiler only, and run its database slower.
 */
export function baselineWasmSettled(): Promise<void> {
  return settled.then(() => undefined);
}

