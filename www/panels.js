// The teaching panels of <aula86-pc>: the lens (instructions by Popek–Goldberg class × ring ×
// mode, and the holes), the timeline (exceptions, interrupts, mode changes, task switches; BIOS
// calls and I/O by device) and a small debugger (pause, step, run to, breakpoints, registers with
// EFLAGS/CR0 decoded, disassembly at EIP). Each render function fills its element from the wasm
// Machine; the element decides when.

const esc = (s) =>
  String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const hex = (v, n = 8) => (v >>> 0).toString(16).toUpperCase().padStart(n, "0");
const num = (v) => Number(v).toLocaleString("en-US");

const MODES = ["real", "protected", "protected+paging", "v86"];

/** The lens: counts[class][ring][mode] as a table (rows class × ring with any count). */
export function renderLens(el, m, t) {
  if (!m.teachingEnabled()) {
    el.innerHTML = `<p>${esc(t("countingOff"))}</p>`;
    return;
  }
  const c = m.classCounts();
  let rows = "";
  c.classes.forEach((cls, ci) => {
    for (let ring = 0; ring < 4; ring++) {
      const cells = c.counts[ci][ring];
      if (ring > 0 && cells.every((n) => n === 0)) continue;
      const sum = cells.reduce((a, b) => a + b, 0);
      const warn = cls === "sensitive" && ring > 0 && sum > 0 ? ' class="hole"' : "";
      rows +=
        `<tr data-class="${cls}" data-ring="${ring}"${warn}><th>${esc(t(cls))}</th><td>${ring}</td>` +
        cells.map((n, mi) => `<td data-mode="${MODES[mi]}">${num(n)}</td>`).join("") +
        `<td>${num(sum)}</td></tr>`;
    }
  });
  const holes = m.holes();
  const holeRows = holes
    .slice(-12)
    .reverse()
    .map(
      (h) =>
        `<tr><td>${num(h.at)}</td><td><code>${hex(h.cs, 4)}:${hex(h.eip)}</code> (${hex(h.linear)})</td>` +
        `<td><code>${esc(h.disasm)}</code> <small>${esc(h.bytes)}</small></td><td>${esc(t(h.mode))}</td>` +
        `<td>${h.ring}</td><td>${esc(t(h.why))}</td></tr>`,
    )
    .join("");
  el.innerHTML =
    `<table class="lens"><thead><tr><th>${esc(t("class"))}</th><th>${esc(t("ring"))}</th>` +
    MODES.map((mo) => `<th>${esc(t(mo))}</th>`).join("") +
    `<th>${esc(t("total"))}</th></tr></thead><tbody>${rows}</tbody></table>` +
    `<h4>${esc(t("holes"))} — <span class="holes-total">${num(c.holesTotal)}</span> ${esc(t("holesTotal"))}</h4>` +
    (holes.length
      ? `<table class="holes"><thead><tr><th>${esc(t("at"))}</th><th>${esc(t("address"))}</th><th>${esc(t("instruction"))}</th>` +
        `<th>${esc(t("mode"))}</th><th>${esc(t("ring"))}</th><th>${esc(t("why"))}</th></tr></thead><tbody>${holeRows}</tbody></table>`
      : `<p>${esc(t("noHoles"))}</p>`);
}

function eventText(e, t) {
  switch (e.kind) {
    case "exception":
      return `${t("exception")} ${e.vector} (${t.exc(e.vector)})`;
    case "interrupt":
      return `${t("interrupt")} ${hex(e.vector, 2)}h`;
    case "int":
      return `${t("int")} ${hex(e.vector, 2)}h`;
    case "mode":
      return `${t("modeChange")}: ${t(e.from)} → ${t(e.to)}`;
    case "task":
      return `${t("task")}: ${e.from} → ${e.to}`;
    default:
      return e.kind;
  }
}

/** The timeline: the last events, newest first, then BIOS calls and I/O by device. */
export function renderTimeline(el, m, t) {
  if (!m.teachingEnabled()) {
    el.innerHTML = `<p>${esc(t("countingOff"))}</p>`;
    return;
  }
  const events = m.timeline();
  const rows = events
    .slice(-40)
    .reverse()
    .map(
      (e) =>
        `<tr data-kind="${e.kind}"><td>${num(e.at)}</td><td>${esc(eventText(e, t))}</td>` +
        `<td>${e.vector ?? ""}</td><td>${e.errorCode === undefined || e.errorCode === null ? "" : hex(e.errorCode, 4)}</td>` +
        `<td>${e.cplBefore} → ${e.cplAfter}</td><td><code>${hex(e.cs, 4)}:${hex(e.eip)}</code></td></tr>`,
    )
    .join("");
  const list = (items) => items.map((i) => `<li>${esc(i.name)}: ${num(i.count)}</li>`).join("");
  el.innerHTML =
    (events.length
      ? `<table class="timeline"><thead><tr><th>${esc(t("at"))}</th><th>${esc(t("event"))}</th><th>${esc(t("vector"))}</th>` +
        `<th>${esc(t("errorCode"))}</th><th>${esc(t("cpl"))}</th><th>${esc(t("where"))}</th></tr></thead><tbody>${rows}</tbody></table>`
      : `<p>${esc(t("noEvents"))}</p>`) +
    `<div class="counts"><div><h4>${esc(t("biosCalls"))}</h4><ul>${list(m.biosCalls().map((b) => ({ name: `INT ${b.name}h`, count: b.count })))}</ul></div>` +
    `<div><h4>${esc(t("ioByDevice"))}</h4><ul>${list(m.ioCounts())}</ul></div></div>`;
}

/** 16 bytes a row from linear `addr`. */
function hexDump(m, addr, rows = 8) {
  const bytes = m.readLinear(addr, rows * 16);
  let out = "";
  for (let r = 0; r < rows; r++) {
    const row = bytes.subarray(r * 16, r * 16 + 16);
    const ascii = [...row].map((b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : ".")).join("");
    out += `${hex(addr + r * 16)}  ${[...row].map((b) => hex(b, 2)).join(" ")}  ${esc(ascii)}\n`;
  }
  return out;
}

/** The GDT's first entries, decoded (base, limit, type, DPL). */
function gdtRows(m, gdtr, t) {
  const n = Math.min(16, Math.floor((gdtr.limit + 1) / 8));
  if (n === 0) return "";
  const b = m.readLinear(gdtr.base, n * 8);
  let rows = "";
  for (let i = 0; i < n; i++) {
    const d = b.subarray(i * 8, i * 8 + 8);
    const base = (d[2] | (d[3] << 8) | (d[4] << 16) | (d[7] << 24)) >>> 0;
    let limit = d[0] | (d[1] << 8) | ((d[6] & 15) << 16);
    if (d[6] & 0x80) limit = ((limit << 12) | 0xfff) >>> 0;
    const access = d[5];
    const present = access & 0x80;
    const dpl = (access >> 5) & 3;
    let type;
    if (!present) type = i === 0 ? "null" : "—";
    else if (access & 0x10) type = access & 8 ? `code${d[6] & 0x40 ? "32" : "16"}` : "data";
    else type = { 1: "TSS16", 2: "LDT", 3: "TSS16 busy", 9: "TSS32", 11: "TSS32 busy", 12: "call gate" }[access & 15] || `sys ${access & 15}`;
    rows += `<tr><td>${hex(i * 8, 4)}</td><td>${hex(base)}</td><td>${hex(limit)}</td><td>${type}</td><td>${present ? dpl : ""}</td></tr>`;
  }
  return `<h4>GDT</h4><table class="gdt"><tr><th>sel</th><th>base</th><th>limit</th><th>${esc(t("type"))}</th><th>DPL</th></tr>${rows}</table>`;
}

/** The debugger's state view (its buttons are wired by the element). */
export function renderDebugger(el, m, t, memAddr = null) {
  const r = m.registers();
  const gpr = r.gpr.map(([n, v]) => `<span><b>${n.toUpperCase()}</b> ${hex(v)}</span>`).join("");
  const segs = r.segs
    .map(
      (s) =>
        `<tr><th>${s.name.toUpperCase()}</th><td>${hex(s.selector, 4)}</td><td>${hex(s.base)}</td><td>${hex(s.limit)}</td>` +
        `<td>DPL ${s.dpl}${s.big ? " 32" : " 16"}</td></tr>`,
    )
    .join("");
  const lines = m.disassemble(12);
  const dis = lines
    .map(
      (l, i) =>
        `<tr${i === 0 ? ' class="current"' : ""}><td><code>${hex(l.linear)}</code></td><td><small>${esc(l.bytes)}</small></td><td><code>${esc(l.text)}</code></td></tr>`,
    )
    .join("");
  el.querySelector(".dbg-state").innerHTML =
    `<h4>${esc(t("registers"))}</h4><div class="gpr">${gpr}<span><b>EIP</b> ${hex(r.eip)}</span></div>` +
    `<div class="flags"><b>EFLAGS</b> <span class="eflags">${hex(r.eflags)}</span> [${esc(r.eflagsSet.join(" "))}]</div>` +
    `<div class="flags"><b>CR0</b> <span class="cr0">${hex(r.cr0)}</span> [${esc(r.cr0Set.join(" "))}] <b>CR2</b> ${hex(r.cr2)} <b>CR3</b> ${hex(r.cr3)} <b>CR4</b> ${hex(r.cr4)} [${esc(r.cr4Set.join(" "))}]</div>` +
    `<div class="flags"><b>${esc(t("mode"))}</b> <span class="mode">${esc(t(r.mode))}</span> <b>CPL</b> <span class="cpl">${r.cpl}</span> ` +
    `<b>GDTR</b> ${hex(r.gdtr.base)}/${hex(r.gdtr.limit, 4)} <b>IDTR</b> ${hex(r.idtr.base)}/${hex(r.idtr.limit, 4)} <b>TR</b> ${hex(r.tr.selector, 4)} <b>LDTR</b> ${hex(r.ldtr.selector, 4)}</div>` +
    `<h4>${esc(t("segments"))}</h4><table class="segs">${segs}</table>` +
    `<h4>${esc(t("disassembly"))}</h4><table class="disasm">${dis}</table>` +
    (r.mode === "real" ? "" : gdtRows(m, r.gdtr, t)) +
    `<h4>${esc(t("memory"))} (${esc(t("linear"))})</h4><pre class="mem">${hexDump(m, memAddr ?? r.linear)}</pre>`;
}
