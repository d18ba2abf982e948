// Page tests of the debugger panel of <aula86-pc>: serve www/ with python3's http.server on a
// free loopback port, open lesson.html (lesson 4: paging and a page fault) in the system's
// headless Chromium through playwright-core, and use the panel as a person would: a breakpoint
// on I/O port E9h (the lesson writes its text there) stops right after the OUT, with the code
// before EIP; the IDT with its gates; the page tables and the walk of a linear address; memory
// by physical address.
//
//   scripts/build-web && (cd tests/e2e && npm ci && node --test debugger.test.mjs)
//
// CHROMIUM_PATH overrides the browser (default /usr/bin/chromium), AULA86_WWW the directory
// served (default www/). Screenshots go to $E2E_SCREENSHOTS (default: a directory under the
// system's temp directory).

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium, serveDir } from "../browser.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WWW = process.env.AULA86_WWW ? path.resolve(process.env.AULA86_WWW) : path.resolve(HERE, "../../www");
const WAIT_MS = 20000;
const SHOTS = process.env.E2E_SCREENSHOTS || path.join(os.tmpdir(), "aula86-e2e");

let server;
let browser;
let baseUrl;

async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot: ${file}`);
}

before(async () => {
  assert.ok(existsSync(path.join(WWW, "pkg", "aula86_web.js")), `${WWW}/pkg/ is missing: run scripts/build-web first`);
  server = await serveDir(WWW);
  baseUrl = server.url;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
});

test("lesson.html: the debugger stops on I/O port E9h, shows the code before EIP, the IDT, a page walk, physical memory", async () => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 1600 }, locale: "en-US" });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => m.type() === "error" && problems.push(`console.error: ${m.text()}`));
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("response", (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
  await page.goto(baseUrl + "lesson.html?lesson=4&lang=en");
  await page.waitForFunction(() => window.aula86 && window.aula86.emu, null, { timeout: WAIT_MS });
  await page.evaluate((ms) => window.aula86.waitForText("Done: the CPU halts", ms), WAIT_MS);
  const pc = page.locator("#pc");
  await pc.locator("details[data-panel=debugger] summary").click();
  await pc.locator(".dbg-state table.disasm").waitFor({ timeout: WAIT_MS });

  // The IDT, built when its section opens: the lesson's 32-bit interrupt gates, #PF at 14.
  await pc.locator("details[data-sec=idt] summary").click();
  await pc.locator("table.idt").waitFor({ timeout: WAIT_MS });
  const pfRow = await pc.locator("table.idt tr[data-vector='14']").innerText();
  assert.match(pfRow, /^0E\s+#PF page fault/);
  assert.match(pfRow, /32-bit interrupt gate/);
  assert.match(pfRow, /0008:00007[0-9A-F]{3}/);
  assert.equal(await pc.locator("table.idt tbody tr").count(), 0x32);
  const idt = await pc.evaluate((e) => e.idt());
  assert.equal(idt.mode, "protected");
  assert.equal(idt.entries[0x30].dpl, 3);

  // A page walk: 200000h (the page the fault handler mapped), then above the mapped 4 MiB.
  await pc.locator(".dbg-walk").fill("200000");
  await pc.locator(".dbg-walk").dispatchEvent("change");
  await pc.locator("ol.walk").waitFor({ timeout: WAIT_MS });
  let walk = await pc.locator("ol.walk").innerText();
  assert.match(walk, /PDE @ 00020000 = 00021023 \[P R\/W A\]/);
  assert.match(walk, /PTE @ 00021800 = 00200023 \[P R\/W A\]/);
  assert.match(walk, /physical address 00200000 — rights: supervisor only, writable/);
  assert.equal(await pc.locator("table.pde tbody tr").count(), 1);
  assert.match(await pc.locator("table.pde tbody tr").innerText(), /00021000 4 KiB page table\s+P R\/W A\s+1024/);
  await pc.locator(".dbg-walk").fill("400000");
  await pc.locator(".dbg-walk").dispatchEvent("change");
  await page.waitForFunction(
    () => /directory entry is not present/.test(document.querySelector("#pc").shadowRoot.querySelector("ol.walk").textContent),
    null,
    { timeout: WAIT_MS },
  );
  const pt = await pc.evaluate((e) => e.pageTables(0x200000));
  assert.equal(pt.paging, true);
  assert.equal(pt.walk.physical, 0x200000);

  // Memory by physical address: the page table's entry for 200000h.
  await pc.locator(".dbg-mem").fill("21800");
  await pc.locator(".dbg-mem").dispatchEvent("change");
  await pc.locator(".dbg-physical").check();
  await page.waitForFunction(
    () => /Memory \(physical\)/.test(document.querySelector("#pc").shadowRoot.querySelector(".dbg-state").textContent),
    null,
    { timeout: WAIT_MS },
  );
  assert.match(await pc.locator("pre.mem").innerText(), /^00021800  23 00 20 00 /);
  assert.deepEqual([...(await pc.evaluate((e) => e.readPhysical(0x21800, 4)))], [0x23, 0x00, 0x20, 0x00]);

  // A breakpoint on port E9h, and the lesson again from a power cycle: it stops right after
  // the first OUT of its text ("L"), in real mode.
  await pc.locator(".dbg-ports").fill("E9");
  await pc.locator(".dbg-ports").dispatchEvent("change");
  await page.evaluate(() => {
    window.aula86.reset();
    window.aula86.resume();
  });
  await page.waitForFunction(
    () => {
      const e = window.aula86;
      return e.stats().paused && e.portHit() !== undefined;
    },
    null,
    { timeout: WAIT_MS },
  );
  const hit = await pc.evaluate((e) => e.portHit());
  assert.deepEqual(hit, { port: 0xe9, size: 1, write: true, value: 0x4c, device: "SysCtl" });
  assert.equal(await pc.evaluate((e) => e.stats().mode), "real");
  await page.waitForFunction(() => document.querySelector("#pc").shadowRoot.querySelector(".port-hit"), null, { timeout: WAIT_MS });
  assert.match(await pc.locator(".port-hit").innerText(), /Stopped after I\/O: OUT \(write\) to port 00E9h \(SysCtl\), ← 4Ch/);
  // The disassembly shows the instructions that led there, marked, the OUT last.
  const before = await pc.locator("table.disasm tr.before").allInnerTexts();
  assert.ok(before.length >= 3, before.join("\n"));
  assert.match(before.at(-1), /out 0E9h,al/);
  assert.match(before.at(-2), /j[ez] short/);
  const current = await pc.locator("table.disasm tr.current").innerText();
  const eip = await pc.evaluate((e) => e.registers().linear);
  assert.ok(current.startsWith(eip.toString(16).toUpperCase().padStart(8, "0")), current);
  // In real mode the IDT section is the IVT.
  await pc.locator("details[data-sec=idt]").evaluate((d) => d.open || (d.open = true));
  await page.waitForFunction(() => document.querySelector("#pc").shadowRoot.querySelectorAll("table.idt tbody tr").length === 256, null, {
    timeout: WAIT_MS,
  });
  assert.match(await pc.locator("details[data-sec=idt] summary").innerText(), /IVT/);
  assert.match(await pc.locator("table.idt tr[data-vector='19']").innerText(), /^13\s+segment:offset\s+[0-9A-F]{4}:[0-9A-F]{4}/);
  // Go on: the next stop is after the "e".
  await pc.locator(".dbg-run").click();
  await page.waitForFunction(() => window.aula86.stats().paused && window.aula86.portHit()?.value === 0x65, null, { timeout: WAIT_MS });
  // Cleared, the lesson runs to its end.
  await pc.locator(".dbg-ports").fill("");
  await pc.locator(".dbg-ports").dispatchEvent("change");
  assert.deepEqual(await pc.evaluate((e) => [...e.emu.machine.portBreaks()]), []);
  await pc.locator(".dbg-run").click();
  await page.evaluate((ms) => window.aula86.waitForText("Done: the CPU halts", ms), WAIT_MS);
  await shot(page, "debugger-lesson4");

  // Bad input from a script is an error, not a crash.
  const err = await pc.evaluate((e) => {
    try {
      e.setPortBreaks([0x10000]);
      return "";
    } catch (x) {
      return x.message;
    }
  });
  assert.match(err, /not an I\/O port/);
  const err2 = await pc.evaluate((e) => {
    try {
      e.readPhysical(-1, 4);
      return "";
    } catch (x) {
      return x.message;
    }
  });
  assert.match(err2, /physical address must be a whole number/);
  await context.close();
  assert.deepEqual(problems, []);
});
