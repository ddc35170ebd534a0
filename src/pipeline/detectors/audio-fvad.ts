/**
 * WebRTC's voice activity detector (libfvad, BSD-3-Clause) compiled to WebAssembly, as the npm package
 * `@echogarden/fvad-wasm` ships it: no download, no native build.
 *
 * The package's own loader is asynchronous (its Emscripten glue awaits a dynamic import before it reads the
 * binary), but detectors are built and fed synchronously inside the streaming pass. So the 20 KB binary is
 * compiled here synchronously, once per process, on first use, and every detector gets its own VAD state
 * (`fvad_new`) in that one instance: reading the package's code file is loading code, not reading data.
 * The glue names the WASM exports with minified letters; they are read from the glue itself, so a rebuilt
 * package still maps, and a missing name fails loudly at the first detector instead of misbehaving.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The rates libfvad accepts, and its frame lengths. */
export const WEBRTC_VAD_RATES: readonly number[] = [8000, 16000, 32000, 48000];
export const WEBRTC_VAD_FRAME_MS: readonly number[] = [10, 20, 30];
/** 0 = quality (most speech kept) … 3 = very aggressive (fewest false alarms). */
export type WebRtcVadMode = 0 | 1 | 2 | 3;

/** The slice of the WebAssembly API used here (the project's `lib` has no DOM types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
}
type Fn = (...args: number[]) => number;

interface FvadExports {
  memory: WasmMemory;
  init: Fn;
  fvadNew: Fn;
  fvadFree: Fn;
  fvadReset: Fn;
  setMode: Fn;
  setRate: Fn;
  process: Fn;
  malloc: Fn;
  free: Fn;
}

let loaded: FvadExports | null = null;

function exportName(glue: string, symbol: string): string {
  const m = new RegExp(`Module\\["${symbol}"\\]=wasmExports\\["(\\w+)"\\]`).exec(glue);
  if (m?.[1] === undefined) throw new Error(`@echogarden/fvad-wasm: export ${symbol} not found in its loader; the package changed shape.`);
  return m[1];
}

function load(): FvadExports {
  if (loaded !== null) return loaded;
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve('@echogarden/fvad-wasm/fvad.js'));
  const glue = readFileSync(path.join(dir, 'fvad.js'), 'utf8');
  const bytes = readFileSync(path.join(dir, 'fvad.wasm'));
  const memName = /wasmMemory=wasmExports\["(\w+)"\]/.exec(glue)?.[1];
  const initName = /addOnInit\(wasmExports\["(\w+)"\]\)/.exec(glue)?.[1];
  const imports = /wasmImports=\{(\w+):___assert_fail,(\w+):_emscripten_resize_heap\}/.exec(glue);
  const importModule = /return\{(\w+):wasmImports\}/.exec(glue)?.[1];
  if (memName === undefined || initName === undefined || importModule === undefined || imports?.[1] === undefined || imports[2] === undefined) {
    throw new Error('@echogarden/fvad-wasm: its loader no longer has the expected shape (memory, init, imports).');
  }
  const wa = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  let memory: WasmMemory | null = null;
  const env: Record<string, unknown> = {
    [imports[1]]: () => {
      throw new Error('libfvad assertion failed');
    },
    [imports[2]]: (requested: number) => {
      if (memory === null) return 0;
      const need = (requested >>> 0) - memory.buffer.byteLength;
      if (need <= 0) return 1;
      try {
        memory.grow(Math.ceil(need / 65_536));
        return 1;
      } catch {
        return 0;
      }
    },
  };
  const instance = new wa.Instance(new wa.Module(bytes), { [importModule]: env });
  const ex = instance.exports;
  const fn = (symbol: string): Fn => {
    const f = ex[exportName(glue, symbol)];
    if (typeof f !== 'function') throw new Error(`@echogarden/fvad-wasm: ${symbol} is not a function.`);
    return f as Fn;
  };
  memory = ex[memName] as WasmMemory;
  const init = ex[initName];
  if (typeof init !== 'function') throw new Error('@echogarden/fvad-wasm: no constructor function.');
  (init as Fn)();
  loaded = {
    memory,
    init: init as Fn,
    fvadNew: fn('_fvad_new'),
    fvadFree: fn('_fvad_free'),
    fvadReset: fn('_fvad_reset'),
    setMode: fn('_fvad_set_mode'),
    setRate: fn('_fvad_set_sample_rate'),
    process: fn('_fvad_process'),
    malloc: fn('_malloc'),
    free: fn('_free'),
  };
  return loaded;
}

/**
 * One WebRTC VAD state. Write a frame of 16-bit samples into `frame()` (`frameSamples` long), then call
 * `process()`. Call `dispose()` when done (it frees a few KB inside the shared WASM heap).
 */
export class WebRtcVad {
  readonly frameSamples: number;
  private readonly fx: FvadExports;
  private handle: number;
  private readonly ptr: number;
  private heap: Int16Array;

  constructor(
    readonly rateHz: number,
    readonly mode: WebRtcVadMode,
    readonly frameMs: number,
  ) {
    if (!WEBRTC_VAD_RATES.includes(rateHz)) throw new Error(`WebRTC VAD runs at 8, 16, 32 or 48 kHz, not ${rateHz} Hz.`);
    if (!WEBRTC_VAD_FRAME_MS.includes(frameMs)) throw new Error(`WebRTC VAD frames are 10, 20 or 30 ms, not ${frameMs} ms.`);
    this.fx = load();
    this.frameSamples = (rateHz * frameMs) / 1000;
    this.handle = this.fx.fvadNew();
    if (this.handle === 0) throw new Error('WebRTC VAD: out of memory.');
    if (this.fx.setRate(this.handle, rateHz) !== 0 || this.fx.setMode(this.handle, mode) !== 0) {
      throw new Error('WebRTC VAD refused its settings.');
    }
    this.ptr = this.fx.malloc(this.frameSamples * 2);
    this.heap = new Int16Array(this.fx.memory.buffer, this.ptr, this.frameSamples);
  }

  /** The frame buffer inside the WASM heap (fresh view: the heap may have grown since the last call). */
  frame(): Int16Array {
    if (this.heap.buffer !== this.fx.memory.buffer) this.heap = new Int16Array(this.fx.memory.buffer, this.ptr, this.frameSamples);
    return this.heap;
  }

  /** Classifies the frame now in `frame()`: true for speech. */
  process(): boolean {
    const r = this.fx.process(this.handle, this.ptr, this.frameSamples);
    if (r < 0) throw new Error('WebRTC VAD rejected a frame.');
    return r === 1;
  }

  /** Forgets the signal so far (after a gap), keeping the settings. */
  reset(): void {
    this.fx.fvadReset(this.handle);
    this.fx.setRate(this.handle, this.rateHz);
    this.fx.setMode(this.handle, this.mode);
  }

  dispose(): void {
    if (this.handle === 0) return;
    this.fx.fvadFree(this.handle);
    this.fx.free(this.ptr);
    this.handle = 0;
  }
}
