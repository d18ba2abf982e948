// Benchmark floppies in headless Chromium, one fresh page per run:
//   node tests/peers/browser-bench.mjs IMAGE_DIR ENGINE:IMAGE...
// ENGINE is v86-jit, v86-interp (v86 from $V86_DIR, firmware $BIOS and $VGA_BIOS) or
// aula86-wasm (www/pkg, or $AULA86_PKG); IMAGE a file name in IMAGE_DIR. Prints one JSON line a run:
// {"engine", "image", "seconds", "instructions"} (or "error"), seconds timed inside the page
// from creating the machine to its halt (scripts/bench-peers takes differences of them), after
// untimed runs of the same image in the same page for WARM_MS milliseconds at least (default 0).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { launchChromium, ROOT, serve } from "../browser.mjs";

const [imageDir, ...jobs] = process.argv.slice(2);
const links = { peers: path.join(ROOT, "tests/peers"), pkg: process.env.AULA86_PKG || path.join(ROOT, "www/pkg"), img: imageDir };
if (process.env.V86_DIR) {
  links.v86 = path.join(process.env.V86_DIR, "build");
  const fw = fs.mkdtempSync(path.join(os.tmpdir(), "aula86-fw-"));
  fs.symlinkSync(path.resolve(process.env.BIOS), path.join(fw, "bios.bin"));
  fs.symlinkSync(path.resolve(process.env.VGA_BIOS), path.join(fw, "vgabios.bin"));
  links.fw = fw;
}
const server = await serve(links);
const browser = await launchChromium();
let failed = 0;
try {
  for (const job of jobs) {
    const [engine, image] = job.split(":");
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    try {
      await page.goto(`${server.url}peers/bench.html`);
      await page.waitForFunction(() => window.benchReady, null, { timeout: 20000 });
      const warmMs = Number(process.env.WARM_MS || 0);
      const r = await page.evaluate(([e, i, w]) => window.bench(e, i, { warmMs: w }), [engine, `/img/${image}`, warmMs]);
      console.log(JSON.stringify({ engine, image, ...r }));
    } catch (e) {
      failed++;
      console.log(JSON.stringify({ engine, image, error: `${e.message} ${errors.join("; ")}`.trim() }));
    } finally {
      await page.close();
    }
  }
} finally {
  await browser.close();
  server.close();
  if (links.fw) fs.rmSync(links.fw, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
