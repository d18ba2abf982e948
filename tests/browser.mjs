// Shared by the page tests (tests/e2e), the peer benchmarks (tests/peers) and
// scripts/screenshots: a static server (python3's http.server) on a free loopback port, over a
// directory or over a directory of symbolic links, and the system's headless Chromium through
// playwright-core (tests/e2e's node_modules; `npm ci` there installs it).
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, "..");

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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

/** Serve the directory `dir` at the root of the URL. Resolves with {url, close}. */
export async function serveDir(dir, onClose = () => {}) {
  const port = await freePort();
  const proc = spawn("python3", ["-m", "http.server", "--bind", "127.0.0.1", String(port)], {
    cwd: dir,
    stdio: "ignore",
  });
  const url = `http://127.0.0.1:${port}/`;
  const close = () => {
    proc.kill();
    onClose();
  };
  const deadline = Date.now() + 20000;
  for (;;) {
    try {
      if ((await fetch(url)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      close();
      throw new Error(`http.server did not answer at ${url}`);
    }
    await sleep(100);
  }
  process.on("exit", close); // also when the caller dies of an uncaught error
  return { url, close };
}

/**
 * Serve a fresh temporary directory holding one symbolic link per entry of `links`
 * ({name: target path}). Resolves with {url, close}.
 */
export async function serve(links) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aula86-peers-"));
  for (const [name, target] of Object.entries(links)) fs.symlinkSync(path.resolve(target), path.join(dir, name));
  return serveDir(dir, () => fs.rmSync(dir, { recursive: true, force: true }));
}

/** The system's Chromium, headless (CHROMIUM_PATH overrides /usr/bin/chromium). */
export async function launchChromium() {
  const pw = path.join(ROOT, "tests/e2e/node_modules/playwright-core/index.mjs");
  if (!fs.existsSync(pw)) throw new Error(`${pw} is missing: run npm ci in tests/e2e`);
  const { chromium } = await import(pathToFileURL(pw).href);
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
}
