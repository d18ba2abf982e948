// The page's benchmark (index.html?bench=1): emulated MIPS of the wasm build on the project's
// benchmark guests, run the way the native `aula86 bench` runs them (crates/pc/src/bench.rs):
// the guest's bytes are loaded at 1000:0000 of a fresh 1 MiB machine and entered there in real
// mode, with no disk and no firmware boot. tests/guests/bench16.asm stays in real mode;
// tests/guests/bench32.asm switches to 32-bit protected mode with paging. Both loop forever.
//
// Each mode runs a warm-up of 1,000,000 instructions (the guest's set-up code: the switch to
// protected mode and paging), then `iters` iterations of the guest's outer loop (3,910
// instructions each) in calls of about 20 ms, yielding to the browser between them. MIPS = the
// instructions the Machine's own counter retired / the wall time spent inside those calls.
// Before the first mode's timed calls, its guest runs untimed for WARM_MS: the browser first
// runs the wasm from a quick baseline compilation, at about half speed, and switches to its
// optimised code 0.1-0.7 s later; timed from a cold start, the first mode measured that switch
// (scripts/bench-peers times its Node and Chromium runs warm for the same reason).

import init, { Machine } from "./pkg/aula86_web.js";

// `nasm -f bin tests/guests/bench16.asm`: the same bytes as BENCH16 in crates/pc/src/bench.rs
// (scripts/test and the page tests check both against the source).
export const BENCH16 = new Uint8Array([
  0xfa, 0xb8, 0x00, 0x20, 0x8e, 0xd0, 0xbc, 0xfe, 0xff, 0xb8, 0x00, 0x30, 0x8e, 0xd8, 0x8e, 0xc0,
  0x31, 0xc0, 0xbb, 0x01, 0x00, 0x31, 0xed, 0xb9, 0x00, 0x01, 0x01, 0xc8, 0x11, 0xda, 0x31, 0xc3,
  0x81, 0xe3, 0xfe, 0x01, 0x8b, 0x37, 0x89, 0x87, 0x00, 0x04, 0xd1, 0xe0, 0xd1, 0xda, 0xf7, 0xee,
  0x50, 0xe8, 0x10, 0x00, 0x58, 0xe2, 0xe3, 0x31, 0xf6, 0xbf, 0x00, 0x08, 0xb9, 0x40, 0x00, 0xfc,
  0xf3, 0xa5, 0xeb, 0xd3, 0x45, 0xc3,
]);

// `nasm -f bin tests/guests/bench32.asm`: the same bytes as BENCH32 in crates/pc/src/bench.rs.
export const BENCH32 = new Uint8Array([
  0xfa, 0x8c, 0xc8, 0x8e, 0xd8, 0x0f, 0x01, 0x16, 0xd0, 0x00, 0x0f, 0x20, 0xc0, 0x0c, 0x01, 0x0f,
  0x22, 0xc0, 0x66, 0xea, 0x1a, 0x00, 0x01, 0x00, 0x08, 0x00, 0x66, 0xb8, 0x10, 0x00, 0x8e, 0xd8,
  0x8e, 0xc0, 0x8e, 0xd0, 0x8e, 0xe0, 0x8e, 0xe8, 0xbc, 0xfc, 0xff, 0x02, 0x00, 0xbf, 0x00, 0x00,
  0x04, 0x00, 0x31, 0xc0, 0xb9, 0x00, 0x04, 0x00, 0x00, 0xf3, 0xab, 0xb8, 0x03, 0x00, 0x00, 0x00,
  0xb9, 0x00, 0x04, 0x00, 0x00, 0xab, 0x05, 0x00, 0x10, 0x00, 0x00, 0xe2, 0xf8, 0xc7, 0x05, 0x00,
  0x00, 0x04, 0x00, 0x03, 0x10, 0x04, 0x00, 0xb8, 0x00, 0x00, 0x04, 0x00, 0x0f, 0x22, 0xd8, 0x0f,
  0x20, 0xc0, 0x0d, 0x00, 0x00, 0x00, 0x80, 0x0f, 0x22, 0xc0, 0x31, 0xc0, 0xbb, 0x01, 0x00, 0x00,
  0x00, 0x31, 0xed, 0xb9, 0x00, 0x01, 0x00, 0x00, 0x01, 0xc8, 0x11, 0xda, 0x31, 0xc3, 0x81, 0xe3,
  0xfc, 0x01, 0x00, 0x00, 0x8b, 0xb3, 0x00, 0x00, 0x03, 0x00, 0x89, 0x83, 0x00, 0x04, 0x03, 0x00,
  0xd1, 0xe0, 0xd1, 0xda, 0xf7, 0xee, 0x50, 0xe8, 0x17, 0x00, 0x00, 0x00, 0x58, 0xe2, 0xd9, 0xbe,
  0x00, 0x00, 0x03, 0x00, 0xbf, 0x00, 0x08, 0x03, 0x00, 0xb9, 0x40, 0x00, 0x00, 0x00, 0xfc, 0xf3,
  0xa5, 0xeb, 0xc0, 0x45, 0xc3, 0x90, 0x90, 0x90, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0xff, 0xff, 0x00, 0x00, 0x00, 0x9a, 0xcf, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x92, 0xcf, 0x00,
  0x17, 0x00, 0xb8, 0x00, 0x01, 0x00,
]);

/** Instructions in one iteration of either guest's outer loop, as the Machine counts them. */
export const PER_ITER = 3910;

/** The default length: 20,000 iterations, about 78 million instructions a mode. */
export const DEFAULT_ITERS = 20000;

/** The guests, with the mode each one's loop runs in. */
export const GUESTS = Object.freeze([
  { name: "real", bytes: BENCH16, mode: "real" },
  { name: "protected", bytes: BENCH32, mode: "protected+paging" },
]);

/** CPU models with no 32-bit protected mode: they run the real-mode guest only. */
const NO_32BIT = new Set(["8086", "186", "286"]);

/** How long the first guest runs untimed before anything is timed (see above). */
export const WARM_MS = 1000;

/** Let the browser paint and handle input between slices. */
function yieldToBrowser() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Run both guests for `iters` outer-loop iterations each; resolves with
 * `{real, protected, model, iters, warmMs, details: {real: {instructions, ms, wallMs, mode}, ...}}`
 * where `real` and `protected` are MIPS (`protected` is null for a CPU without 32-bit protected
 * mode). `ms` is the time spent running, `wallMs` the time from start to end including the
 * pauses for the browser; `warmMs` the untimed warm-up before the first. `onProgress(name,
 * fraction)` is called between slices. Rejects with an Error if a guest stops (it never
 * should).
 */
export async function runBench({ iters = DEFAULT_ITERS, model = "pentiumpro", onProgress = () => {} } = {}) {
  await init();
  const result = { real: null, protected: null, model, iters, warmMs: 0, details: {} };
  for (const g of GUESTS) {
    if (g.name === "protected" && NO_32BIT.has(model)) continue;
    const m = new Machine(1 << 20, model);
    try {
      m.load(0x10000, g.bytes);
      m.setReg("cs", 0x1000);
      m.setReg("eip", 0);
      // Warm up: the set-up code, then the loop for a while (not timed).
      const warm = m.run(1_000_000);
      if (warm !== "budget" || m.mode() !== g.mode) {
        throw new Error(`the ${g.name} benchmark guest did not reach its loop (${warm}, ${m.mode()} mode)`);
      }
      if (result.warmMs === 0) {
        const t0 = performance.now();
        while (performance.now() - t0 < WARM_MS) {
          if (m.run(2_000_000) !== "budget") throw new Error(`the ${g.name} benchmark guest stopped while warming up`);
          onProgress(g.name, 0);
          await yieldToBrowser();
        }
        result.warmMs = Math.round(performance.now() - t0);
      }
      const first = m.counters().instructions;
      const total = iters * PER_ITER;
      let done = 0;
      let ms = 0;
      let slice = 200_000;
      const wallStart = performance.now();
      while (done < total) {
        const n = Math.min(slice, total - done);
        const t0 = performance.now();
        const exit = m.run(n);
        const dt = performance.now() - t0;
        ms += dt;
        if (exit !== "budget") throw new Error(`the ${g.name} benchmark guest stopped (${exit})`);
        done = m.counters().instructions - first;
        // Aim each call at about 20 ms, so the page stays responsive while it runs.
        if (dt > 0.5) slice = Math.max(100_000, Math.min(Math.round((n * 20) / dt), 20_000_000));
        else slice *= 2;
        onProgress(g.name, Math.min(1, done / total));
        await yieldToBrowser();
      }
      const wallMs = performance.now() - wallStart;
      result[g.name] = Math.round((done / ms / 1000) * 100) / 100;
      result.details[g.name] = { instructions: done, ms: Math.round(ms), wallMs: Math.round(wallMs), mode: m.mode() };
    } finally {
      m.free();
    }
  }
  return result;
}
