// Page tests: serve www/ with python3's http.server on a free loopback port, open it in the
// system's headless Chromium through playwright-core, and check what a person would see.
//
//   scripts/build-web && (cd tests/e2e && npm ci && node --test)
//
// CHROMIUM_PATH overrides the browser (default /usr/bin/chromium).

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WWW = path.resolve(HERE, "../../www");
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];
const WAIT_MS = 15000;

const BANNER = "aula86 real-mode demo: 8086 code on the emulated CPU";
const PRIMES = "primes below 100: 2 3 5 7 11 13 17 19 23 29 31 37 41 43 47 53 59 61 67 71 73 79 83 89 97";
const SIEVE = "sieve round 1: 6542 primes below 65536";

let server;
let browser;
let baseUrl;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitForServer(url) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`http.server did not answer at ${url}`);
    await sleep(100);
  }
}

/** A fresh page that records console errors, page errors and failed requests. */
async function openPage() {
  const page = await browser.newPage();
  const problems = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console.error: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.goto(baseUrl);
  await page.waitForFunction(() => window.aula86 && window.aula86.stats().instructions > 0, null, {
    timeout: WAIT_MS,
  });
  return { page, problems };
}

const stats = (page) => page.evaluate(() => window.aula86.stats());

before(async () => {
  assert.ok(
    existsSync(path.join(WWW, "pkg", "aula86_web.js")),
    "www/pkg/ is missing: run scripts/build-web first",
  );
  const port = await freePort();
  server = spawn("python3", ["-m", "http.server", "--bind", "127.0.0.1", String(port)], {
    cwd: WWW,
    stdio: "ignore",
  });
  baseUrl = `http://127.0.0.1:${port}/`;
  await waitForServer(baseUrl);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
});

after(async () => {
  await browser?.close();
  server?.kill();
});

test("the page runs the demo: the count grows, 0xE9 text shows, no console errors", async () => {
  const { page, problems } = await openPage();
  const a = await stats(page);
  await sleep(500);
  const b = await stats(page);
  assert.ok(b.instructions > a.instructions, `count grows: ${a.instructions} -> ${b.instructions}`);
  assert.equal(b.running, true);
  assert.equal(b.mode, "real");
  assert.equal(b.cpl, 0);
  assert.equal(b.model, "286");
  assert.equal(b.exceptions, 0);
  assert.equal(b.invalidOpcodes, 0);

  // The text the guest wrote to port 0xE9 is on the page, not only in the API.
  await page.waitForFunction(
    (want) => document.getElementById("out").textContent.includes(want),
    SIEVE,
    { timeout: WAIT_MS },
  );
  const shown = await page.textContent("#out");
  assert.ok(shown.startsWith(`${BANNER}\n${PRIMES} \n${SIEVE}\n`), shown.slice(0, 300));
  const raw = await page.evaluate(() => window.aula86.debugOutput());
  assert.ok(raw.startsWith(`${BANNER}\r\n${PRIMES} \r\n${SIEVE}\r\n`));

  // The status panels show live values.
  assert.equal(await page.textContent("#mode"), "real");
  assert.match(await page.textContent("#reg-cs"), /^1000$/);
  await page.waitForFunction(() => Number(document.getElementById("mips").textContent) > 0, null, {
    timeout: WAIT_MS,
  });
  const shownCount = Number((await page.textContent("#instructions")).replace(/,/g, ""));
  assert.ok(shownCount > 0);

  await page.close();
  assert.deepEqual(problems, []);
});

test("pause stops the count and resume starts it again", async () => {
  const { page, problems } = await openPage();
  await page.evaluate(() => window.aula86.pause());
  const a = await stats(page);
  await sleep(400);
  const b = await stats(page);
  assert.equal(b.instructions, a.instructions, "no instructions while paused");
  assert.equal(b.running, false);
  assert.equal(await page.textContent("#status"), "Paused");
  assert.equal(await page.textContent("#pause"), "Resume");

  await page.evaluate(() => window.aula86.resume());
  await page.waitForFunction((n) => window.aula86.stats().instructions > n, b.instructions, {
    timeout: WAIT_MS,
  });

  // The button does the same.
  await page.click("#pause");
  const c = await stats(page);
  await sleep(400);
  assert.equal((await stats(page)).instructions, c.instructions);
  await page.click("#pause");
  await page.waitForFunction((n) => window.aula86.stats().instructions > n, c.instructions, {
    timeout: WAIT_MS,
  });

  await page.close();
  assert.deepEqual(problems, []);
});

test("reset starts the program over", async () => {
  const { page, problems } = await openPage();
  await page.waitForFunction((want) => window.aula86.debugOutput().includes(want), SIEVE, {
    timeout: WAIT_MS,
  });
  await page.evaluate(() => window.aula86.pause());
  const before = await stats(page);
  const afterReset = await page.evaluate(() => {
    window.aula86.reset();
    return { out: window.aula86.debugOutput(), ...window.aula86.stats() };
  });
  assert.ok(before.instructions > 0);
  assert.equal(afterReset.instructions, 0, "counters start over");
  assert.equal(afterReset.out, "", "the 0xE9 output starts over");
  assert.equal(afterReset.running, true);
  await page.waitForFunction((want) => window.aula86.debugOutput().includes(want), SIEVE, {
    timeout: WAIT_MS,
  });
  const out = await page.evaluate(() => window.aula86.debugOutput());
  assert.ok(out.startsWith(BANNER), out.slice(0, 200));
  assert.equal(out.split(SIEVE).length, 2, "the output starts over rather than repeating");

  await page.close();
  assert.deepEqual(problems, []);
});
