// The real-software boots of scripts/boot-tests, run by the page's wasm build (www/pkg) in Node:
// in wasm a usize is 32 bits, so arithmetic near 4 GiB that is fine natively can wrap there (two
// such panics were found only in the browser: a REP MOVS from the top of the address space under
// SeaBIOS without a VGA BIOS, and Machine.load near 4 GiB). Each boot runs as the page runs the
// machine, in slices paced by emulated time, and waits for what the native boot test waits for.
//   node tests/wasm-boot/boot.mjs FIXTURES_DIR DEMO_IMG [NAME...]
// Prints one line a boot; exits non-zero if any failed.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

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

const file = (name) => fs.readFileSync(path.join(fixtures, name));
const SEABIOS = () => [file("seabios/bios.bin"), file("seabios/vgabios-stdvga.bin")];
const LINUX = [
  { serial: "aula86#" },
  { text: "aula86#" },
  { type: "echo $((6*7))\n" },
  { text: "42" },
];
const POWEROFF = [{ type: "poweroff -f\n" }, { exit: "poweroff" }];
const MEMTEST = [{ text: "Memtest86+" }, { type: "\n" }, { text: "Test #" }];

// name: {firmware: [bios, vgaBios?] or none, disks: [[slot, bytes]], steps, mem (MiB)}
const BOOTS = {
  "demo-builtin": () => ({ disks: [["fda", fs.readFileSync(demo)]], steps: [{ text: "aula86 demo disk" }] }),
  "demo-seabios": () => ({ firmware: SEABIOS(), disks: [["fda", fs.readFileSync(demo)]], steps: [{ text: "aula86 demo disk" }] }),
  // Without its VGA BIOS SeaBIOS shows nothing; the demo disk still boots and writes COM1.
  "demo-seabios-novga": () => ({
    firmware: [file("seabios/bios.bin")],
    disks: [["fda", fs.readFileSync(demo)]],
    steps: [{ serial: "aula86 demo disk: booted from drive 00h" }],
  }),
  "memtest-floppy": () => ({ mem: 64, disks: [["fda", file("memtest-fd.img")]], steps: MEMTEST }),
  "linux-builtin": () => ({ mem: 64, disks: [["hda", file("linux-hd.img")]], steps: [...LINUX, ...POWEROFF] }),
  "linux-seabios": () => ({ mem: 64, firmware: SEABIOS(), disks: [["hda", file("linux-hd.img")]], steps: LINUX }),
  "linux-cdrom": () => ({ mem: 64, disks: [["cdrom", file("linux.iso")]], steps: [...LINUX, ...POWEROFF] }),
  "memtest-cdrom": () => ({ mem: 64, disks: [["cdrom", file("memtest.iso")]], steps: MEMTEST }),
  "memtest-cdrom-seabios": () => ({ mem: 64, firmware: SEABIOS(), disks: [["cdrom", file("memtest.iso")]], steps: MEMTEST }),
};

const LIMIT_INSNS = 6e9;

/** Boot one; resolves with the instructions it took, or throws saying where it stuck. */
function boot(name) {
  const b = BOOTS[name]();
  const mem = (b.mem || 16) * 1048576;
  const m = b.firmware
    ? Machine.withFirmware(mem, "pentiumpro", undefined, b.firmware[0], b.firmware[1])
    : new Machine(mem, "pentiumpro");
  try {
    for (const [slot, bytes] of b.disks) m.insertDisk(slot, bytes);
    m.setMips(300);
    let serial = "";
    for (const step of b.steps) {
      if (step.type) {
        m.typeText(step.type);
        continue;
      }
      for (;;) {
        const exit = m.runFor(2_000_000, m.now() + 10e6);
        serial += new TextDecoder("latin1").decode(m.takeSerial());
        if (step.exit && exit === step.exit) break;
        if (step.text && m.screenText().includes(step.text)) break;
        if (step.serial && serial.includes(step.serial)) break;
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
