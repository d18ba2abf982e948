// Linux to a shell prompt in headless Chromium: aula86's page (www/, built-in BIOS) against v86
// (SeaBIOS), on the same hard disk image (scripts/fixtures: linux-hd.img, Debian's i386 kernel
// and a busybox initramfs with a shell on COM1 and on the screen).
//   node tests/peers/page-linux.mjs IMAGE ENGINE...
// ENGINE: aula86 (www/, or $AULA86_WWW), v86-jit, v86-interp (v86 from $V86_DIR, firmware $BIOS
// and $VGA_BIOS). Each gets a fresh page; the clock is the page's performance.now(), from the
// start of navigation (so page load, wasm and image fetch included, the same for both) to the
// prompt on COM1, the prompt on the screen, and the answer 42 to `echo $((6*7))` typed on the
// keyboard. Prints one JSON line an engine, then a table.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { launchChromium, ROOT, serve } from "../browser.mjs";

const PROMPT = "aula86#";
const COMMAND = "echo $((6*7))\n";
const ANSWER = "^42\\s*$";
const TIMEOUT_MS = Number(process.env.TIMEOUT_MS || 900000);
// A point inside the kernel's XZ decompressor on this image in both emulators (it ends at about
// 2.35 G instructions in aula86): the time each reaches it splits the boot into the decompressor's
// one hot loop and the kernel's own start, many cold paths (crates/cpu/PERFORMANCE.md, "Where the page's time goes").
const SPLIT_INSNS = 2.2e9;
const MEM_MB = 64;

const [image, ...engines] = process.argv.slice(2);
const links = {
  www: process.env.AULA86_WWW || path.join(ROOT, "www"),
  peers: path.join(ROOT, "tests/peers"),
  img: path.dirname(path.resolve(image)),
};
let fw;
if (process.env.V86_DIR) {
  links.v86 = path.join(process.env.V86_DIR, "build");
  fw = fs.mkdtempSync(path.join(os.tmpdir(), "aula86-fw-"));
  fs.symlinkSync(path.resolve(process.env.BIOS), path.join(fw, "bios.bin"));
  fs.symlinkSync(path.resolve(process.env.VGA_BIOS), path.join(fw, "vgabios.bin"));
  links.fw = fw;
}
const imageUrl = `/img/${path.basename(image)}`;

async function aula86(page, url) {
  await page.goto(`${url}www/index.html?hda=..${imageUrl}&mem=${MEM_MB}`);
  await page.waitForFunction(() => window.aula86 && window.aula86.machine, null, { timeout: 60000 });
  await page.evaluate((n) => {
    const id = setInterval(() => {
      if (window.aula86.machine.counters().instructions < n) return;
      window.splitAt = performance.now() / 1000;
      clearInterval(id);
    }, 20);
  }, SPLIT_INSNS);
  const opts = { timeout: TIMEOUT_MS, polling: 50 };
  const serialPrompt = page
    .waitForFunction((p) => window.aula86.serialOutput().includes(p) && performance.now() / 1000, PROMPT, opts)
    .then((h) => h.jsonValue());
  serialPrompt.catch(() => {}); // awaited below
  const screenPrompt = await (
    await page.waitForFunction((p) => window.aula86.screenText().includes(p) && performance.now() / 1000, PROMPT, opts)
  ).jsonValue();
  await page.evaluate((c) => window.aula86.sendText(c), COMMAND);
  const answered = await (
    await page.waitForFunction(
      (a) => window.aula86.screenText().split("\n").some((l) => new RegExp(a).test(l.trimEnd())) && performance.now() / 1000,
      ANSWER,
      opts,
    )
  ).jsonValue();
  const stats = await page.evaluate(() => window.aula86.stats());
  return {
    split: await page.evaluate(() => window.splitAt),
    serialPrompt: await serialPrompt,
    screenPrompt,
    answered,
    instructions: stats.instructions,
    // The page keeps emulated time at or behind the wall clock: a guest that waits, waits.
    emulatedSeconds: stats.emulatedMs / 1000,
    // The clock the page measured for an unlimited CPU: a guest faster than it is held to it.
    clockMips: stats.clockMips,
  };
}

async function v86(page, url, jit) {
  await page.goto(`${url}peers/bench.html`);
  await page.waitForFunction(() => window.benchReady, null, { timeout: 60000 });
  return page.evaluate(([img, o]) => window.bootV86(img, o), [
    imageUrl,
    { jit, memMB: MEM_MB, prompt: PROMPT, command: COMMAND, answer: ANSWER, timeoutMs: TIMEOUT_MS, splitAt: SPLIT_INSNS },
  ]);
}

const RUN = { aula86, "v86-jit": (p, u) => v86(p, u, true), "v86-interp": (p, u) => v86(p, u, false) };
const server = await serve(links);
const browser = await launchChromium();
const results = [];
let failed = 0;
// RUNS (default 1) rounds, each engine once a round: the machine's speed drifts, so
// interleaved rounds compare the engines under the same conditions; the table gives medians.
const RUNS = Math.max(1, Number(process.env.RUNS) || 1);
try {
  for (let round = 0; round < RUNS; round++) {
    for (const engine of engines) {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const errors = [];
      page.on("pageerror", (e) => errors.push(e.message));
      try {
        if (!RUN[engine]) throw new Error(`unknown engine ${engine}`);
        const r = { engine, ...(await RUN[engine](page, server.url)) };
        results.push(r);
        console.log(JSON.stringify(r));
      } catch (e) {
        failed++;
        const screen = await page
          .evaluate(() => (window.aula86 && window.aula86.machine ? window.aula86.screenText() : undefined))
          .catch(() => undefined);
        const error = `${e.message} ${errors.join("; ")}`.trim();
        console.log(JSON.stringify({ engine, error, ...(screen ? { screen } : {}) }));
      } finally {
        await page.close();
      }
    }
  }
} finally {
  await browser.close();
  server.close();
  if (fw) fs.rmSync(fw, { recursive: true, force: true });
}

/** Per engine, the run with the median time to the answer (the lower middle one of an even count). */
const medians = engines.flatMap((engine) => {
  const runs = results.filter((r) => r.engine === engine).sort((a, b) => a.answered - b.answered);
  return runs.length ? [{ ...runs[(runs.length - 1) >> 1], runs: runs.length }] : [];
});
const s = (x) => (typeof x === "number" ? `${x.toFixed(1)} s` : "-");
const g = (x) => (typeof x === "number" ? `${(x / 1e9).toFixed(2)} G` : "-");
const mips = (r) => (r.instructions && r.answered ? (r.instructions / r.answered / 1e6).toFixed(1) : "-");
console.log(
  `\n${"engine".padEnd(12)} ${"2.2 G insns".padStart(12)} ${"COM1 prompt".padStart(12)} ${"screen prompt".padStart(14)} ` +
    `${"answer 42".padStart(10)} ${"instructions".padStart(13)} ${"mean MIPS".padStart(10)} ${"emulated".padStart(9)} ` +
    `${"clock".padStart(6)}`,
);
for (const r of medians) {
  console.log(
    `${r.engine.padEnd(12)} ${s(r.split).padStart(12)} ${s(r.serialPrompt).padStart(12)} ${s(r.screenPrompt).padStart(14)} ` +
      `${s(r.answered).padStart(10)} ${g(r.instructions).padStart(13)} ${mips(r).padStart(10)} ${s(r.emulatedSeconds).padStart(9)} ` +
      `${(r.clockMips ? String(r.clockMips) : "-").padStart(6)}`,
  );
}
console.log(
  "(seconds from the start of the page's navigation; 2.2 G insns: when the instruction count passed that, inside " +
    "the kernel's decompressor; aula86: built-in BIOS, v86: SeaBIOS; " +
    `${RUNS > 1 ? `each row the run with the median answer time of ${RUNS}; ` : ""}` +
    "emulated: the guest's time at the answer, aula86 only; clock: the MIPS the page measured for " +
    "its unlimited CPU, which holds a faster guest back, aula86 only)",
);
process.exit(failed ? 1 : 0);
