// The page side of tests/peers/browser-bench.mjs. Served from a directory where /peers is
// tests/peers, /pkg is www/pkg, /v86 is the v86 package's build/ and /fw holds bios.bin and
// vgabios.bin. window.bench(engine, imageUrl, {warmMs}) fetches everything first, runs the image
// untimed for `warmMs` at least, then times one run (see bench-lib.mjs) and resolves with
// {seconds, instructions}.
import { runAula86, runV86, warmThenRun } from "./bench-lib.mjs";

async function get(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`HTTP ${r.status}: ${url}`);
  return r.arrayBuffer();
}

window.bench = async (engine, image, { warmMs = 0 } = {}) => {
  const fda = await get(image);
  let run;
  if (engine === "v86-jit" || engine === "v86-interp") {
    const { V86 } = await import("/v86/libv86.mjs");
    const files = { bios: await get("/fw/bios.bin"), vgaBios: await get("/fw/vgabios.bin"), fda };
    const module = await WebAssembly.compile(await get("/v86/v86.wasm"));
    run = () =>
      runV86(V86, files, {
        jit: engine === "v86-jit",
        wasm: { wasm_fn: async (imports) => (await WebAssembly.instantiate(module, imports)).exports },
      });
  } else if (engine === "aula86-wasm") {
    const mod = await import("/pkg/aula86_web.js");
    await mod.default({ module_or_path: await get("/pkg/aula86_web_bg.wasm") });
    run = () => runAula86(mod.Machine, new Uint8Array(fda));
  } else {
    throw new Error(`unknown engine ${engine}`);
  }
  return warmThenRun(run, warmMs);
};
window.benchReady = true;

/**
 * Boot a hard disk image in v86 (Linux to a busybox shell: scripts/bench-page-linux) and time,
 * from the page's navigation start (performance.now()), the shell prompt `prompt` on COM1 and on
 * the screen, and the answer `answer` to `command` typed on the keyboard, and when v86's
 * instruction count passed `splitAt`. Resolves with {split, serialPrompt, screenPrompt, answered}
 * in seconds, and the instructions v86 counted.
 */
window.bootV86 = async (hda, { jit = true, memMB = 64, prompt, command, answer, timeoutMs = 900000, splitAt = Infinity }) => {
  const { V86 } = await import("/v86/libv86.mjs");
  const module = await WebAssembly.compile(await get("/v86/v86.wasm"));
  // The screen as v86 wants it: a text layer and a canvas for graphics modes.
  const container = document.createElement("div");
  const text = document.createElement("div");
  text.style.cssText = "white-space: pre; font: 14px monospace; line-height: 14px";
  const canvas = document.createElement("canvas");
  canvas.style.display = "none";
  container.append(text, canvas);
  document.body.append(container);
  const emu = new V86({
    wasm_fn: async (imports) => (await WebAssembly.instantiate(module, imports)).exports,
    screen: { container },
    bios: { buffer: await get("/fw/bios.bin") },
    vga_bios: { buffer: await get("/fw/vgabios.bin") },
    hda: { buffer: await get(hda) },
    memory_size: memMB << 20,
    autostart: true,
    // The keyboard stays: keyboard_send_text needs v86's keyboard adapter.
    disable_mouse: true,
    disable_speaker: true,
    disable_jit: !jit,
  });
  const ready = new Promise((r) => emu.add_listener("emulator-ready", r));
  const times = {};
  let serial = "";
  const deadline = performance.now() + timeoutMs;
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const count = () => {
    try {
      return emu.get_instruction_counter();
    } catch {
      return 0; // not started yet
    }
  };
  const splitPoll = setInterval(() => {
    if (!(count() >= splitAt)) return;
    times.split = performance.now() / 1000;
    clearInterval(splitPoll);
  }, 20);
  emu.add_listener("serial0-output-byte", (b) => {
    serial += String.fromCharCode(b);
    if (times.serialPrompt === undefined && serial.includes(prompt)) times.serialPrompt = performance.now() / 1000;
  });
  // `text` a string (anywhere on the screen) or a RegExp (against each line).
  const screenHas = async (text) => {
    const left = Math.max(1, deadline - performance.now());
    if (await emu.wait_until_vga_screen_contains(text, { timeout_msec: left })) return performance.now() / 1000;
    throw new Error(
      `v86: no ${text} on the screen within ${timeoutMs} ms; ` +
        `the screen: ${JSON.stringify(container.innerText.trimEnd())}; COM1: ${JSON.stringify(serial.slice(-400))}`,
    );
  };
  try {
    await ready;
    times.screenPrompt = await screenHas(prompt);
    while (times.serialPrompt === undefined && performance.now() < deadline) await sleep(20);
    emu.keyboard_send_text(command);
    times.answered = await screenHas(new RegExp(answer));
    times.instructions = emu.get_instruction_counter();
    return times;
  } finally {
    clearInterval(splitPoll);
    await emu.destroy();
  }
};
