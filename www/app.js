// The aula86 page: an <aula86-pc> element (aula86-pc.js, the same one a course page embeds) and,
// around it, what a full page adds: the toolbar, the status line, the messages, the drives
// (floppy A: and B:, hard disk C:, CD-ROM), the firmware choice, the CPU speed limit, the lesson
// picker, the panel toggles, the language switch, the serial port and ?bench=1. The element is
// window.aula86 for automation; everything here goes through its API.
//
// URL parameters: fda=URL, fdb=URL, hda=URL and cdrom=URL (disk and ISO images; relative URLs
// work), mem=MB (1 to 2047, default 16), cpu=8086|186|286|386|486|pentium|pentiumpro (default
// pentiumpro), mips=N (CPU speed limit in MIPS, 0 = unlimited, the default), lesson=1..5 (boot a
// lesson floppy instead of the demo disk), panels=lens,timeline,debugger (the teaching panels to
// show, open), lang=en|es (the panels' and lessons' language; default the browser's), embed=1 (no
// header or footer: for an <iframe>), bios=URL and vgabios=URL (firmware to run instead of the
// built-in BIOS, e.g. SeaBIOS's bios.bin and vgabios-stdvga.bin), bench=1 (run the benchmark
// instead of a disk: bench.js; iters=N sets its length).

import { DEMO_NAME, DEMO_URL, checkMips, prefetchImage } from "./emulator.js";
import { DEFAULT_ITERS, runBench } from "./bench.js";
import { LESSONS, lessonById } from "./lessons.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const MODELS = ["8086", "186", "286", "386", "486", "pentium", "pentiumpro"];
const PANELS = ["lens", "timeline", "debugger"];
const SLOT_LABEL = {
  fda: "floppy drive A",
  fdb: "floppy drive B",
  hda: "hard disk C",
  hdb: "hard disk D",
  cdrom: "the CD-ROM drive",
  auto: "a drive",
};
const DRIVES = ["fda", "fdb", "hda", "cdrom"];
const MAX_MESSAGES = 5;

// ---- messages ------------------------------------------------------------------------------

/**
 * Show a message: level "error", "warning" or "info"; actions are buttons [{label, run}] that
 * also dismiss it. `code` lands in data-code (tests and styling).
 */
function showMessage(level, text, actions = [], code = "") {
  const box = $("messages");
  const item = document.createElement("div");
  item.className = `message ${level}`;
  item.dataset.code = code;
  const p = document.createElement("p");
  p.textContent = text;
  item.append(p);
  const buttons = document.createElement("div");
  buttons.className = "message-actions";
  for (const a of actions) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = a.label;
    b.addEventListener("click", guard(async () => {
      item.remove();
      await a.run();
    }));
    buttons.append(b);
  }
  const close = document.createElement("button");
  close.type = "button";
  close.className = "close";
  close.textContent = "×";
  close.title = "Dismiss";
  close.setAttribute("aria-label", "Dismiss this message");
  close.addEventListener("click", () => item.remove());
  buttons.append(close);
  item.append(buttons);
  box.append(item);
  while (box.children.length > MAX_MESSAGES) box.firstElementChild.remove();
  return item;
}

function clearMessages() {
  $("messages").replaceChildren();
}

/** Wrap a handler so that whatever it throws becomes a message, never an uncaught error. */
function guard(fn) {
  return async (...args) => {
    try {
      return await fn(...args);
    } catch (e) {
      showMessage("error", e && e.message ? e.message : String(e), [], (e && e.code) || "");
      return undefined;
    }
  };
}

window.addEventListener("unhandledrejection", (e) => {
  showMessage("error", `Unexpected error: ${e.reason && e.reason.message ? e.reason.message : e.reason}`);
});
window.addEventListener("error", (e) => {
  showMessage("error", `Unexpected error: ${e.message}`);
});

// ---- the machine: the element, configured from the URL before it is defined ----------------

function memFromParams() {
  const raw = params.get("mem");
  if (raw === null) return 16;
  const mb = Number(raw);
  if (Number.isInteger(mb) && mb >= 1 && mb <= 2047) return mb;
  showMessage("error", `mem=${raw} is not a memory size: give whole megabytes from 1 to 2047. Using 16 MB.`, [], "bad-param");
  return 16;
}

function modelFromParams() {
  const raw = params.get("cpu");
  if (raw === null) return "pentiumpro";
  if (MODELS.includes(raw.toLowerCase())) return raw.toLowerCase();
  showMessage("error", `cpu=${raw} is not a CPU this PC has (${MODELS.join(", ")}). Using pentiumpro.`, [], "bad-param");
  return "pentiumpro";
}

function mipsFromParams() {
  const raw = params.get("mips");
  if (raw === null) return 0;
  try {
    return checkMips(raw);
  } catch (e) {
    showMessage("error", `mips=${raw}: ${e.message}. Running unlimited.`, [], "bad-param");
    return 0;
  }
}

function lessonFromParams() {
  const raw = params.get("lesson");
  if (raw === null || raw === "") return null;
  const lesson = lessonById(raw);
  if (lesson) return lesson;
  showMessage("error", `lesson=${raw} is not a lesson (${LESSONS.map((l) => l.id).join(", ")}). Booting the demo disk.`, [], "bad-param");
  return null;
}

function panelsFromParams() {
  const raw = params.get("panels");
  if (raw === null) return [];
  const asked = raw.toLowerCase().split(/[\s,]+/).filter(Boolean);
  const bad = asked.filter((p) => !PANELS.includes(p) && p !== "screen");
  if (bad.length) showMessage("error", `panels=${raw}: there is no panel ${bad.join(", ")} (${PANELS.join(", ")}).`, [], "bad-param");
  return PANELS.filter((p) => asked.includes(p));
}

if (params.get("embed") === "1") document.body.classList.add("embed");

// Disks named in the URL download while the engine starts (main() puts them in; the benchmark
// page uses none).
for (const slot of DRIVES) {
  if (params.get(slot) && params.get("bench") !== "1") prefetchImage(params.get(slot));
}

const pc = $("machine");
const startLesson = params.get("bench") === "1" ? null : lessonFromParams();
pc.setAttribute("mem", String(memFromParams()));
pc.setAttribute("model", modelFromParams());
pc.setAttribute("mips", String(mipsFromParams()));
if (params.get("lang")) pc.setAttribute("lang", params.get("lang"));
if (startLesson) pc.setAttribute("lesson", startLesson.id);
const startPanels = panelsFromParams();
pc.setAttribute("panels", ["screen", ...startPanels].join(" "));
// Defining the element upgrades it: it builds its screen (pc.canvas) and starts its machine,
// paused, drives empty (or the lesson's floppy in A:) until main() puts the disks in.
await import("./aula86-pc.js");
const canvas = pc.canvas;
canvas.id = "screen";
canvas.setAttribute("aria-label", "The PC's screen. Click it to type; keys then go to the PC.");
window.aula86 = pc;
/** An internal error made the machine unusable (its "stop" event said so). */
let broken = false;

// ---- disks ---------------------------------------------------------------------------------

function sizeText(n) {
  if (n >= 1 << 20) return `${(n / 1048576).toFixed(n >= 10 << 20 ? 0 : 1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}

/** The name of the disk in `slot`, or undefined. */
const diskName = (slot) => (pc.diskInfo(slot) || {}).name;

/** Leave the lesson (a disk a person chose replaces its floppy). */
function leaveLesson() {
  if (!pc.hasAttribute("lesson")) return;
  pc.removeAttribute("lesson");
  $("lesson").value = "";
}

/**
 * Put `source` (File, bytes or URL) in `slot` and boot (B: only changes the disk); problems
 * become messages. `focus` gives the screen the keyboard afterwards (when a person chose the
 * disk).
 */
async function loadDisk(slot, source, name, focus = false) {
  const boot = slot !== "fdb";
  try {
    if (boot) leaveLesson();
    const info = await pc.insertDisk(slot, source, { boot, name });
    if (focus) canvas.focus({ preventScroll: true });
    const shown = name || info.slot;
    if (info.slot === "cdrom") {
      cdNotes(info, shown);
      return info;
    }
    if (!info.bootable && boot) {
      showMessage(
        "warning",
        `The first sector of “${shown}” is blank, so this disk will probably not boot.`,
        [],
        "blank-boot-sector",
      );
    }
    if (name !== DEMO_NAME) {
      for (const note of info.notes) showMessage("info", `“${shown}”: ${note}.`, [], "disk-note");
    }
    return info;
  } catch (e) {
    diskProblem(slot, source, name, e);
    return undefined;
  }
}

/** What a CD that went in to boot needs said: not bootable, or a disk the BIOS boots first. */
function cdNotes(info, shown) {
  if (!info.bootable) {
    const why = info.notes.length ? `: ${info.notes.join("; ")}` : "";
    showMessage("warning", `“${shown}” is not a bootable CD${why}. It is in the drive for the guest to read.`, [], "not-bootable-cd");
    return;
  }
  const first = ["fda", "hda"].filter((s) => pc.diskInfo(s));
  if (first.length) {
    const names = first.map((s) => (s === "fda" ? "A:" : "C:")).join(" and ");
    showMessage(
      "info",
      `The BIOS boots ${names} before the CD-ROM: eject ${first.length > 1 ? "them" : "it"} and press Reset to boot from “${shown}”.`,
      [],
      "boot-order",
    );
  }
}

function diskProblem(slot, source, name, e) {
  const what = name ? `“${name}”` : "the disk image";
  const actions = [];
  if (e.code === "not-floppy-size") {
    actions.push({ label: "Attach it as hard disk C: instead", run: () => loadDisk("hda", source, name, true) });
  }
  if (e.code === "http" || e.code === "fetch" || slot === "fda") {
    if (diskName("fda") !== DEMO_NAME) {
      actions.push({ label: "Boot the demo disk", run: () => bootDemo(true) });
    }
  }
  showMessage("error", `Could not put ${what} in ${SLOT_LABEL[slot] || slot}: ${e.message}.`, actions, e.code || "error");
}

function bootDemo(focus = false) {
  return loadDisk("fda", DEMO_URL, DEMO_NAME, focus);
}

async function download(slot) {
  let blob;
  try {
    blob = await pc.diskBlob(slot);
  } catch (e) {
    showMessage("error", `Could not save ${SLOT_LABEL[slot] || slot}: ${e.message}.`, [], e.code || "error");
    return;
  }
  if (!blob) return;
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = diskName(slot) || `${slot}.img`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}

function updateDrives() {
  if (!pc.machine || broken) return;
  for (const slot of DRIVES) {
    const info = pc.diskInfo(slot);
    const label = $(`${slot}-name`);
    let text = "empty";
    if (info && slot === "cdrom") text = `${info.name || "disc"} (${sizeText(info.bytes)}${info.bootable ? "" : ", not bootable"})`;
    else if (info) text = `${info.name || "disk"} (${info.format || sizeText(info.bytes)}${info.modified ? ", changed" : ""})`;
    if (label.textContent !== text) label.textContent = text;
    $(`${slot}-eject`).disabled = !info;
    const download = $(`${slot}-download`);
    if (download) download.disabled = !(info && info.modified);
  }
}

function wireDrive(slot) {
  const input = $(`${slot}-file`);
  input.addEventListener("change", guard(async () => {
    const file = input.files && input.files[0];
    input.value = "";
    if (file) await loadDisk(slot, file, file.name, true);
  }));
  $(`${slot}-eject`).addEventListener("click", guard(() => {
    pc.ejectDisk(slot);
    updateDrives();
  }));
  const button = $(`${slot}-download`);
  if (button) button.addEventListener("click", guard(() => download(slot)));
  dropTarget($(`drive-${slot}`), slot);
}

/** Files dropped on `el` go to `slot` ("auto": A: for floppy sizes, else C:). */
function dropTarget(el, slot) {
  el.addEventListener("dragover", (e) => {
    if (!e.dataTransfer || ![...e.dataTransfer.types].includes("Files")) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
    el.classList.add("drop");
  });
  el.addEventListener("dragleave", () => el.classList.remove("drop"));
  el.addEventListener("drop", guard(async (e) => {
    e.preventDefault();
    e.stopPropagation();
    el.classList.remove("drop");
    const file = e.dataTransfer && e.dataTransfer.files[0];
    if (file) await loadDisk(slot, file, file.name, true);
  }));
}

// A file dropped anywhere else must not make the browser leave the page.
window.addEventListener("dragover", (e) => e.preventDefault());
window.addEventListener("drop", (e) => e.preventDefault());

// ---- the screen ----------------------------------------------------------------------------

/**
 * Scale the element's canvas to fit the space it has, by a whole number of device pixels per
 * emulated pixel (crisp), lines doubled in the 640x200 modes; a fractional fit only when even
 * one to one does not fit.
 */
function fitScreen() {
  const wrap = canvas.parentElement;
  if (!wrap) return;
  const w = canvas.width;
  const h = canvas.height;
  const ky = w / h > 2.5 ? 2 : 1;
  const full = pc.isFullscreen;
  const availW = Math.max(160, full ? window.innerWidth : wrap.clientWidth);
  const availH = Math.max(120, full ? window.innerHeight : window.innerHeight * (document.body.classList.contains("embed") ? 0.75 : 0.7));
  const dpr = window.devicePixelRatio || 1;
  const s = Math.floor(Math.min((availW * dpr) / w, (availH * dpr) / (h * ky)));
  let cssW;
  let cssH;
  if (s >= 1) {
    cssW = (w * s) / dpr;
    cssH = (h * ky * s) / dpr;
  } else {
    const f = Math.min(availW / w, availH / (h * ky));
    cssW = w * f;
    cssH = h * ky * f;
  }
  // Smaller than the picture (a narrow window): smooth, or whole lines would vanish.
  canvas.style.imageRendering = s < 1 ? "auto" : "";
  canvas.style.width = `${cssW}px`;
  canvas.style.height = `${cssH}px`;
}

function showFocusHint() {
  $("focus-hint").textContent = canvas.matches(":focus") ? "Keys go to the PC (click elsewhere to stop)" : "Click the screen to type";
}

// ---- status --------------------------------------------------------------------------------

function updateStatus(s) {
  let state = "Running";
  if (broken) state = "Stopped (internal error)";
  else if (s.stopped) state = "Stopped";
  else if (s.paused) state = "Paused";
  else if (s.idle) state = "Waiting for input";
  $("state").textContent = state;
  $("mips").textContent = s.mips.toFixed(1);
  const limit = $("mips-limit");
  if (Number(limit.value) !== s.mipsLimit && document.activeElement !== limit) showMipsLimit(s.mipsLimit);
  $("mode").textContent = s.mode;
  $("cpl").textContent = String(s.cpl);
  $("video").textContent = s.videoMode;
  $("status").title = `${s.instructions.toLocaleString("en-US")} instructions, ${(s.emulatedMs / 1000).toFixed(1)} s emulated; ${s.model}, ${s.memMB} MB`;
  $("pause").textContent = s.paused ? "Resume" : "Pause";
  updateDrives();
}

/** Show `mips` in the CPU speed select (adding an option for a value it does not list). */
function showMipsLimit(mips) {
  const limit = $("mips-limit");
  if (![...limit.options].some((o) => Number(o.value) === mips)) {
    const o = document.createElement("option");
    o.value = String(mips);
    o.textContent = `${mips} MIPS`;
    limit.append(o);
  }
  limit.value = [...limit.options].find((o) => Number(o.value) === mips).value;
}

// ---- the teaching view: lessons, panels, language -------------------------------------------

for (const l of LESSONS) {
  const o = document.createElement("option");
  o.value = l.id;
  o.textContent = `${l.id}. ${l.title.en}`;
  $("lesson").append(o);
}

/** The page's lesson picker and panel toggles from the element's attributes. */
function showTeaching() {
  $("lesson").value = pc.lesson ? pc.lesson.id : "";
  for (const l of LESSONS) $("lesson").querySelector(`option[value="${l.id}"]`).textContent = `${l.id}. ${l.title[pc.lang]}`;
  const shown = pc.panels;
  for (const p of PANELS) $(`panel-${p}`).checked = shown.includes(p);
  $("lang").value = pc.lang;
}

/** Show the panels checked (each one that was just checked opens). */
function setPanels(open = []) {
  const on = PANELS.filter((p) => $(`panel-${p}`).checked);
  pc.setAttribute("panels", ["screen", ...on].join(" "));
  for (const p of open) pc.openPanel(p);
}

$("lesson").addEventListener("change", guard(async () => {
  const id = $("lesson").value;
  if (!id) {
    pc.removeAttribute("lesson");
    await bootDemo(true);
    return;
  }
  // A lesson is watched through the lens and the timeline: show them if no panel is.
  if (!PANELS.some((p) => $(`panel-${p}`).checked)) {
    $("panel-lens").checked = true;
    $("panel-timeline").checked = true;
    setPanels(["lens", "timeline"]);
  }
  // The element puts the lesson's floppy in A: and restarts from it.
  pc.setAttribute("lesson", id);
  showTeaching();
  canvas.focus({ preventScroll: true });
}));
for (const p of PANELS) {
  $(`panel-${p}`).addEventListener("change", guard((e) => setPanels(e.target.checked ? [p] : [])));
}
$("lang").addEventListener("change", guard(() => {
  pc.setAttribute("lang", $("lang").value);
  showTeaching();
}));

// ---- the serial port -----------------------------------------------------------------------

const MAX_SERIAL_SHOWN = 20000;
let serialShown = "";

function showSerial(text) {
  serialShown += text;
  if (serialShown.length > MAX_SERIAL_SHOWN) serialShown = serialShown.slice(-MAX_SERIAL_SHOWN);
  const pre = $("serial-out");
  const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
  // Carriage returns and backspaces, as a terminal would show them (roughly).
  let shown = "";
  for (const line of serialShown.split("\n")) {
    let l = "";
    for (const part of line.split("\r")) l = part.length >= l.length ? part : part + l.slice(part.length);
    let out = "";
    for (const ch of l) out = ch === "\b" ? out.slice(0, -1) : out + ch;
    shown += (shown ? "\n" : "") + out;
  }
  pre.textContent = shown;
  if (atBottom) pre.scrollTop = pre.scrollHeight;
}

// ---- automation from another origin (an <iframe> on a course page) ---------------------------

const REMOTE = new Set([
  "screenText", "waitForText", "sendText", "sendKey", "serialOutput", "sendSerial", "stats",
  "reset", "pause", "resume", "ctrlAltDel", "screenshot", "setMips",
]);
const serialSubscribers = new Set();

window.addEventListener("message", async (e) => {
  const d = e.data;
  if (!d || typeof d !== "object" || typeof d.aula86 !== "string" || !e.source) return;
  const target = e.origin === "null" ? "*" : e.origin;
  const reply = { aula86Reply: d.id };
  try {
    if (d.aula86 === "subscribe") {
      serialSubscribers.add(e.source);
      reply.result = true;
    } else if (REMOTE.has(d.aula86)) {
      reply.result = await pc[d.aula86](...(Array.isArray(d.args) ? d.args : []));
    } else {
      throw new Error(`aula86 has no method ${JSON.stringify(d.aula86)} for other pages`);
    }
  } catch (err) {
    reply.error = err && err.message ? err.message : String(err);
  }
  e.source.postMessage(reply, target);
});

// ---- wiring: the element's events and the page's controls ------------------------------------

pc.addEventListener("serial", (e) => {
  showSerial(e.detail);
  for (const w of serialSubscribers) w.postMessage({ aula86Event: "serial", detail: e.detail }, "*");
});
pc.addEventListener("status", (e) => updateStatus(e.detail));
pc.addEventListener("resize", fitScreen);
pc.addEventListener("disk", updateDrives);
pc.addEventListener("stop", (e) => {
  if (e.detail.reason === "error") broken = true;
  const actions = e.detail.reason === "error" ? [] : [{ label: "Reset", run: () => pc.reset() }];
  showMessage("error", e.detail.message, actions, e.detail.reason);
  if (!broken) updateStatus(pc.stats());
});
pc.addEventListener("firmware", (e) => {
  const actions = [];
  if (/no bootable disk/i.test(e.detail) && diskName("fda") !== DEMO_NAME) {
    actions.push({ label: "Boot the demo disk", run: () => bootDemo(true) });
  }
  showMessage("info", `The BIOS says: ${e.detail}`, actions, "firmware");
});

$("pause").addEventListener("click", () => (pc.running ? pc.pause() : pc.resume()));
pc.addEventListener("pause", () => updateStatus(pc.stats()));
pc.addEventListener("resume", () => updateStatus(pc.stats()));
$("reset").addEventListener("click", guard(() => {
  clearMessages();
  pc.reset();
  canvas.focus();
}));
$("cad").addEventListener("click", guard(() => {
  pc.ctrlAltDel();
  canvas.focus();
}));
$("mouse").addEventListener("click", guard(() => pc.captureMouse()));
$("fullscreen").addEventListener("click", guard(() => pc.fullscreen()));
$("shot").addEventListener("click", guard(async () => {
  const blob = await pc.screenshot();
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = "aula86-screen.png";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}));
$("fda-demo").addEventListener("click", guard(() => bootDemo(true)));
$("serial-form").addEventListener("submit", guard((e) => {
  e.preventDefault();
  pc.sendSerial(`${$("serial-in").value}\r`);
  $("serial-in").value = "";
}));
for (const slot of DRIVES) wireDrive(slot);
$("mips-limit").addEventListener("change", guard(() => {
  pc.mips = Number($("mips-limit").value);
  updateStatus(pc.stats());
}));
pc.addEventListener("mips", (e) => showMipsLimit(e.detail));

// ---- firmware --------------------------------------------------------------------------------

/** Files chosen for the firmware slot: the system BIOS is kept until a VGA BIOS joins it. */
const firmwareFiles = { bios: null, vgaBios: null };

async function loadFirmware(bios, vgaBios, label) {
  try {
    const kind = await pc.setFirmware(bios, vgaBios);
    $("firmware-name").textContent = kind === "builtin" ? "built-in BIOS" : label;
    showMessage("info", kind === "builtin" ? "The PC restarted with the built-in BIOS." : `The PC restarted with ${label}.`, [], "firmware");
    return true;
  } catch (e) {
    const actions = pc.firmware === "rom" ? [{ label: "Use the built-in BIOS", run: () => loadFirmware(null, null) }] : [];
    showMessage("error", `Could not use that firmware: ${e && e.message ? e.message : e}.`, actions, (e && e.code) || "bad-firmware");
    return false;
  } finally {
    updateDrives();
  }
}

$("bios-file").addEventListener("change", guard(async () => {
  const input = $("bios-file");
  const file = input.files && input.files[0];
  input.value = "";
  if (!file) return;
  firmwareFiles.bios = file;
  firmwareFiles.vgaBios = null;
  await loadFirmware(file, null, file.name);
}));
$("vgabios-file").addEventListener("change", guard(async () => {
  const input = $("vgabios-file");
  const file = input.files && input.files[0];
  input.value = "";
  if (!file) return;
  if (!firmwareFiles.bios) {
    showMessage("error", "Choose the system BIOS first (bios.bin), then its VGA BIOS.", [], "bad-firmware");
    return;
  }
  firmwareFiles.vgaBios = file;
  await loadFirmware(firmwareFiles.bios, file, `${firmwareFiles.bios.name} + ${file.name}`);
}));
$("firmware-builtin").addEventListener("click", guard(async () => {
  firmwareFiles.bios = null;
  firmwareFiles.vgaBios = null;
  await loadFirmware(null, null);
}));
dropTarget(pc, "auto");

canvas.addEventListener("focus", showFocusHint);
canvas.addEventListener("blur", showFocusHint);
canvas.addEventListener("mousedown", () => canvas.focus());
document.addEventListener("fullscreenchange", fitScreen);
window.addEventListener("resize", fitScreen);
if (typeof ResizeObserver !== "undefined") new ResizeObserver(fitScreen).observe(pc);

async function main() {
  fitScreen();
  showFocusHint();
  showTeaching();
  // The machine exists, paused, its drives empty (or the lesson's floppy in A:).
  await pc.ready;
  $("version").textContent = `aula86 ${pc.version}`;
  for (const id of ["pause", "reset", "cad", "mouse", "shot", "fda-demo", "serial-in", "serial-send", "mips-limit"]) {
    $(id).disabled = false;
  }
  showMipsLimit(pc.mips);
  if (params.get("bench") === "1") {
    // The PC stays off (its screen hidden): the benchmark runs machines of its own.
    pc.classList.add("off");
    updateStatus(pc.stats());
    await bench();
    return;
  }
  for (const id of ["bios-file", "vgabios-file", "firmware-builtin", "lesson", ...PANELS.map((p) => `panel-${p}`)]) {
    $(id).disabled = false;
  }
  for (const p of startPanels) pc.openPanel(p);
  // Firmware named in the URL goes in before the disks (the machine is rebuilt for it).
  const bios = params.get("bios");
  if (bios) {
    const vga = params.get("vgabios");
    const name = (u) => u.split("/").pop();
    await loadFirmware(bios, vga, vga ? `${name(bios)} + ${name(vga)}` : name(bios));
  }
  const fda = params.get("fda");
  const fdb = params.get("fdb");
  const hda = params.get("hda");
  const cdrom = params.get("cdrom");
  // Disks named in the URL, else the lesson's floppy or the demo disk. Each one that fails says
  // why; the page stays.
  if (fdb) await loadDisk("fdb", fdb, fdb.split("/").pop());
  if (hda) await loadDisk("hda", hda, hda.split("/").pop());
  if (cdrom) await loadDisk("cdrom", cdrom, cdrom.split("/").pop());
  if (fda) await loadDisk("fda", fda, fda.split("/").pop());
  if (!fda && !hda && !cdrom && !startLesson) await bootDemo();
  pc.resume();
  updateStatus(pc.stats());
  showTeaching();
}

// ---- ?bench=1 -------------------------------------------------------------------------------

function itersFromParams() {
  const raw = params.get("iters");
  if (raw === null) return DEFAULT_ITERS;
  const n = Number(raw);
  if (Number.isInteger(n) && n >= 1 && n <= 10_000_000) return n;
  showMessage("error", `iters=${raw} is not an iteration count: give a whole number from 1 to 10000000. Using ${DEFAULT_ITERS}.`, [], "bad-param");
  return DEFAULT_ITERS;
}

/** Run the benchmark guests (bench.js) and show their MIPS; the PC itself stays off. */
async function bench() {
  $("bench").hidden = false;
  const state = $("bench-state");
  const iters = itersFromParams();
  const model = pc.model;
  state.textContent = `Warming up for a second, then running ${iters.toLocaleString("en-US")} iterations of each guest on a ${model}…`;
  const rows = { real: $("bench-real"), protected: $("bench-protected") };
  try {
    const r = await runBench({
      iters,
      model,
      onProgress: (name, f) => {
        rows[name].querySelector(".mips").textContent = `${Math.round(f * 100)}%`;
      },
    });
    for (const name of ["real", "protected"]) {
      const d = r.details[name];
      const cells = rows[name].querySelectorAll("td");
      if (!d) {
        cells[4].textContent = `– (no 32-bit protected mode on a ${model})`;
        continue;
      }
      cells[2].textContent = d.instructions.toLocaleString("en-US");
      cells[3].textContent = (d.ms / 1000).toFixed(2);
      cells[4].textContent = r[name].toFixed(1);
    }
    state.textContent = `Done: emulated MIPS of this browser's WebAssembly build, ${model} (instructions / time spent running them).`;
    $("bench-result").textContent = JSON.stringify(r);
    console.log(`aula86 bench: real ${r.real} MIPS, protected ${r.protected ?? "-"} MIPS (${JSON.stringify(r)})`);
  } catch (e) {
    state.textContent = "The benchmark failed.";
    showMessage("error", `The benchmark failed: ${e && e.message ? e.message : e}`, [], "bench");
  }
}

main().catch((e) => {
  $("state").textContent = "The emulator could not start";
  showMessage("error", `The emulator could not start: ${e && e.message ? e.message : e}`, [], "start");
});
