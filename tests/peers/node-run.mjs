// One benchmark floppy in Node: `node tests/peers/node-run.mjs ENGINE IMAGE`, where ENGINE is
// v86-jit, v86-interp (v86 from the npm package in $V86_DIR, firmware $BIOS and $VGA_BIOS) or
// aula86-wasm (www/pkg, built by scripts/build-web, or $AULA86_PKG). Prints one JSON line:
// {"engine", "seconds", "instructions"}, seconds from creating the machine to its halt. With
// WARM_MS set, untimed runs of the same image come first for that many milliseconds at least (see
// scripts/bench-peers).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runAula86, runV86, warmThenRun } from "./bench-lib.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const [engine, image] = process.argv.slice(2);
const buf = (f) => {
  const b = fs.readFileSync(f);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.length);
};

let run;
if (engine === "v86-jit" || engine === "v86-interp") {
  const dir = process.env.V86_DIR;
  const { V86 } = await import(pathToFileURL(path.join(dir, "build/libv86.mjs")).href);
  const files = { bios: buf(process.env.BIOS), vgaBios: buf(process.env.VGA_BIOS), fda: buf(image) };
  // Compiled before the clock starts: only instantiating it is timed.
  const module = await WebAssembly.compile(fs.readFileSync(path.join(dir, "build/v86.wasm")));
  run = () =>
    runV86(V86, files, {
      jit: engine === "v86-jit",
      wasm: { wasm_fn: async (imports) => (await WebAssembly.instantiate(module, imports)).exports },
    });
} else if (engine === "aula86-wasm") {
  const pkg = path.resolve(process.env.AULA86_PKG || path.join(HERE, "../../www/pkg"));
  const mod = await import(pathToFileURL(path.join(pkg, "aula86_web.js")).href);
  await mod.default({ module_or_path: fs.readFileSync(path.join(pkg, "aula86_web_bg.wasm")) });
  run = () => runAula86(mod.Machine, new Uint8Array(buf(image)));
} else {
  console.error(`unknown engine ${engine}`);
  process.exit(2);
}
const result = await warmThenRun(run, Number(process.env.WARM_MS || 0));
console.log(JSON.stringify({ engine, ...result }));
process.exit(0);
