// The README's screenshots of the page (scripts/screenshots runs this): serve www/ with
// python3's http.server on a free loopback port, open the page in the system's headless Chromium
// (playwright-core from tests/e2e) with lesson 5 (the trap-and-emulate monitor) and the lens,
// timeline and debugger panels, run the lesson to its end, and save:
//
//   page.png      the page: the toolbars, the screen, the status line, the lesson and the lens
//   lens.png      the lens panel: instructions by class x ring x mode, and the holes
//   timeline.png  the timeline panel: exceptions with CPL before -> after, BIOS calls, I/O
//   debugger.png  the debugger, stopped right after a #GP from ring 3 (the monitor's handler)
//
// into www/screenshots/ (or the directory given as the first argument). AULA86_WWW names
// another copy of www/ to serve; CHROMIUM_PATH another browser (default /usr/bin/chromium).

import { mkdirSync, statSync } from "node:fs";
import path from "node:path";
import { launchChromium, ROOT, serveDir } from "../tests/browser.mjs";

const WWW = path.resolve(process.env.AULA86_WWW || path.join(ROOT, "www"));
const OUT = path.resolve(process.argv[2] || path.join(ROOT, "www/screenshots"));
const WAIT_MS = 30000;
/** The lesson's last line on the screen. */
const LESSON_END = "virtualizable by trap-and-emulate alone";

async function main() {
  mkdirSync(OUT, { recursive: true });
  const server = await serveDir(WWW);
  const base = server.url;
  let browser;
  try {
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1000, height: 1180 }, locale: "en-US", colorScheme: "light" });
    const page = await context.newPage();
    const problems = [];
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
    await page.goto(`${base}index.html?lesson=5&panels=lens,timeline,debugger&lang=en`);
    await page.waitForFunction(() => window.aula86 && window.aula86.machine, null, { timeout: WAIT_MS });
    await page.evaluate(([t, ms]) => window.aula86.waitForText(t, ms), [LESSON_END, WAIT_MS]);
    await page.waitForFunction(() => window.aula86.classCounts().holesTotal === 2, null, { timeout: WAIT_MS });
    const pc = page.locator("#machine");
    // The status line and the panels refresh four times a second: let them catch up.
    await pc.locator("table.holes").waitFor({ timeout: WAIT_MS });
    await pc.locator("table.timeline").waitFor({ timeout: WAIT_MS });
    await page.waitForTimeout(600);
    // The page without the debugger (it is long): screen, status, lesson text, lens.
    await pc.evaluate((e) => e.openPanel("debugger", false));
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    await page.screenshot({ path: path.join(OUT, "page.png") });
    await pc.locator("details[data-panel=lens]").screenshot({ path: path.join(OUT, "lens.png") });
    await pc.locator("details[data-panel=timeline]").screenshot({ path: path.join(OUT, "timeline.png") });

    // The debugger: run the lesson again and stop right after the first #GP, in the monitor's
    // handler (ring 0), with the instruction that trapped in the disassembly before it.
    await pc.evaluate((e) => {
      e.openPanel("lens", false);
      e.openPanel("timeline", false);
      e.openPanel("debugger", true);
    });
    await pc.locator(".dbg-vectors").fill("13");
    await pc.locator(".dbg-vectors").dispatchEvent("change");
    await pc.evaluate((e) => e.reset());
    await page.waitForFunction(() => {
      const s = window.aula86.stats();
      return s.paused && s.mode === "protected" && s.cpl === 0 && window.aula86.timeline().some((ev) => ev.vector === 13);
    }, null, { timeout: WAIT_MS });
    await page.waitForTimeout(600);
    await pc.locator(".dbg-state table.disasm").waitFor({ timeout: WAIT_MS });
    await pc.locator("details[data-panel=debugger]").screenshot({ path: path.join(OUT, "debugger.png") });
    await context.close();
    if (problems.length) throw new Error(`the page reported errors: ${problems.join("; ")}`);
    for (const name of ["page", "lens", "timeline", "debugger"]) {
      const file = path.join(OUT, `${name}.png`);
      console.log(`${path.relative(process.cwd(), file)}: ${Math.round(statSync(file).size / 1024)} KB`);
    }
  } finally {
    await browser?.close();
    server.close();
  }
}

main().catch((e) => {
  console.error(`screenshots: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
