// The aula86 engine for a page: one wasm Machine, run in slices from requestAnimationFrame with
// its emulated time paced to the wall clock, drawn on a <canvas>, fed from the keyboard and the
// mouse, with drives, the serial port and an API for automation (window.aula86 is one of
// these). It knows nothing of the page around it: the page listens to its events.
//
// The run loop: each animation frame runs the machine for a share of the frame's wall time (between
// MIN_SLICE_MS and MAX_SLICE_MS: it grows while frames come on time and shrinks when they come
// late), in calls of about a millisecond each; while the guest is busy, further slices of
// PUMP_SLICE_MS run as separate tasks between frames (a MessageChannel message each), so the
// machine gets most of the main thread and the browser still draws and handles input between
// any two of them. Emulated time never runs ahead of the wall clock (times `speed`).
// The CPU clock: `mips` (0 = unlimited) sets how many instructions a second of emulated time
// holds; as emulated time is paced to the wall clock, a busy guest then runs at that many MIPS,
// with its timers still in real time (a slow CPU, not a slow clock). Unlimited runs at the
// host's own speed, measured once when the engine starts (`clockMips`: the benchmark guest for
// a few hundred milliseconds, in windows of about 5 ms with the browser's turn between them),
// and kept in localStorage for a day, so that the page's next loads start at once with it.
// It is chosen once: a guest that calibrated its delay loops against it would drift if it
// changed. A host busier than that measured leaves emulated time behind the wall clock for a
// while (the guest's clock runs slow) instead of slowing the CPU down.

// Events (an EventTarget): "serial" (detail: the new text from COM1, one character per byte),
// "stop" (detail: {reason, message}: the machine stopped by itself), "status" (detail: stats(),
// four times a second), "firmware" (detail: a message of the BIOS), "disk" (detail: {slot,
// info}: a disk went in or out), "reset", "pause", "resume", "ready", "breakpoint" (detail:
// {linear}: the machine paused before an instruction at a breakpoint), "mips" (detail: the new
// CPU speed limit), "clockcheck" (detail: {clock, rate}: the host's speed checked again five
// seconds in; a rate far above the clock forgets the kept speed, see _checkClock).

import init, { GuestRam, ImageBuffer, Machine, version } from "./pkg/aula86_web.js";
import { keySequence, scanCode } from "./keyboard.js";
import { BENCH32 } from "./bench.js";

/** Wall-clock time the machine may run per animation frame (the rest draws and stays fluid). */
const MIN_SLICE_MS = 4;
const MAX_SLICE_MS = 12;
/** A frame interval longer than this means frames are being dropped: run less per frame. */
const LATE_FRAME_MS = 20;
/** A slice run between frames while the guest is busy (a task of its own). */
const PUMP_SLICE_MS = 4;
/**
 * Slices between frames stop when no frame has come for this long: a hidden tab gets no
 * animation frames, and then the machine waits (as it always did) instead of running flat out
 * in the background.
 */
const PUMP_AFTER_FRAME_MS = 100;
/** How long the host's speed is measured for, when the engine starts (see measureHostMips). */
const CALIBRATE_MIN_MS = 150;
const CALIBRATE_MAX_MS = 800;
/**
 * The best rate must hold this many windows and this long: the engine's optimized code can take
 * a few hundred milliseconds to come, and until then the rate holds still at about half of it.
 */
const STABLE_WINDOWS = 16;
const STABLE_MS = 150;
/**
 * The clock chosen for an unlimited CPU stays within these (MIPS). The lower bound is the clock
 * of a machine without the page (the CLI's): a slow host then runs the guest's clock slow while
 * it is busy, rather than a fast host being held back.
 */
const MIN_CLOCK_MIPS = 50;
const MAX_CLOCK_MIPS = 2000;
/** Emulated time never runs ahead of the wall clock by more than this after a stall. */
const MAX_CATCH_UP_MS = 100;
/** The COM1 text kept for serialOutput(). */
const MAX_SERIAL_CHARS = 1 << 20;
const STATUS_EVERY_MS = 250;

/**
 * The host's speed in MIPS: the 32-bit benchmark guest (bench.js) in a machine of its own, in
 * windows of about 5 ms, until the best rate has held for STABLE_WINDOWS windows and STABLE_MS
 * (at least CALIBRATE_MIN_MS, at most CALIBRATE_MAX_MS). The wait is for the wasm engine: it
 * first runs the interpreter from a quick baseline compilation, at about half the speed, and
 * switches to its optimized code when that is ready, after 0.1 to 0.7 s here (Chromium).
 */
async function measureHostMips() {
  let best = 0;
  let stable = 0;
  let bestAt = 0;
  const start = performance.now();
  try {
    for await (const w of benchWindows()) {
      if (w.dt >= 1) {
        if (w.rate > best * 1.08) {
          best = w.rate;
          stable = 0;
          bestAt = w.at - start;
        } else if (w.rate >= best * 0.92) {
          stable++;
        }
      }
      const elapsed = performance.now() - start;
      const held = stable >= STABLE_WINDOWS && elapsed - bestAt >= STABLE_MS;
      if (elapsed >= CALIBRATE_MAX_MS || (elapsed >= CALIBRATE_MIN_MS && held)) break;
    }
  } catch {
    return 0;
  }
  return best;
}

/** The best rate of the benchmark guest in `windows` windows of about 5 ms. */
async function benchRate(windows) {
  let best = 0;
  let count = 0;
  try {
    for await (const w of benchWindows()) {
      if (w.dt >= 1) best = Math.max(best, w.rate);
      if (++count >= windows) break;
    }
  } catch {
    return 0;
  }
  return best;
}

/**
 * The benchmark guest in a machine of its own, window after window of about 5 ms, with the
 * browser's turn between them (the page stays responsive meanwhile): {rate (MIPS), dt (ms), at
 * (when the window began)} each, until the guest stops or the caller does.
 */
async function* benchWindows() {
  const m = benchMachine();
  try {
    let n = 100_000;
    for (;;) {
      const at = performance.now();
      const w = benchWindow(m, n);
      if (!w) return;
      n = w.next;
      yield { rate: w.rate, dt: w.dt, at };
      await yieldTask();
    }
  } finally {
    m.free();
  }
}

/** A machine of its own running the 32-bit benchmark guest (bench.js), a little way in. */
function benchMachine() {
  const m = new Machine(1 << 20, "pentiumpro");
  m.load(0x10000, BENCH32);
  m.setReg("cs", 0x1000);
  m.setReg("eip", 0);
  m.run(100_000);
  return m;
}

/**
 * `n` more instructions of the benchmark machine: {rate (MIPS), dt (ms), next (the `n` for a
 * window of about 5 ms)}, or null if the guest stopped.
 */
function benchWindow(m, n) {
  const t0 = performance.now();
  const first = m.counters().instructions;
  if (m.run(n) !== "budget") return null;
  const dt = performance.now() - t0;
  const rate = (m.counters().instructions - first) / dt / 1000;
  // Aim at windows of about 5 ms, growing at most twofold: the engine's switch to optimized
  // code changes the speed several times over, and a window must not become a long task.
  const next = Math.max(10_000, Math.min(dt > 0.1 ? Math.round((n * 5) / dt) : n * 2, n * 2));
  return { rate, dt, next };
}

/**
 * Let the browser run its other tasks (input, drawing) once, and go on right after: a message to
 * ourselves, not setTimeout(0), which Chromium holds back 4 ms once nested.
 */
function yieldTask() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(0);
  });
}

/** The host's speed (a promise of it), measured once a page: machines on a page share it. */
let hostMips = null;

/**
 * Where the host's measured speed is kept between loads of the page (localStorage, this
 * origin), and how long it is trusted: the measurement is most of the engine's start.
 */
const HOST_MIPS_KEY = "aula86.hostMips";
const HOST_MIPS_MAX_AGE_MS = 24 * 3600 * 1000;

/** The host's speed as a load of this page measured it in the last day, for this version; or null. */
function storedHostMips() {
  try {
    const kept = JSON.parse(localStorage.getItem(HOST_MIPS_KEY));
    const age = Date.now() - kept.at;
    if (kept.version === version() && kept.mips > 0 && age >= 0 && age < HOST_MIPS_MAX_AGE_MS) return kept.mips;
  } catch {
    // Nothing kept, something else under the key, or no storage (a sandboxed frame).
  }
  return null;
}

/** Measure the host's speed, and keep it for the page's next loads (if storage allows). */
async function measureAndKeepHostMips() {
  const mips = await measureHostMips();
  if (mips > 0) {
    try {
      localStorage.setItem(HOST_MIPS_KEY, JSON.stringify({ mips, at: Date.now(), version: version() }));
    } catch {
      // No storage: the next load measures again.
    }
  }
  return mips;
}

/**
 * The clock checked again (see Emulator._checkClock): this long into a session, over this many
 * windows of the benchmark guest; a host this many times faster than the clock means the
 * measurement was taken on V8's baseline code, and the next load measures again.
 */
const CLOCK_CHECK_AFTER_MS = 5000;
const CLOCK_CHECK_WINDOWS = 8;
const CLOCK_CHECK_FACTOR = 1.6;

/** Forget the host's speed kept in storage (the next load measures it again). */
function forgetHostMips() {
  try {
    localStorage.removeItem(HOST_MIPS_KEY);
  } catch {
    // No storage: nothing was kept.
  }
}

/** The clock for an unlimited CPU: the host's speed, rounded, within the bounds above. */
function clockFor(hostMips) {
  if (!(hostMips > 0)) return MIN_CLOCK_MIPS;
  return Math.min(MAX_CLOCK_MIPS, Math.max(MIN_CLOCK_MIPS, Math.round(hostMips)));
}

/** Why the machine stopped by itself, in words. */
const STOP_TEXT = {
  halted: "The guest stopped the CPU (HLT with interrupts off): it will not run again until a reset.",
  shutdown:
    "The guest crashed: a triple fault (an exception while handling an exception while handling " +
    "an exception) shut the CPU down. Reset to start again.",
  poweroff: "The guest turned the machine off. Reset to start it again.",
};

export const SLOTS = Object.freeze(["fda", "fdb", "hda", "hdb", "cdrom"]);

/** The CPU speed limits the page offers, in MIPS (0 = unlimited). */
export const MIPS_CHOICES = Object.freeze([0, 0.1, 0.5, 1, 5, 20]);

/** A MIPS limit: 0 (unlimited) or 0.001 to 10000; throws a coded Error otherwise. */
export function checkMips(value) {
  const v = Number(value);
  if (v === 0 || (Number.isFinite(v) && v >= 0.001 && v <= 10000)) return v;
  throw codedError("bad-mips", `a CPU speed is 0 (unlimited) or 0.001 to 10000 MIPS, not ${JSON.stringify(String(value))}`);
}

/** Seconds since 1970 of the local time now: PCs keep local time in their clock. */
function localClockSeconds() {
  const ms = Date.now() - new Date().getTimezoneOffset() * 60000;
  return Math.floor(ms / 1000);
}

function latin1(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 4096) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 4096));
  }
  return s;
}

/** An Error with a `code`, as the wasm side throws them. */
function codedError(code, message) {
  const e = new Error(message);
  e.code = code;
  return e;
}

/**
 * The largest disk image the page takes: the emulator keeps the whole image in its (32-bit)
 * WebAssembly memory, next to the guest's RAM.
 */
const MAX_IMAGE_BYTES = 1 << 30;

function tooLarge(n) {
  return codedError(
    "too-large",
    `the image is ${Math.round(n / 1048576)} MiB; the page can hold disk images up to ${MAX_IMAGE_BYTES / 1048576} MiB`,
  );
}

/**
 * Images go into the wasm side in chunks of this size, each a call of its own, with the browser's
 * turn between them: a 700 MB ISO never blocks the page for long, and a file is never held
 * whole in JavaScript beside its copy in the engine.
 */
const CHUNK_BYTES = 8 << 20;
/**
 * A disk goes out (diskBlob) in pieces of this size: each piece is copied twice (out of the
 * engine, then into the browser's Blob storage), and in pieces of 8 MiB some took 50–56 ms.
 */
const SAVE_CHUNK_BYTES = 2 << 20;

/**
 * A machine's memory is cleared in pieces of this size, each a task of its own: the browser's
 * allocator writes every byte, and all at once a 2047 MiB machine held the page for about a
 * second (a 256 MiB one for 165 ms).
 */
const RAM_PIECE_BYTES = 16 << 20;

/** `new Machine(memBytes, model, rtc)`, with its memory cleared a piece at a time. */
async function newMachine(memBytes, model, rtcUnixSeconds) {
  if (memBytes <= RAM_PIECE_BYTES) return new Machine(memBytes, model, rtcUnixSeconds);
  const ram = new GuestRam(memBytes);
  while (!ram.fill(RAM_PIECE_BYTES)) await yieldTask();
  // (onRam takes the GuestRam, whether it succeeds or throws.)
  const machine = Machine.onRam(ram, model, rtcUnixSeconds);
  // What the page does next (disks in, a reset) is a task of its own.
  await yieldTask();
  return machine;
}

/** The bytes of a Uint8Array, ArrayBuffer, typed array view, Blob/File, or URL (fetched), whole. */
async function bytesOf(source) {
  const image = await openImage(source);
  const { parts, size } = await collectChunks(image.chunks);
  if (parts.length === 1) return { bytes: parts[0], name: image.name };
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return { bytes, name: image.name };
}

/**
 * Read an image into an ImageBuffer of the engine, chunk by chunk (see CHUNK_BYTES): resolves
 * with {buffer, name}; the caller hands the buffer to Machine.insertDiskBuffer, or frees it.
 */
async function readImage(source) {
  const image = await openImage(source);
  const buffer = new ImageBuffer(Number.isFinite(image.size) ? image.size : undefined);
  try {
    let sinceTurn = 0;
    for await (const chunk of image.chunks) {
      buffer.append(chunk);
      // (Chunks from a stream may come faster than the browser's tasks: give it a turn.)
      sinceTurn += chunk.length;
      if (sinceTurn >= CHUNK_BYTES) {
        sinceTurn = 0;
        await yieldTask();
      }
    }
  } catch (e) {
    buffer.free();
    throw e;
  }
  return { buffer, name: image.name };
}

/** Disk images asked for early (`prefetchImage`), by absolute URL, until insertDisk takes them. */
const prefetched = new Map();

/**
 * Start downloading the image at `url` now, for an insertDisk(slot, url) to come: a page that
 * knows its disks from the start downloads them while the engine is still starting.
 */
export function prefetchImage(url) {
  let key;
  try {
    key = new URL(String(url), document.baseURI).href;
  } catch {
    return; // not a URL: insertDisk will say so
  }
  if (prefetched.has(key)) return;
  const got = downloadImage(key);
  got.catch(() => {}); // reported by the insertDisk that takes it
  prefetched.set(key, got);
}

/**
 * Where an image's bytes come from: {name, size (bytes, NaN when not known yet), chunks (an
 * async iterable of Uint8Array, none longer than CHUNK_BYTES)}.
 */
async function openImage(source) {
  let bytes = null;
  if (source instanceof Uint8Array) bytes = source;
  else if (source instanceof ArrayBuffer) bytes = new Uint8Array(source);
  else if (ArrayBuffer.isView(source)) bytes = new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  if (bytes) {
    if (bytes.length > MAX_IMAGE_BYTES) throw tooLarge(bytes.length);
    return { name: undefined, size: bytes.length, chunks: piecesOf([bytes]) };
  }
  if (typeof Blob !== "undefined" && source instanceof Blob) {
    if (source.size > MAX_IMAGE_BYTES) throw tooLarge(source.size);
    return { name: source.name, size: source.size, chunks: blobChunks(source) };
  }
  if (typeof source === "string" || source instanceof URL) {
    const key = new URL(String(source), document.baseURI).href;
    const early = prefetched.get(key);
    prefetched.delete(key);
    if (early) {
      const got = await early;
      return { name: got.name, size: got.size, chunks: piecesOf(got.parts) };
    }
    const { response, name, size } = await requestImage(key);
    return { name, size, chunks: bodyChunks(response, key) };
  }
  throw codedError("bad-source", "a disk is a Uint8Array, an ArrayBuffer, a File/Blob or a URL");
}

/** `parts` (Uint8Arrays) in pieces of at most CHUNK_BYTES, without copying. */
async function* piecesOf(parts) {
  for (const part of parts) {
    for (let at = 0; at < part.length; at += CHUNK_BYTES) yield part.subarray(at, at + CHUNK_BYTES);
  }
}

/** A Blob (a File the user chose) read a chunk at a time. */
async function* blobChunks(blob) {
  for (let at = 0; at < blob.size; at += CHUNK_BYTES) {
    yield new Uint8Array(await blob.slice(at, at + CHUNK_BYTES).arrayBuffer());
  }
}

/** The body of a fetch response as it arrives, in pieces of at most CHUNK_BYTES. */
async function* bodyChunks(response, href) {
  const reader = response.body.getReader();
  for (;;) {
    let got;
    try {
      got = await reader.read();
    } catch (e) {
      throw codedError("fetch", `could not fetch ${href}: ${e.message || "network error"}`);
    }
    if (got.done) return;
    yield* piecesOf([got.value]);
  }
}

/** Start fetching the image at the absolute URL `href`: {response, name, size (NaN if not said)}. */
async function requestImage(href) {
  const url = new URL(href);
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw codedError("fetch", `could not fetch ${url.href}: ${e.message || "network error"}`);
  }
  if (!response.ok) {
    const status = `${response.status} ${response.statusText}`.trim();
    throw codedError("http", `could not fetch ${url.href}: HTTP ${status}`);
  }
  const header = response.headers.get("content-length");
  const size = header === null ? NaN : Number(header);
  if (size > MAX_IMAGE_BYTES) throw tooLarge(size);
  let name = "disk.img";
  try {
    name = decodeURIComponent(url.pathname.split("/").pop() || "") || name;
  } catch {
    // a malformed %-escape: keep the default name
  }
  return { response, name, size };
}

/**
 * The whole image at `href`, downloaded before the engine is there to take it (prefetchImage):
 * {parts (the Uint8Arrays as they came), name, size}.
 */
async function downloadImage(href) {
  const { response, name } = await requestImage(href);
  const { parts, size } = await collectChunks(bodyChunks(response, href));
  return { parts, name, size };
}

/** The Uint8Arrays of `chunks` (an async iterable) as they came, and their size; "too-large" past the limit. */
async function collectChunks(chunks) {
  const parts = [];
  let size = 0;
  for await (const chunk of chunks) {
    parts.push(chunk);
    size += chunk.length;
    if (size > MAX_IMAGE_BYTES) throw tooLarge(size);
  }
  return { parts, size };
}

export class Emulator extends EventTarget {
  /**
   * @param {HTMLCanvasElement} canvas the screen (focusable: it takes the keyboard)
   * @param {{memMB?: number, model?: string, paused?: boolean, speed?: number, mips?: number}}
   *   options: `paused` builds the machine without running it (until resume(); the page puts
   *   its disks in first); `speed` emulated time per wall-clock time; `mips` the CPU speed
   *   limit (0 = unlimited)
   */
  constructor(canvas, { memMB = 16, model = "pentiumpro", paused = false, speed = 1, mips = 0 } = {}) {
    super();
    /** The CPU speed limit in MIPS (0 = unlimited); see the `mips` property. */
    this._mipsLimit = checkMips(mips);
    /** Emulated time per wall-clock time (1 = real time). */
    this.speed = speed > 0 && Number.isFinite(speed) ? speed : 1;
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d", { alpha: false });
    this.memMB = memMB;
    this.model = model;
    this.startPaused = paused;
    this.machine = null;
    this.version = "";
    this.running = false;
    /** Why the machine stopped by itself ("shutdown", ...), or "" while it can run. */
    this.stopReason = "";
    /** An internal error made the wasm instance unusable. */
    this.broken = false;
    this.idle = false;
    this.serialText = "";
    this.diskNames = {};
    this._ready = null;
    this._waiters = new Set();
    this._pressed = new Map();
    this._budget = 50_000;
    this._sliceMs = 8;
    /** The clock of an unlimited CPU, in MIPS (measured in start()). */
    this.clockMips = MIN_CLOCK_MIPS;
    /** Slices between frames: one message on this channel each. */
    this._pump = new MessageChannel();
    this._pump.port1.onmessage = () => this._pumpSlice();
    this._pumpPending = false;
    /** While above 0 the run loop runs nothing, without pausing (diskBlob copying a disk out). */
    this._held = 0;
    /** Moves whenever a disk goes in or out (diskBlob checks that its drive kept its disk). */
    this._diskChanges = 0;
    this._lastTick = null;
    this._targetNs = 0;
    this._lastWall = null;
    this._mips = 0;
    this._mipsWindow = { t: 0, n: 0 };
    /** Whether the kept host speed was checked again this session (see _checkClock). */
    this._clockChecked = false;
    this._lastStatus = 0;
    this._firmwareSeen = 0;
    this._mouseButtons = 0;
    this._frameSize = { width: 0, height: 0 };
    this._tick = this._tick.bind(this);
  }

  /** Load the wasm module and build the machine; resolves when it runs. */
  start() {
    if (!this._ready) this._ready = this._start();
    return this._ready;
  }

  /** Resolves once the machine exists (after start()). */
  get ready() {
    return this.start();
  }

  async _start() {
    // Marks for the browser's performance timeline: where a page's start-up time goes.
    performance.mark("aula86:start");
    await init();
    performance.mark("aula86:wasm");
    this.version = version();
    if (hostMips === null) {
      const kept = storedHostMips();
      hostMips = kept !== null ? Promise.resolve(kept) : measureAndKeepHostMips();
    }
    this.clockMips = clockFor(await hostMips);
    performance.mark("aula86:clock");
    this.machine = await newMachine(this.memMB * 1048576, this.model, localClockSeconds());
    performance.mark("aula86:machine");
    this._startedAt = performance.now();
    this.machine.setMips(this._clock());
    this._attachInput();
    this.running = !this.startPaused;
    requestAnimationFrame(this._tick);
    this.dispatchEvent(new CustomEvent("ready"));
  }

  /** The CPU speed limit in MIPS, 0 for unlimited (as fast as the host runs it). */
  get mips() {
    return this._mipsLimit;
  }

  /** Set the CPU speed limit: 0 (unlimited) or 0.001 to 10000 MIPS; throws for anything else. */
  set mips(value) {
    const v = checkMips(value);
    this._mipsLimit = v;
    if (this.machine && !this.broken) this.machine.setMips(this._clock());
    this._mipsWindow = { t: 0, n: 0 };
    this.dispatchEvent(new CustomEvent("mips", { detail: v }));
  }

  /** The same as setting `mips` (for pages that call methods, and for postMessage). */
  setMips(value) {
    this.mips = value;
    return this._mipsLimit;
  }

  /** The machine's clock in MIPS: the speed limit, or the host's speed when unlimited. */
  _clock() {
    return this._mipsLimit || this.clockMips;
  }

  _need() {
    if (this.broken) throw new Error("the emulator stopped with an internal error: reload the page");
    if (!this.machine) throw new Error("aula86 is still starting: await aula86.ready first");
    return this.machine;
  }

  // ---- the run loop ------------------------------------------------------------------------

  _tick(t) {
    if (this.broken) return;
    requestAnimationFrame(this._tick);
    if (this._lastTick !== null) {
      // On time: a little more for the machine; late: give the browser its time back.
      const interval = t - this._lastTick;
      this._sliceMs =
        interval > LATE_FRAME_MS
          ? Math.max(MIN_SLICE_MS, this._sliceMs - 1)
          : Math.min(MAX_SLICE_MS, this._sliceMs + 0.25);
    }
    this._lastTick = t;
    try {
      if (this.running && !this.stopReason && !this._held) {
        if (this._runSlice(this._sliceMs)) this._schedulePump();
      } else this._lastWall = null;
      this._draw();
      this._pollSerial();
      this._status(t);
      this._checkWaiters();
    } catch (e) {
      this._fail(e);
    }
  }

  /** Run one more slice as a task of its own, unless one is already on its way. */
  _schedulePump() {
    if (this._pumpPending) return;
    this._pumpPending = true;
    this._pump.port2.postMessage(0);
  }

  /** A slice between frames; another follows while the guest stays busy. */
  _pumpSlice() {
    this._pumpPending = false;
    if (this.broken || !this.running || this.stopReason || this._held) return;
    if (this._lastTick === null || performance.now() - this._lastTick > PUMP_AFTER_FRAME_MS) return;
    try {
      if (this._runSlice(PUMP_SLICE_MS)) this._schedulePump();
    } catch (e) {
      this._fail(e);
    }
  }

  /**
   * Run the machine for up to `sliceMs` of wall time, no further than the wall clock. Returns
   * true when the guest was still busy at the end (it used the whole slice), false when it
   * caught up with the wall clock, waits for an event or stopped.
   */
  _runSlice(sliceMs) {
    const m = this.machine;
    const start = performance.now();
    const now = m.now();
    if (this._lastWall === null) {
      this._targetNs = now;
    } else {
      this._targetNs += Math.min(start - this._lastWall, MAX_CATCH_UP_MS) * 1e6 * this.speed;
    }
    this._lastWall = start;
    // A host slower than the emulated CPU leaves emulated time behind; do not let the debt grow.
    this._targetNs = Math.max(this._targetNs, now);
    const ahead = MAX_CATCH_UP_MS * 1e6 * this.speed;
    if (this._targetNs - now > ahead) this._targetNs = now + ahead;
    const target = Math.floor(this._targetNs);
    const deadline = start + sliceMs;
    for (;;) {
      const t0 = performance.now();
      const exit = m.runFor(this._budget, target);
      const ms = performance.now() - t0;
      if (exit === "budget") {
        // Aim each call at about a millisecond, so the deadline is kept.
        const scaled = ms > 0.05 ? Math.round(this._budget / ms) : this._budget * 2;
        this._budget = Math.max(10_000, Math.min(scaled, this._budget * 2, 5_000_000));
        if (performance.now() >= deadline) return true;
        continue;
      }
      this.idle = exit === "idle";
      if (exit === "breakpoint") {
        // Stopped before an instruction at a breakpoint (Machine.setBreakpoints): pause there.
        this.pause();
        this.dispatchEvent(new CustomEvent("breakpoint", { detail: { linear: m.registers().linear } }));
      } else if (exit !== "time" && exit !== "idle") this._stopped(exit);
      return false;
    }
  }

  _stopped(reason) {
    this.stopReason = reason;
    const message = STOP_TEXT[reason] || `The machine stopped (${reason}).`;
    this.dispatchEvent(new CustomEvent("stop", { detail: { reason, message } }));
  }

  _fail(e) {
    this.broken = true;
    this.running = false;
    const message = `The emulator stopped with an internal error (${e && e.message ? e.message : e}). Reload the page to start again.`;
    console.warn("aula86:", e);
    this.dispatchEvent(new CustomEvent("stop", { detail: { reason: "error", message } }));
  }

  _draw() {
    // Only the rows that changed: a text cursor's blink is a few rows, not the whole picture
    // copied out of wasm and drawn again.
    const f = this.machine.renderChanges();
    if (f) this._paint(f);
  }

  /** Draw `f` ({width, height, rgba} and, for part of a picture, `y`: rgba's first row). */
  _paint(f) {
    const y = f.y || 0;
    if (this.canvas.width !== f.width || this.canvas.height !== f.height) {
      this.canvas.width = f.width;
      this.canvas.height = f.height;
      this._frameSize = { width: f.width, height: f.height };
      this.dispatchEvent(new CustomEvent("resize", { detail: { width: f.width, height: f.height } }));
      if (y !== 0 || f.rgba.length !== f.width * f.height * 4) {
        // A new canvas is blank: part of a picture is not enough.
        const whole = this.machine.currentFrame();
        if (whole) this.ctx.putImageData(new ImageData(whole.rgba, whole.width, whole.height), 0, 0);
        return;
      }
    }
    this.ctx.putImageData(new ImageData(f.rgba, f.width), 0, y);
  }

  _pollSerial() {
    const bytes = this.machine.takeSerial();
    if (bytes.length === 0) return;
    const text = latin1(bytes);
    this.serialText += text;
    if (this.serialText.length > MAX_SERIAL_CHARS) {
      this.serialText = this.serialText.slice(-MAX_SERIAL_CHARS);
    }
    this.dispatchEvent(new CustomEvent("serial", { detail: text }));
  }

  _status(t) {
    if (t - this._lastStatus < STATUS_EVERY_MS) return;
    this._lastStatus = t;
    const n = this.machine.counters().instructions;
    const w = this._mipsWindow;
    if (w.t > 0 && t > w.t) this._mips = (n - w.n) / (t - w.t) / 1000;
    this._mipsWindow = { t, n };
    this._checkClock(t);
    const messages = this.machine.firmwareMessages(this._firmwareSeen);
    this._firmwareSeen += messages.length;
    for (const text of messages) this.dispatchEvent(new CustomEvent("firmware", { detail: text }));
    this.dispatchEvent(new CustomEvent("status", { detail: this.stats() }));
  }

  /**
   * The host's speed is measured once, on the benchmark guest, and kept for a day. A measurement
   * that ended on V8's baseline code (about half speed) would hold every guest back until then.
   * So CLOCK_CHECK_AFTER_MS into the session, when the engine runs its optimised code, the
   * benchmark guest runs again for a few windows; far faster than the clock, the kept speed is
   * forgotten and the next load measures again. This session's clock stays as it is: a guest
   * may have calibrated its delays against it.
   */
  _checkClock(t) {
    // (Not while the machine is off: `?bench=1` times machines of its own meanwhile.)
    if (this._clockChecked || !this.running || this._startedAt === undefined || t - this._startedAt < CLOCK_CHECK_AFTER_MS) return;
    this._clockChecked = true;
    const clock = this.clockMips;
    benchRate(CLOCK_CHECK_WINDOWS).then((rate) => {
      if (rate > CLOCK_CHECK_FACTOR * clock) forgetHostMips();
      this.dispatchEvent(new CustomEvent("clockcheck", { detail: { clock, rate } }));
    });
  }

  _checkWaiters() {
    if (this._waiters.size === 0) return;
    const text = this.machine.screenText();
    for (const w of this._waiters) {
      if (text.includes(w.text)) {
        this._waiters.delete(w);
        clearTimeout(w.timer);
        w.resolve(text);
      }
    }
  }

  // ---- input -------------------------------------------------------------------------------

  _attachInput() {
    const c = this.canvas;
    c.addEventListener("keydown", (e) => this._key(e, true));
    c.addEventListener("keyup", (e) => this._key(e, false));
    c.addEventListener("blur", () => this.releaseKeys());
    c.addEventListener("mousemove", (e) => {
      if (document.pointerLockElement !== c) return;
      this._mouse(e.movementX, -e.movementY, 0);
    });
    const buttons = (e) => {
      if (document.pointerLockElement !== c) return;
      e.preventDefault();
      // DOM buttons: 1 left, 2 right, 4 middle; PS/2: bit 0 left, 1 right, 2 middle: the same.
      this._mouseButtons = e.buttons & 7;
      this._mouse(0, 0, 0);
    };
    c.addEventListener("mousedown", buttons);
    c.addEventListener("mouseup", buttons);
    c.addEventListener("contextmenu", (e) => {
      if (document.pointerLockElement === c) e.preventDefault();
    });
    c.addEventListener(
      "wheel",
      (e) => {
        if (document.pointerLockElement !== c) return;
        e.preventDefault();
        this._mouse(0, 0, Math.sign(e.deltaY));
      },
      { passive: false },
    );
  }

  _key(e, down) {
    if (!this.machine || this.broken) return;
    const seq = keySequence(e.code, down);
    if (seq.length === 0) return;
    e.preventDefault();
    e.stopPropagation();
    if (down) {
      this._pressed.set(e.code, true);
    } else if (!this._pressed.delete(e.code)) {
      // A release without its press (pressed before the screen had the focus): nothing to
      // release, except Print Screen, which some systems only report on release.
      if (e.code !== "PrintScreen") return;
      this._send(keySequence(e.code, true));
    }
    this._send(seq);
  }

  _send(seq) {
    const m = this._need();
    for (const [code, down] of seq) m.keyEvent(code, down);
    this.idle = false;
  }

  _mouse(dx, dy, wheel) {
    if (!this.machine || this.broken) return;
    this.machine.mouseEvent(dx | 0, dy | 0, this._mouseButtons, wheel | 0);
    this.idle = false;
  }

  /** Release every key the host holds down (the screen lost the focus). */
  releaseKeys() {
    if (!this.machine || this.broken) return;
    for (const code of [...this._pressed.keys()].reverse()) {
      this._send(keySequence(code, false));
    }
    this._pressed.clear();
  }

  /** Ask for pointer lock: the mouse then moves the PS/2 mouse (Esc gives it back). */
  captureMouse() {
    const r = this.canvas.requestPointerLock();
    // Newer browsers return a Promise that rejects where pointer lock is not allowed.
    if (r && typeof r.catch === "function") {
      return r.catch((e) => {
        throw new Error(`the mouse cannot be captured here: ${e.message || e}`);
      });
    }
    return Promise.resolve();
  }

  // ---- the public API (window.aula86) ------------------------------------------------------

  /** The text screen, one line a row ("" in graphics modes). */
  screenText() {
    return this._need().screenText();
  }

  /** Resolves with the screen text once it contains `text`; rejects after `ms` milliseconds. */
  waitForText(text, ms = 10000) {
    return this.ready.then(
      () =>
        new Promise((resolve, reject) => {
          const w = { text: String(text), resolve };
          w.timer = setTimeout(() => {
            this._waiters.delete(w);
            reject(new Error(`timed out after ${ms} ms waiting for ${JSON.stringify(w.text)} on the screen`));
          }, ms);
          this._waiters.add(w);
          this._checkWaiters();
        }),
    );
  }

  /** Type text (US layout) at a typist's pace. Throws for a character no key types. */
  sendText(text) {
    this._need().typeText(String(text));
    this.idle = false;
  }

  /**
   * Press (down true) or release (false) a key, or both (down omitted). `code` is a set-1 scan
   * code (0x1E, 0xE048 for arrow up) or a KeyboardEvent.code ("KeyA", "ArrowUp").
   */
  sendKey(code, down) {
    let seq;
    if (typeof code === "string") {
      if (scanCode(code) === undefined) throw new Error(`unknown key ${JSON.stringify(code)}`);
      seq = down === undefined ? [...keySequence(code, true), ...keySequence(code, false)] : keySequence(code, down);
    } else {
      seq = down === undefined ? [[code, true], [code, false]] : [[code, Boolean(down)]];
    }
    this._send(seq);
  }

  /** Ctrl-Alt-Del: the BIOS (or the guest's own keyboard handler) reboots. */
  ctrlAltDel() {
    this._send([
      [0x1d, true], [0x38, true], [0xe053, true],
      [0xe053, false], [0x38, false], [0x1d, false],
    ]);
  }

  /** Everything the guest sent to COM1 since the page loaded (one character per byte). */
  serialOutput() {
    return this.serialText;
  }

  /** Send text to the guest through COM1. */
  sendSerial(text) {
    const s = String(text);
    const bytes = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i) & 0xff;
    this._need().serialInput(bytes);
    this.idle = false;
  }

  /** {instructions, mips, mipsLimit, clockMips, mode, cpl, running, stopped, videoMode, model, memMB, ...}. */
  stats() {
    const m = this._need();
    const c = m.counters();
    return {
      instructions: c.instructions,
      mips: this.running && !this.stopReason ? this._mips : 0,
      mipsLimit: this._mipsLimit,
      clockMips: this._clock(),
      mode: m.mode(),
      cpl: m.cpl(),
      running: this.running && !this.stopReason,
      paused: !this.running,
      stopped: this.stopReason,
      idle: this.idle,
      videoMode: m.videoMode(),
      model: m.model(),
      memMB: m.memBytes() / 1048576,
      emulatedMs: m.now() / 1e6,
      exceptions: c.exceptions,
      interrupts: c.interrupts,
      tripleFaults: m.tripleFaults(),
    };
  }

  /** A PNG of the screen at the mode's own resolution. */
  screenshot() {
    const f = this._need().currentFrame();
    const c = document.createElement("canvas");
    c.width = f ? f.width : this.canvas.width || 720;
    c.height = f ? f.height : this.canvas.height || 400;
    const ctx = c.getContext("2d");
    if (f) ctx.putImageData(new ImageData(f.rgba, f.width, f.height), 0, 0);
    else ctx.fillRect(0, 0, c.width, c.height);
    return new Promise((resolve, reject) => {
      c.toBlob((b) => (b ? resolve(b) : reject(new Error("the screenshot could not be encoded"))), "image/png");
    });
  }

  pause() {
    if (!this.running) return;
    this.running = false;
    this.releaseKeys();
    this.dispatchEvent(new CustomEvent("pause"));
  }

  resume() {
    if (this.running || this.broken) return;
    this.running = true;
    this._lastWall = null;
    this.dispatchEvent(new CustomEvent("resume"));
  }

  /** Power-cycle: memory cleared, the clock set to now; the disks stay, with their changes. */
  reset() {
    this._need().reset(localClockSeconds());
    this._poweredOn();
  }

  /** What the page does after the machine powered on again (reset, other firmware). */
  _poweredOn() {
    this._pressed.clear();
    this.stopReason = "";
    this.idle = false;
    this._firmwareSeen = 0;
    this._lastWall = null;
    this._mipsWindow = { t: 0, n: 0 };
    this.ctx.fillStyle = "#000";
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.dispatchEvent(new CustomEvent("reset"));
  }

  /**
   * Put a disk in a slot ("fda", "fdb", "hda", "hdb", "cdrom" for an ISO image; "auto" picks
   * the CD-ROM drive for an ISO image, else A: or C: by size). `source` is a Uint8Array,
   * ArrayBuffer, File or URL. With `boot` (default true) the machine restarts from it (the BIOS
   * boots A:, then C:, then the CD). Resolves with the drive's info; rejects with an Error
   * whose `code` says why ("empty", "not-floppy-size", "truncated", "not-a-disk", "not-iso",
   * "too-large", "http", "fetch", "bad-slot").
   */
  async insertDisk(slot, source, { boot = true, name } = {}) {
    this._need();
    const got = await readImage(source);
    // (Asked for again: the engine may have broken while the image came in.)
    let m;
    try {
      m = this._need();
    } catch (e) {
      got.buffer.free();
      throw e;
    }
    const info = m.insertDiskBuffer(String(slot), got.buffer);
    const label = name || got.name || (typeof source === "string" ? source : "disk.img");
    this.diskNames[info.slot] = label;
    this._diskChanges++;
    if (boot) {
      // The BIOS boots A: before C: before the CD. A hard disk or CD given to boot from takes
      // over from the built-in demo floppy; a floppy the user put in stays.
      if (info.slot !== "fda" && info.slot !== "fdb" && this.diskNames.fda === DEMO_NAME) this.ejectDisk("fda");
      this.reset();
    }
    this.dispatchEvent(new CustomEvent("disk", { detail: { slot: info.slot, info } }));
    return info;
  }

  /** Take the disk out of a slot; whether there was one. */
  ejectDisk(slot) {
    const had = this._need().ejectDisk(String(slot));
    delete this.diskNames[slot];
    this._diskChanges++;
    if (had) this.dispatchEvent(new CustomEvent("disk", { detail: { slot, info: undefined } }));
    return had;
  }

  /** The image in a slot with everything the guest wrote (a Uint8Array), or null. */
  diskImage(slot) {
    return this._need().diskImage(String(slot)) ?? null;
  }

  /**
   * The same as a Blob, or null: copied out a chunk at a time with the browser's turn between
   * chunks, so that saving a large disk never blocks the page (what the page's download button
   * uses). The copy is of the disk as it was when this was called.
   */
  async diskBlob(slot) {
    const m = this._need();
    const info = m.diskInfo(String(slot));
    if (!info) return null;
    const changes = this._diskChanges;
    const parts = [];
    // The guest stays off the CPU meanwhile, so that the chunks are of one disk.
    this._held++;
    try {
      for (let at = 0; at < info.bytes; at += SAVE_CHUNK_BYTES) {
        if (this._diskChanges !== changes) throw codedError("disk-changed", `the disk in ${slot} changed while it was being saved`);
        parts.push(new Blob([m.diskBytes(String(slot), at, SAVE_CHUNK_BYTES)]));
        if (at + SAVE_CHUNK_BYTES < info.bytes) await yieldTask();
      }
    } finally {
      this._held--;
    }
    return new Blob(parts, { type: "application/octet-stream" });
  }

  /** {slot, kind, bytes, format, modified, writable, bootable, notes, name} or null. */
  diskInfo(slot) {
    const info = this._need().diskInfo(String(slot));
    return info ? { ...info, name: this.diskNames[info.slot] } : null;
  }

  /**
   * Use other firmware: `bios` (SeaBIOS's bios.bin: 64, 128, 192 or 256 KiB) and optionally
   * `vgaBios` (an option ROM, e.g. vgabios-stdvga.bin), each a Uint8Array, ArrayBuffer,
   * File/Blob or URL; `bios` null goes back to the built-in BIOS. The PC is rebuilt and
   * restarts with the same disks (their changes kept). Rejects with an Error whose `code` is
   * "bad-firmware" (wrong size, not an option ROM), "empty", "http" or "fetch"; the machine
   * that ran before stays then.
   */
  async setFirmware(bios, vgaBios = null) {
    const m = this._need();
    let b;
    let v;
    if (bios != null) {
      b = (await bytesOf(bios)).bytes;
      v = vgaBios == null ? undefined : (await bytesOf(vgaBios)).bytes;
      const kib = (n) => `${n} bytes (${(n / 1024).toFixed(1)} KiB)`;
      if (b.length === 0 || b.length % 65536 !== 0 || b.length > 262144) {
        throw codedError("bad-firmware", `a system BIOS must be 64, 128, 192 or 256 KiB; this file is ${kib(b.length)}`);
      }
      if (v !== undefined && (v.length < 3 || v[0] !== 0x55 || v[1] !== 0xaa)) {
        throw codedError("bad-firmware", "the VGA BIOS is not an option ROM (it does not start with 55 AA)");
      }
      if (v !== undefined && v.length > 131072) {
        throw codedError("bad-firmware", `a VGA BIOS is at most 128 KiB; this file is ${kib(v.length)}`);
      }
    }
    try {
      // The same machine powered on again with the other firmware: its disks, speed and
      // breakpoints stay, and its RAM is reused (Machine.setFirmware).
      m.setFirmware(b, v, localClockSeconds());
    } catch (e) {
      throw codedError("bad-firmware", e && e.message ? e.message : String(e));
    }
    this.firmware = bios == null ? "builtin" : "rom";
    this._poweredOn();
    return this.firmware;
  }
}

/** The name the built-in demo disk goes by. */
export const DEMO_NAME = "aula86-demo.img";

/** The built-in demo floppy (tests/guests/demo_floppy.asm, built into www/demo.img). */
export const DEMO_URL = new URL("demo.img", import.meta.url).href;

export { version };
