// The real-software boots of scripts/boot-tests (tests/boots.mjs), run by the page's wasm build
// (www/pkg) in Node: in wasm a usize is 32 bits, so arithmetic near 4 GiB that is fine natively
// can wrap there (two such panics were found only in the browser: a REP MOVS from the top of the
// address space under SeaBIOS without a VGA BIOS, and Machine.load near 4 GiB). Each boot runs
// as the page runs the machine, in slices paced by emulated time, and waits for what the native
// boot test waits for.
//   node tests/wasm-boot/boot.mjs FIXTURES_DIR DEMO_IMG [NAME...]
// Prints one line a boot; exits non-zero if any failed.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BOOTS, fileOf } from "../boots.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const PKG = path.join(ROOT, "www/pkg");
const [fixtures, demo, ...only] = process.argv.slice(2);
if (!fixtures || !demo) {
  console.error("usage: node tests/wasm-boot/boot.mjs FIXTURES_DIR DEMO_IMG [NAME...]");
  process.exit(2);
}
const mod = await import(path.join(PKG, "aula86_web.js"));
await mod.default({ module_or_path: fs.readFileSync(path.join(PKG, "aula86_web_bg.wasm")) });
const { Machine } = mod;

/** A boot that has not got there after this many instructions has failed. */
const LIMIT_INSNS = 6e9;

/** Boot one; returns the instructions it took, or throws saying where it stuck. */
function boot(name) {
  const b = BOOTS[name];
  const read = (file) => fs.readFileSync(fileOf(file, fixtures, demo));
  const mem = (b.mem || 16) * 1048576;
  const m = b.firmware
    ? Machine.withFirmware(mem, "pentiumpro", undefined, read(b.firmware[0]), b.firmware[1] && read(b.firmware[1]))
    : new Machine(mem, "pentiumpro");
  try {
    for (const [slot, file] of Object.entries(b.disks)) m.insertDisk(slot, read(file));
    m.setMips(300);
    let serial = "";
    for (const step of b.steps) {
      if (step.type !== undefined) {
        m.typeText(step.type);
        continue;
      }
      for (;;) {
        const exit = m.runFor(2_000_000, m.now() + 10e6);
        serial += new TextDecoder("latin1").decode(m.takeSerial());
        if (step.poweroff && exit === "poweroff") break;
        if (step.text !== undefined && m.screenText().includes(step.text)) break;
        if (step.serial !== undefined && serial.includes(step.serial)) break;
        if (!["budget", "time", "idle"].includes(exit)) throw new Error(`stopped (${exit}) waiting for ${JSON.stringify(step)}`);
        if (m.counters().instructions > LIMIT_INSNS) throw new Error(`no ${JSON.stringify(step)} after ${LIMIT_INSNS / 1e9} G instructions`);
      }
    }
    return m.counters().instructions;
  } finally {
    try {
      m.free();
    } catch {
      // A machine that panicked stays borrowed: the panic is the error to report.
    }
  }
}

const names = only.length ? only : Object.keys(BOOTS);
let failed = 0;
for (const name of names) {
  const t0 = performance.now();
  let line;
  try {
    if (!BOOTS[name]) throw new Error("no such boot");
    const n = boot(name);
    line = `PASS  ${((performance.now() - t0) / 1000).toFixed(1).padStart(5)} s  ${(n / 1e9).toFixed(2)} G instructions`;
  } catch (e) {
    failed++;
    line = `FAIL  ${e && e.message ? e.message : e}`;
  }
  console.log(`${name.padEnd(22)} ${line}`);
}
console.log(`${names.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
