// The instruction cases of `aula86 bench --case` in the page's wasm build, in Node:
// `node tests/peers/cases.mjs [NAME...]` (www/pkg, or $AULA86_PKG). For each case, nanoseconds
// per guest instruction: the best of ROUNDS (default 9) runs of 10 million instructions, after a
// warm-up long enough for V8's optimizing compiler to take over. Prints one JSON line a case:
// {"case", "ns"}.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const pkg = path.resolve(process.env.AULA86_PKG || path.join(HERE, "../../www/pkg"));
const mod = await import(pathToFileURL(path.join(pkg, "aula86_web.js")).href);
await mod.default({ module_or_path: fs.readFileSync(path.join(pkg, "aula86_web_bg.wasm")) });

const ROUNDS = Number(process.env.ROUNDS || 9);
const INSNS = 10_000_000;
const wanted = process.argv.slice(2);
const names = mod.benchCaseNames().filter((n) => wanted.length === 0 || wanted.includes(n));
if (wanted.some((n) => !names.includes(n))) {
  console.error(`unknown case; the cases: ${mod.benchCaseNames().join(", ")}`);
  process.exit(2);
}

function run(m, n) {
  const before = m.counters().instructions;
  const why = m.run(n);
  if (why !== "budget") throw new Error(`the guest stopped: ${why}`);
  return m.counters().instructions - before;
}

for (const [i, name] of names.entries()) {
  const m = new mod.Machine(1 << 20, "pentiumpro");
  try {
    m.load(0x10000, mod.benchCase(name));
    m.setReg("cs", 0x1000);
    m.setReg("eip", 0);
    // The first case waits for V8's optimized code (it comes after a few hundred milliseconds).
    const warm = performance.now();
    do run(m, 1_000_000);
    while (i === 0 && performance.now() - warm < 2000);
    let best = Infinity;
    for (let r = 0; r < ROUNDS; r++) {
      const t0 = performance.now();
      const n = run(m, INSNS);
      best = Math.min(best, ((performance.now() - t0) * 1e6) / n);
    }
    console.log(JSON.stringify({ case: name, ns: Number(best.toFixed(3)) }));
  } finally {
    m.free();
  }
}
