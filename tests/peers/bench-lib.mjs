// Run one benchmark floppy (scripts/bench-peers) to its end in v86 or in aula86's wasm build, in
// Node or in a page, and time it from inside JavaScript. The guests end with HLT and interrupts
// off: aula86's Machine.run returns "halted", v86 sends "cpu-event-halt".

const now = () => performance.now();

/**
 * `run()` (one run of a benchmark guest) again and again, untimed, for `warmMs` milliseconds at
 * least, then once more; resolves with that last run's result. The wasm engine of Node and
 * Chromium first runs a module from its quick baseline compilation and switches to optimised code
 * some hundreds of milliseconds later: a timed run that starts warm measures the emulator, not
 * that switch (scripts/bench-peers).
 */
export async function warmThenRun(run, warmMs) {
  for (const t0 = now(); now() - t0 < warmMs; ) await run();
  return run();
}

/**
 * v86 (the npm package, its JIT or, with jit false, its interpreter) on a floppy image.
 * `V86` is the package's class; `files` holds ArrayBuffers {bios, vgaBios, fda}, and `wasm` what
 * the V86 constructor takes to find its wasm (wasm_path or wasm_fn). Resolves with
 * {seconds, instructions, halted}: the wall time from the constructor to the halt.
 */
export function runV86(V86, files, { jit = true, wasm = {}, timeoutMs = 600000, memMB = 16 } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = now();
    const emu = new V86({
      ...wasm,
      bios: { buffer: files.bios },
      vga_bios: { buffer: files.vgaBios },
      fda: { buffer: files.fda },
      memory_size: memMB << 20,
      vga_memory_size: 2 << 20,
      autostart: true,
      disable_keyboard: true,
      disable_mouse: true,
      disable_speaker: true,
      disable_jit: !jit,
    });
    let done = false;
    const finish = async (halted) => {
      if (done) return;
      done = true;
      const seconds = (now() - t0) / 1000;
      clearTimeout(timer);
      let instructions = NaN;
      try {
        instructions = emu.get_instruction_counter();
      } catch {}
      try {
        await emu.stop();
        await emu.destroy();
      } catch {}
      if (halted) resolve({ seconds, instructions, halted });
      else reject(new Error(`v86 did not halt within ${timeoutMs} ms`));
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    emu.add_listener("cpu-event-halt", () => finish(true));
  });
}

/**
 * aula86's wasm build (`Machine` from www/pkg/aula86_web.js, already initialised) on a floppy
 * image (Uint8Array), built-in BIOS, run in slices until the guest halts. Resolves with
 * {seconds, instructions, e9}.
 */
export async function runAula86(Machine, fda, { slice = 5_000_000, timeoutMs = 600000, memMB = 16 } = {}) {
  const t0 = now();
  const m = new Machine(memMB << 20, "pentiumpro");
  try {
    m.insertDisk("fda", fda);
    let why;
    for (;;) {
      why = m.run(slice);
      if (why !== "budget" && why !== "idle") break;
      if (now() - t0 > timeoutMs) throw new Error(`aula86 did not halt within ${timeoutMs} ms`);
    }
    const seconds = (now() - t0) / 1000;
    if (why !== "halted" && why !== "poweroff") throw new Error(`aula86 stopped: ${why}`);
    return { seconds, instructions: m.counters().instructions, e9: m.debugOutput() };
  } finally {
    m.free();
  }
}
