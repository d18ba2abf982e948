// <aula86-pc>: the aula86 PC as one custom element, for course pages. One module to import, no
// build step:
//
//   <script type="module" src="aula86/aula86-pc.js"></script>
//   <aula86-pc lesson="5" panels="screen lens timeline debugger" lang="es" autostart></aula86-pc>
//
// Attributes: fda, hda, cdrom (disk and ISO image URLs, downloaded while the engine starts; the
// BIOS boots A:, then C:, then the CD), mem (MB, default 16), lesson (1-5, see lessons.js), panels
// (any of "screen lens timeline debugger"; default "screen"), lang ("es" | "en"; default: the
// browser's), autostart (run at once; otherwise a Start button), speed (emulated time per
// wall-clock time, default 1), mips (CPU speed limit in MIPS, 0 = unlimited, the default; also the
// `mips` property; the timers keep real time), model (CPU, default pentiumpro), empty (start with
// empty drives instead of the demo disk; disks go in with insertDisk()). Setting `lesson` later
// puts that lesson's floppy in A: and restarts the PC from it. Several elements on one page are
// independent machines.
//
// API (each element): ready (a Promise), mips (get/set), screenText(), waitForText(text, ms), sendText(text),
// sendKey(code, down), ctrlAltDel(), serialOutput(), sendSerial(text), stats(), screenshot(),
// pause(), resume(), reset(), insertDisk(slot, source, opts), diskImage(slot), diskBlob(slot)
// (the same as a Blob, copied out in chunks: for large disks), diskInfo(slot),
// ejectDisk(slot), and for the teaching view classCounts(), holes(), timeline(since),
// biosCalls(), ioCounts(), registers(), disassemble(count, linear), step(),
// setBreakpoints([linear]), setEventBreaks([vectors], modeChange), runTo(linear), stepOver(),
// setPortBreaks([ports]), portHit(), disassembleAround(before, count), idt(), pageTables(linear),
// readPhysical(addr, len).
// For a page built around the element (www/index.html is one): emulator (its Emulator, see
// emulator.js), machine (the wasm Machine), canvas (the screen), version, model, running,
// setMips(n), setFirmware(bios, vgaBios), firmware, captureMouse(), fullscreen() (the screen
// alone), openPanel(name, open). Events: those of the engine (serial, stop, status, reset, pause,
// resume, firmware, disk, mips, resize, breakpoint, clockcheck) are re-sent from the element, and "ready",
// and "timeline" (detail: the new timeline entries, four times a second while it runs).
// CSS parts, for ::part(): bar, title, run, reset, lang-switch, lang, screen, canvas, status,
// lesson-text, panel (and each panel's name). Children with slot="below-screen" show under the
// screen and status line, above the lesson text and the panels (the full page's status line).

import { Emulator, DEMO_URL, DEMO_NAME, checkMips, prefetchImage } from "./emulator.js";
import { pickLang, translator } from "./i18n.js";
import { LESSONS, MAIN, lessonById, lessonFloppy } from "./lessons.js";
import { debuggerControls, renderDebugger, renderLens, renderTimeline, wireDebuggerControls } from "./panels.js";

const STYLE = `
:host { display: block; font: 14px/1.4 system-ui, sans-serif; color: #1b1f24; max-width: 760px; }
.bar { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 4px 0; }
.title { font-weight: 600; flex: 1 1 auto; }
button, select, input { font: inherit; }
.screen { position: relative; background: #000; line-height: 0; }
canvas { width: 100%; image-rendering: pixelated; outline: none; aspect-ratio: 720 / 400; }
canvas:focus { box-shadow: 0 0 0 2px #3b82f6; }
.screen:fullscreen { display: flex; align-items: center; justify-content: center; width: 100vw; height: 100vh; }
.overlay { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center;
  color: #ddd; line-height: 1.4; background: rgba(0, 0, 0, 0.6); }
.overlay[hidden] { display: none; }
.status { font-size: 12px; color: #555; }
.lesson-text { margin: 6px 0; }
details { border: 1px solid #ccd; border-radius: 4px; margin: 6px 0; padding: 2px 8px; }
summary { cursor: pointer; font-weight: 600; }
table { border-collapse: collapse; font-size: 12px; margin: 4px 0; }
th, td { border: 1px solid #dde; padding: 1px 5px; text-align: right; }
th:first-child, .holes td, .timeline td:nth-child(2), .disasm td { text-align: left; }
tr.hole td, tr.hole th { background: #fde8e8; }
tr.current { background: #fff3bf; }
tr.before { color: #667; font-style: italic; }
h4 { margin: 6px 0 2px; font-size: 13px; }
.gpr { display: grid; grid-template-columns: repeat(3, max-content); gap: 0 14px; font: 12px monospace; }
.flags { font: 12px monospace; }
.counts { display: flex; gap: 24px; font-size: 12px; }
.counts ul { margin: 0; padding-left: 16px; }
.dbg-controls { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 4px 0; }
.dbg-controls input { width: 10em; font-family: monospace; }
.dbg-controls input[type="checkbox"] { width: auto; }
pre.mem { font-size: 12px; margin: 2px 0; }
`;

const PANELS = ["lens", "timeline", "debugger"];

function parseHexList(text) {
  return String(text)
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((s) => parseInt(s.replace(/h$/i, ""), 16))
    .filter((n) => Number.isFinite(n) && n >= 0 && n <= 0xffffffff);
}

export class Aula86PC extends HTMLElement {
  static get observedAttributes() {
    return ["lang", "panels", "speed", "mips", "lesson"];
  }

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this.emu = null;
    this._userBreakpoints = [];
    this._breakVectors = [];
    this._breakMode = false;
    this._portBreaks = [];
    this._dbg = { physical: false, walk: null, open: {} };
    this._lessonArmed = false;
    this._runTo = null;
    let resolve, reject;
    this._readyPromise = new Promise((res, rej) => ((resolve = res), (reject = rej)));
    this._readyPromise.catch(() => {});
    this._resolveReady = resolve;
    this._rejectReady = reject;
  }

  /** Resolves once the machine exists and its disks are in. */
  get ready() {
    return this._readyPromise;
  }

  get lang() {
    return pickLang(this.getAttribute("lang"));
  }

  get lesson() {
    const id = this.getAttribute("lesson");
    return id ? lessonById(id) : null;
  }

  get panels() {
    const p = (this.getAttribute("panels") || "screen").toLowerCase().split(/[\s,]+/);
    return PANELS.filter((name) => p.includes(name));
  }

  connectedCallback() {
    if (this.emu) return;
    this._render();
    this._boot().catch((e) => {
      this._setOverlay(String(e && e.message ? e.message : e));
      this._rejectReady(e);
    });
  }

  attributeChangedCallback(name) {
    if (name === "mips") {
      if (this.emu) {
        this.emu.mips = this._mipsAttribute();
        this._refresh();
      }
      return;
    }
    if (!this.shadowRoot.firstChild) return;
    if (name === "speed" && this.emu) this.emu.speed = Number(this.getAttribute("speed")) || 1;
    else this._render();
    if (name === "lesson" && this._booted) this._loadLesson().catch((e) => this._setOverlay(String(e && e.message ? e.message : e)));
    // A lens or timeline opened on a running machine counts from now on.
    if (name === "panels" && this.emu && this.emu.machine && this.panels.some((p) => p !== "debugger")) {
      if (!this.emu.machine.teachingEnabled()) this.emu.machine.enableTeaching();
    }
  }

  /** The lesson of the `lesson` attribute into A:, and a restart from it (after boot). */
  async _loadLesson() {
    const lesson = this.lesson;
    if (!lesson || !this.emu) return;
    const disk = await lessonFloppy(lesson);
    if (this.lesson !== lesson) return;
    await this.emu.insertDisk("fda", disk, { boot: true, name: lesson.image.split("/").pop() });
    if (this._started) this.emu.resume();
  }

  /** The `mips` attribute as a limit; a bad value is 0 (unlimited), with a warning. */
  _mipsAttribute() {
    const raw = this.getAttribute("mips");
    if (raw === null || raw.trim() === "") return 0;
    try {
      return checkMips(raw);
    } catch (e) {
      console.warn(`aula86-pc: ${e.message}; running unlimited`);
      return 0;
    }
  }

  /** The CPU speed limit in MIPS (0 = unlimited); setting it sets the `mips` attribute. */
  get mips() {
    return this.emu ? this.emu.mips : this._mipsAttribute();
  }

  set mips(value) {
    this.setAttribute("mips", String(checkMips(value)));
  }

  // ---- building ------------------------------------------------------------------------------

  _render() {
    const t = translator(this.lang);
    this._t = t;
    const open = new Set(
      [...this.shadowRoot.querySelectorAll("details[open]")].map((d) => d.dataset.panel),
    );
    const lesson = this.lesson;
    const canvas = this.canvas || document.createElement("canvas");
    canvas.tabIndex = 0;
    canvas.setAttribute("part", "canvas");
    this.canvas = canvas;
    const root = this.shadowRoot;
    root.innerHTML = `<style>${STYLE}</style>
<div class="bar" part="bar">
  <span class="title" part="title">${lesson ? `${t("lesson")} ${lesson.id}: ${lesson.title[t.lang]}` : "aula86"}</span>
  <button class="run" part="run"></button>
  <button class="reset" part="reset">${t("reset")}</button>
  <label part="lang-switch">${t("language")} <select class="lang" part="lang">
    <option value="en">English</option><option value="es">Español</option></select></label>
</div>
<div class="screen" part="screen"><div class="overlay" hidden></div></div>
<div class="status" part="status"></div>
<slot name="below-screen"></slot>
${lesson ? `<p class="lesson-text" part="lesson-text">${lesson.text[t.lang]}</p>` : ""}
${this.panels
  .map(
    (p) => `<details data-panel="${p}" part="panel ${p}"><summary>${t(p)}</summary>
${p === "debugger" ? `<div class="dbg-controls">
  <button class="dbg-run"></button><button class="dbg-step">${t("step")}</button><button class="dbg-over">${t("stepOver")}</button>
  <label>${t("runTo")} <input class="dbg-runto" placeholder="7E00"></label><button class="dbg-runto-go">▶</button>
  <label>${t("breakpoints")} <input class="dbg-bps" value="${this._userBreakpoints.map((a) => a.toString(16).toUpperCase()).join(", ")}"></label>
  <button class="dbg-bps-set">${t("setBreakpoints")}</button>
  <label>${t("memory")} <input class="dbg-mem" placeholder="B8000"></label>
  <label>${t("breakOnVectors")} <input class="dbg-vectors" placeholder="13, 14" value="${this._breakVectors.join(", ")}"></label>
  <label><input type="checkbox" class="dbg-modebreak"${this._breakMode ? " checked" : ""}> ${t("breakOnMode")}</label>
  ${debuggerControls(t, this)}</div><div class="dbg-state"></div>` : `<div class="body"></div>`}
</details>`,
  )
  .join("")}`;
    root.querySelector(".screen").prepend(canvas);
    root.querySelector("select.lang").value = t.lang;
    for (const d of root.querySelectorAll("details")) {
      if (open.has(d.dataset.panel)) d.open = true;
      d.addEventListener("toggle", () => this._refresh());
    }
    root.querySelector("select.lang").addEventListener("change", (e) => this.setAttribute("lang", e.target.value));
    root.querySelector("button.run").addEventListener("click", () => this._toggleRun());
    root.querySelector("button.reset").addEventListener("click", () => this.emu && this.emu.reset());
    const dbg = root.querySelector("details[data-panel=debugger]");
    if (dbg) {
      dbg.querySelector(".dbg-run").addEventListener("click", () => this._toggleRun());
      dbg.querySelector(".dbg-step").addEventListener("click", () => this.step());
      dbg.querySelector(".dbg-over").addEventListener("click", () => this.stepOver());
      const events = () => {
        const vectors = dbg
          .querySelector(".dbg-vectors")
          .value.split(/[\s,]+/)
          .filter(Boolean)
          .map(Number)
          .filter((v) => Number.isInteger(v) && v >= 0 && v < 256);
        this.setEventBreaks(vectors, dbg.querySelector(".dbg-modebreak").checked);
      };
      dbg.querySelector(".dbg-vectors").addEventListener("change", events);
      dbg.querySelector(".dbg-modebreak").addEventListener("change", events);
      dbg.querySelector(".dbg-mem").addEventListener("change", (e) => {
        const [a] = parseHexList(e.target.value);
        this._memAddr = a ?? null;
        this._refresh();
      });
      dbg.querySelector(".dbg-runto-go").addEventListener("click", () => {
        const [a] = parseHexList(dbg.querySelector(".dbg-runto").value);
        if (a !== undefined) this.runTo(a);
      });
      dbg.querySelector(".dbg-bps-set").addEventListener("click", () =>
        this.setBreakpoints(parseHexList(dbg.querySelector(".dbg-bps").value)),
      );
      wireDebuggerControls(dbg, this);
    }
    if (!this.emu) this._setOverlay(t("starting"));
    else if (!this._started) this._setOverlay(t("clickToStart"));
    this._refresh();
  }

  _setOverlay(text) {
    const o = this.shadowRoot.querySelector(".overlay");
    if (!o) return;
    o.hidden = !text;
    o.textContent = text || "";
  }

  /**
   * The disks the element puts in from URLs, in order, as [slot, url, name]: its fda (unless
   * `lesson` takes A:), hda and cdrom attributes, or else the demo floppy (unless `empty`).
   */
  _urlDisks(lesson) {
    const disks = [];
    for (const slot of ["fda", "hda", "cdrom"]) {
      const url = this.getAttribute(slot);
      if (url && !(slot === "fda" && lesson)) disks.push([slot, url, undefined]);
    }
    if (!lesson && disks.length === 0 && !this.hasAttribute("empty")) disks.push(["fda", DEMO_URL, DEMO_NAME]);
    return disks;
  }

  async _boot() {
    const mem = Number(this.getAttribute("mem")) || 16;
    const speed = Number(this.getAttribute("speed")) || 1;
    const model = this.getAttribute("model") || "pentiumpro";
    const emu = new Emulator(this.canvas, { memMB: mem, model, paused: true, speed, mips: this._mipsAttribute() });
    // The disks download while the engine starts.
    for (const [, url] of this._urlDisks(this.lesson)) prefetchImage(url);
    await emu.start();
    this.emu = emu;
    for (const ev of ["serial", "stop", "status", "reset", "pause", "resume", "firmware", "disk", "mips", "resize", "breakpoint", "clockcheck"]) {
      emu.addEventListener(ev, (e) => this.dispatchEvent(new CustomEvent(ev, { detail: e.detail })));
    }
    emu.addEventListener("reset", () => this._armTeaching());
    emu.addEventListener("status", () => this._refresh());
    emu.addEventListener("pause", () => this._refresh());
    emu.addEventListener("resume", () => this._refresh());
    emu.addEventListener("stop", () => this._refresh());
    emu.addEventListener("breakpoint", (e) => this._onBreakpoint(e.detail.linear));
    const lesson = this.lesson;
    if (lesson) await emu.insertDisk("fda", await lessonFloppy(lesson), { boot: false, name: lesson.image.split("/").pop() });
    for (const [slot, url, name] of this._urlDisks(lesson)) await emu.insertDisk(slot, url, { boot: false, name });
    emu.reset();
    this._booted = true;
    this._started = this.hasAttribute("autostart");
    this._resolveReady(this);
    this.dispatchEvent(new CustomEvent("ready"));
    if (this._started) {
      this._setOverlay("");
      emu.resume();
    } else {
      this._setOverlay(this._t("clickToStart"));
    }
    this._refresh();
  }

  /** After every power-on: count when a panel or a lesson asks for it; a lesson from MAIN. */
  _armTeaching() {
    const m = this.emu.machine;
    this._timelineSeen = 0;
    if (this.lesson || this.panels.includes("lens") || this.panels.includes("timeline")) m.enableTeaching(true);
    this._lessonArmed = !!this.lesson;
    this._applyBreakpoints();
  }

  _applyBreakpoints() {
    const set = [...this._userBreakpoints];
    if (this._lessonArmed) set.push(MAIN);
    if (this._runTo !== null) set.push(this._runTo);
    const m = this.emu.machine;
    m.setBreakpoints(set);
    if (this._breakVectors.length || this._breakMode) m.enableTeaching();
    m.setEventBreaks(Uint8Array.from(this._breakVectors), this._breakMode);
    m.setPortBreaks(this._portBreaks);
  }

  _onBreakpoint(linear) {
    const user = this._userBreakpoints.includes(linear) || this._runTo === linear;
    if (this._runTo === linear) this._runTo = null;
    if (this._lessonArmed && linear === MAIN) {
      // The lesson's own code starts: count from here, and go on unless someone stops here.
      this._lessonArmed = false;
      this.emu.machine.enableTeaching(true);
      this._applyBreakpoints();
      if (!user) this.emu.resume();
      return;
    }
    this._applyBreakpoints();
    this._refresh();
  }

  _toggleRun() {
    if (!this.emu) return;
    if (!this._started) {
      this._started = true;
      this._setOverlay("");
    }
    if (this.emu.running) this.emu.pause();
    else this.emu.resume();
    this._refresh();
  }

  // ---- panels --------------------------------------------------------------------------------

  _refresh() {
    const root = this.shadowRoot;
    const t = this._t;
    const run = root.querySelector("button.run");
    const running = this.emu && this.emu.running && !this.emu.stopReason;
    const label = !this._started ? t("start") : running ? t("pause") : t("resume");
    if (run) run.textContent = label;
    const dbgRun = root.querySelector(".dbg-run");
    if (dbgRun) dbgRun.textContent = label;
    if (!this.emu || !this.emu.machine) return;
    const m = this.emu.machine;
    const s = this.emu.stats();
    const state = s.stopped ? t("stopped") : s.running ? t("running") : t("paused");
    const status = root.querySelector(".status");
    if (status) {
      const limit = s.mipsLimit ? ` (≤ ${s.mipsLimit})` : "";
      status.textContent = `${state} · ${t(s.mode)} · CPL ${s.cpl} · ${s.instructions.toLocaleString("en-US")} · ${s.mips.toFixed(1)} MIPS${limit}`;
    }
    this._emitTimeline(m);
    for (const d of root.querySelectorAll("details[open]")) {
      try {
        if (d.dataset.panel === "lens") renderLens(d.querySelector(".body"), m, t);
        else if (d.dataset.panel === "timeline") renderTimeline(d.querySelector(".body"), m, t);
        else if (d.dataset.panel === "debugger") renderDebugger(d, m, t, this._memAddr, this._dbg);
      } catch (e) {
        console.warn("aula86 panel:", e);
      }
    }
  }

  /** New timeline entries as a "timeline" event (detail: the events) on each status tick. */
  _emitTimeline(m) {
    if (!m.teachingEnabled()) return;
    const events = m.timeline(this._timelineSeen || 0);
    if (events.length === 0) return;
    this._timelineSeen = events[events.length - 1].at + 1;
    this.dispatchEvent(new CustomEvent("timeline", { detail: events }));
  }

  // ---- the API -------------------------------------------------------------------------------

  _need() {
    if (!this.emu) throw new Error("aula86 is still starting: await element.ready first");
    return this.emu;
  }
  screenText() { return this._need().screenText(); }
  waitForText(text, ms) { return this._need().waitForText(text, ms); }
  sendText(text) { return this._need().sendText(text); }
  sendKey(code, down) { return this._need().sendKey(code, down); }
  ctrlAltDel() { return this._need().ctrlAltDel(); }
  serialOutput() { return this._need().serialOutput(); }
  sendSerial(text) { return this._need().sendSerial(text); }
  stats() { return this._need().stats(); }
  screenshot() { return this._need().screenshot(); }
  pause() { this._need().pause(); }
  resume() {
    this._started = true;
    this._setOverlay("");
    this._need().resume();
  }
  reset() { this._need().reset(); }
  insertDisk(slot, source, opts) { return this._need().insertDisk(slot, source, opts); }
  diskImage(slot) { return this._need().diskImage(slot); }
  diskBlob(slot) { return this._need().diskBlob(slot); }
  diskInfo(slot) { return this._need().diskInfo(slot); }
  ejectDisk(slot) { return this._need().ejectDisk(slot); }

  // For a page built around the element (www/index.html): the engine and what it offers.
  /** Its Emulator (emulator.js), once it exists (null while starting). */
  get emulator() { return this.emu; }
  /** The wasm Machine (null while starting). */
  get machine() { return this.emu ? this.emu.machine : null; }
  get version() { return this.emu ? this.emu.version : ""; }
  get model() { return this.emu ? this.emu.model : this.getAttribute("model") || "pentiumpro"; }
  /** Whether the PC is not paused (as the Emulator's `running`; stats().stopped says if it stopped). */
  get running() { return !!(this.emu && this.emu.running); }
  /** The same as setting `mips` (for postMessage); the new limit. */
  setMips(value) {
    this.mips = value;
    return this.mips;
  }
  /** Other firmware (see emulator.js); "builtin" or "rom". */
  setFirmware(bios, vgaBios) { return this._need().setFirmware(bios, vgaBios); }
  /** "builtin" or "rom" (after setFirmware). */
  get firmware() { return this.emu && this.emu.firmware ? this.emu.firmware : "builtin"; }
  captureMouse() { return this._need().captureMouse(); }
  /** The screen alone, full screen; the canvas takes the keyboard. */
  async fullscreen() {
    const screen = this.shadowRoot.querySelector(".screen");
    if (!screen.requestFullscreen || document.fullscreenEnabled === false) {
      throw new Error("Fullscreen is not allowed here (a page that embeds this one must allow it).");
    }
    await screen.requestFullscreen();
    this.canvas.focus();
  }
  /** Whether the screen is full screen now. */
  get isFullscreen() {
    const s = this.shadowRoot.fullscreenElement;
    return !!s && s === this.shadowRoot.querySelector(".screen");
  }
  /** Open (or close) a panel of the `panels` attribute: "lens", "timeline" or "debugger". */
  openPanel(name, open = true) {
    const d = this.shadowRoot.querySelector(`details[data-panel="${name}"]`);
    if (d) d.open = !!open;
    return !!d;
  }
  /** {classes, modes, counts[class][ring][mode], totals, holesTotal, eventsDropped}. */
  classCounts() { return this._need().machine.classCounts(); }
  holes() { return this._need().machine.holes(); }
  /** [{at, kind, vector, errorCode, from, to, cplBefore, cplAfter, cs, eip}]. */
  timeline(since) { return this._need().machine.timeline(since); }
  biosCalls() { return this._need().machine.biosCalls(); }
  ioCounts() { return this._need().machine.ioCounts(); }
  registers() { return this._need().machine.registers(); }
  disassemble(count = 12, linear) { return this._need().machine.disassemble(count, linear); }
  /** Up to `before` instructions that probably led to CS:EIP (marked `before`), then `count` from it. */
  disassembleAround(before = 4, count = 12) { return this._need().machine.disassembleAround(before, count); }
  /** {mode, base, limit, entries: [{vector, kind, type, selector, offset, dpl, present, target, readable}]} (real mode: the IVT). */
  idt() { return this._need().machine.idt(); }
  /** {paging, cr3, directory, pse, pge, entries: [present PDEs], walk} (the walk of `linear`, when given). */
  pageTables(linear) { return this._need().machine.pageTables(linear); }
  readPhysical(addr, len) { return this._need().machine.readPhysical(addr, len); }
  /** The access to a watched port that stopped the PC: {port, size, write, value, device}, or undefined. */
  portHit() { return this._need().machine.portHit(); }

  /** Pause (if running) and execute one instruction; the registers after it. */
  step() {
    const emu = this._need();
    this._started = true;
    this._setOverlay("");
    emu.pause();
    const exit = emu.machine.step();
    if (exit !== "budget" && exit !== "idle") emu._stopped(exit);
    emu._draw();
    this._refresh();
    return emu.machine.registers();
  }

  /** Step, but run a CALL, INT or a REP/LOOP instruction to its end (to the next one). */
  stepOver() {
    const m = this._need().machine;
    const [cur, next] = m.disassemble(2);
    if (next && /^(call|int|rep|loop)/.test(cur.text)) this.runTo(next.linear);
    else this.step();
  }

  /** Run until the instruction at linear address `linear`. */
  runTo(linear) {
    this._runTo = linear >>> 0;
    this._applyBreakpoints();
    this.resume();
  }

  /** Pause right after an exception with one of `vectors` (decimal) or, with `modeChange`, a mode change. */
  setEventBreaks(vectors = [], modeChange = false) {
    this._breakVectors = [...vectors].map((v) => v & 255);
    this._breakMode = !!modeChange;
    if (this.emu) this._applyBreakpoints();
  }

  /** Pause right after an instruction that reads or writes one of `ports` (0-FFFFh); [] clears. */
  setPortBreaks(ports) {
    const list = [...ports].map(Number);
    const bad = list.find((p) => !Number.isInteger(p) || p < 0 || p > 0xffff);
    if (bad !== undefined) throw new RangeError(`not an I/O port (0 to FFFFh): ${bad}`);
    this._portBreaks = [...new Set(list)].sort((a, b) => a - b);
    if (this.emu) this._applyBreakpoints();
    const input = this.shadowRoot.querySelector(".dbg-ports");
    if (input) input.value = this._portBreaks.map((p) => p.toString(16).toUpperCase()).join(", ");
  }

  setBreakpoints(list) {
    this._userBreakpoints = [...list].map((a) => a >>> 0);
    if (this.emu) this._applyBreakpoints();
    const input = this.shadowRoot.querySelector(".dbg-bps");
    if (input) input.value = this._userBreakpoints.map((a) => a.toString(16).toUpperCase()).join(", ");
  }
}

if (!customElements.get("aula86-pc")) customElements.define("aula86-pc", Aula86PC);

export { LESSONS };
