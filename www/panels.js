// The teaching panels of <aula86-pc>: the lens (instructions by Popek–Goldberg class × ring ×
// mode, and the holes), the timeline (exceptions, interrupts, mode changes, task switches; BIOS
// calls and I/O by device) and a small debugger (pause, step, run to, breakpoints on addresses,
// exceptions, mode changes and I/O ports, registers with EFLAGS/CR0 decoded, disassembly around
// EIP, the GDT, the IDT, the page tables and a page walk, memory by linear or physical address).
// Each render function fills its element from the wasm Machine; the element decides when.

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

/** 16 bytes a row from linear (or, with `physical`, physical) `addr`. */
function hexDump(m, addr, rows = 8, physical = false) {
  const bytes = physical ? m.readPhysical(addr, rows * 16) : m.readLinear(addr, rows * 16);
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

/** A list of hex numbers ("3F8, 60h 0x64") as numbers from 0 to `max`; the rest dropped. */
export function parseHex(text, max = 0xffffffff) {
  return String(text)
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((s) => s.replace(/^0x/i, "").replace(/h$/i, ""))
    .filter((s) => /^[0-9a-f]+$/i.test(s))
    .map((s) => parseInt(s, 16))
    .filter((n) => n <= max);
}

/**
 * The debugger's further controls (I/O breakpoints, memory by physical address, a page walk),
 * for the element's control bar; `pc` is the element (its `_portBreaks` and `_dbg` state).
 */
export function debuggerControls(t, pc) {
  const ports = (pc._portBreaks || []).map((p) => hex(p, 2)).join(", ");
  const d = pc._dbg || {};
  return (
    `<label>${esc(t("portBreaks"))} <input class="dbg-ports" placeholder="E9, 3F8" value="${ports}"></label>` +
    `<label><input type="checkbox" class="dbg-physical"${d.physical ? " checked" : ""}> ${esc(t("memPhysical"))}</label>` +
    `<label>${esc(t("pageWalk"))} <input class="dbg-walk" placeholder="200000" value="${d.walk == null ? "" : hex(d.walk)}"></label>`
  );
}

/** Wire the controls of `debuggerControls` (in the debugger panel `dbg`) to the element `pc`. */
export function wireDebuggerControls(dbg, pc) {
  pc._dbg = pc._dbg || { physical: false, walk: null, open: {} };
  const state = pc._dbg;
  dbg.querySelector(".dbg-ports").addEventListener("change", (e) => pc.setPortBreaks(parseHex(e.target.value, 0xffff)));
  dbg.querySelector(".dbg-physical").addEventListener("change", (e) => {
    state.physical = e.target.checked;
    pc._refresh();
  });
  dbg.querySelector(".dbg-walk").addEventListener("change", (e) => {
    const [a] = parseHex(e.target.value);
    state.walk = a ?? null;
    state.open.pages = true;
    pc._refresh();
  });
  // The IDT and page-table sections are built only while open. A click on a section's title
  // records the new state at once and rebuilds: were it left to the "toggle" event, which comes
  // later, a refresh in between (four a second while the machine runs) would rebuild the section
  // closed and the click would be lost.
  dbg.addEventListener(
    "click",
    (e) => {
      const summary = e.target.closest && e.target.closest("details.dbg-sec > summary");
      const sec = summary && dbg.contains(summary) && summary.parentElement.dataset.sec;
      if (!sec) return;
      e.preventDefault();
      state.open[sec] = !state.open[sec];
      pc._refresh();
    },
    true,
  );
  dbg.addEventListener(
    "toggle",
    (e) => {
      const sec = e.target.dataset && e.target.dataset.sec;
      // A section built open fires "toggle" too: only a change of state counts.
      if (e.target === dbg || !sec || !!state.open[sec] === e.target.open) return;
      state.open[sec] = e.target.open;
      if (e.target.open) pc._refresh();
    },
    true,
  );
}

const GATE_KIND = { ivt: "kindIvt", int32: "kindInt32", trap32: "kindTrap32", int16: "kindInt16", trap16: "kindTrap16", task: "kindTask", bad: "kindBad" };

/** The IDT (or the real-mode IVT), one row a vector; exceptions named. */
function idtRows(m, t) {
  const idt = m.idt();
  const real = idt.mode === "real";
  const rows = idt.entries
    .map((g) => {
      // Exceptions by name (in real mode the PC puts IRQs and BIOS services from 8 on).
      const exc = g.vector < (real ? 8 : 32) ? t.exc(g.vector) : `#${g.vector}`;
      const name = exc === `#${g.vector}` ? "" : ` <small>${esc(exc)}</small>`;
      if (!g.readable) return `<tr data-vector="${g.vector}"><td>${hex(g.vector, 2)}${name}</td><td colspan="5">${esc(t("unreadable"))}</td></tr>`;
      const where = g.kind === "task" ? `TSS ${hex(g.selector, 4)}` : `${hex(g.selector, 4)}:${hex(g.offset, real || g.kind.endsWith("16") ? 4 : 8)}`;
      return (
        `<tr data-vector="${g.vector}"${g.present ? "" : ' class="absent"'}><td>${hex(g.vector, 2)}${name}</td><td>${esc(t(GATE_KIND[g.kind]))}</td>` +
        `<td><code>${where}</code></td><td>${real ? "" : g.dpl}</td><td>${g.present ? "P" : "—"}</td>` +
        `<td><code>${g.target == null ? "" : hex(g.target)}</code></td></tr>`
      );
    })
    .join("");
  return (
    `<p><b>IDTR</b> ${hex(idt.base)}/${hex(idt.limit, 4)} — ${idt.entries.length} ${esc(t("vectors"))}</p>` +
    `<div style="max-height: 22em; overflow: auto"><table class="idt"><thead><tr><th>${esc(t("vector"))}</th><th>${esc(t("type"))}</th>` +
    `<th>${real ? "seg:off" : "sel:offset"}</th><th>DPL</th><th>${esc(t("present"))}</th><th>${esc(t("handler"))}</th></tr></thead>` +
    `<tbody>${rows}</tbody></table></div>`
  );
}

/** The present page-directory entries and the walk of `linear`. */
function pageRows(m, t, linear) {
  const pt = m.pageTables(linear);
  if (!pt.paging) return `<p class="paging-off">${esc(t("pagingOff"))}</p>`;
  const flags = (f) => (f.length ? f.join(" ") : "—");
  const rows = pt.entries
    .slice(0, 64)
    .map(
      (e) =>
        `<tr><td>${hex(e.index, 3)}</td><td>${hex(e.linear)}–${hex(e.linear + 0x3fffff)}</td><td><code>${hex(e.entry)}</code></td>` +
        `<td>${hex(e.address)} <small>${esc(t(e.big ? "page4m" : "table4k"))}</small></td><td>${flags(e.flags)}</td><td>${e.pages ?? ""}</td></tr>`,
    )
    .join("");
  const w = pt.walk;
  let walk = "";
  if (w) {
    const steps = [`<li>${esc(t("linear"))} <code>${hex(w.linear)}</code>: PDE ${w.linear >>> 22} · PTE ${(w.linear >>> 12) & 1023} · offset ${hex(w.linear & 0xfff, 3)}</li>`];
    steps.push(`<li>PDE @ <code>${hex(w.pdeAddress)}</code> = <code>${hex(w.pde)}</code> [${flags(w.pdeFlags)}]${w.big ? ` — ${esc(t("page4m"))}` : ""}</li>`);
    if (w.pte != null) steps.push(`<li>PTE @ <code>${hex(w.pteAddress)}</code> = <code>${hex(w.pte)}</code> [${flags(w.pteFlags)}]</li>`);
    if (w.stop) steps.push(`<li class="walk-stop"><b>${esc(t(w.stop === "pde" ? "walkStopsPde" : "walkStopsPte"))}</b></li>`);
    else
      steps.push(
        `<li class="walk-physical">${esc(t("walkPhysical"))} <code>${hex(w.physical)}</code> — ${esc(t("rights"))}: ` +
          `${esc(t(w.user ? "userPage" : "supervisorPage"))}, ${esc(t(w.writable ? "writablePage" : "readOnlyPage"))}</li>`,
      );
    walk = `<h4>${esc(t("walk"))}</h4><ol class="walk">${steps.join("")}</ol>`;
  }
  return (
    `<p><b>CR3</b> ${hex(pt.cr3)} <b>PSE</b> ${pt.pse ? 1 : 0} <b>PGE</b> ${pt.pge ? 1 : 0}</p>` +
    walk +
    `<h4>${esc(t("pdeTitle"))} (${pt.entries.length})</h4><table class="pde"><thead><tr><th>#</th><th>${esc(t("maps"))}</th>` +
    `<th>${esc(t("entry"))}</th><th>${esc(t("tableOrPage"))}</th><th>flags</th><th>${esc(t("pages"))}</th></tr></thead><tbody>${rows}</tbody></table>`
  );
}

/** The last access to a watched port, if one stopped the machine. */
function portHitText(m, t) {
  const h = m.portHit ? m.portHit() : undefined;
  if (!h) return "";
  const value = hex(h.value, h.size * 2);
  return (
    `<p class="port-hit"><b>${esc(t("stoppedAfterIo"))}:</b> ${esc(t(h.write ? "ioWrite" : "ioRead"))} ` +
    `<code>${hex(h.port, 4)}h</code>${h.device ? ` (${esc(h.device)})` : ""}, ${h.write ? "←" : "→"} <code>${value}h</code></p>`
  );
}

/**
 * The debugger's state view (its buttons are wired by the element). `opts`: {physical (the
 * memory view by physical address), walk (a linear address to walk through the page tables),
 * open: {idt, pages} (the sections that are open, built only then)}.
 */
export function renderDebugger(el, m, t, memAddr = null, opts = {}) {
  const r = m.registers();
  const gpr = r.gpr.map(([n, v]) => `<span><b>${n.toUpperCase()}</b> ${hex(v)}</span>`).join("");
  const segs = r.segs
    .map(
      (s) =>
        `<tr><th>${s.name.toUpperCase()}</th><td>${hex(s.selector, 4)}</td><td>${hex(s.base)}</td><td>${hex(s.limit)}</td>` +
        `<td>DPL ${s.dpl}${s.big ? " 32" : " 16"}</td></tr>`,
    )
    .join("");
  const lines = m.disassembleAround ? m.disassembleAround(4, 12) : m.disassemble(12).map((l, i) => ({ ...l, current: i === 0 }));
  const noBefore = m.disassembleAround && !lines.some((l) => l.before) && r.eip > 0;
  const dis =
    (noBefore ? `<tr class="no-before"><td colspan="3"><small>${esc(t("noBefore"))}</small></td></tr>` : "") +
    lines
      .map(
        (l) =>
          `<tr${l.current ? ' class="current"' : l.before ? ` class="before" title="${esc(t("beforeEip"))}"` : ""}><td><code>${hex(l.linear)}</code>${l.before ? " ?" : ""}</td>` +
          `<td><small>${esc(l.bytes)}</small></td><td><code>${esc(l.text)}</code></td></tr>`,
      )
      .join("");
  const open = opts.open || {};
  const section = (sec, title, body) =>
    `<details class="dbg-sec" data-sec="${sec}"${open[sec] ? " open" : ""}><summary>${esc(title)}</summary>${open[sec] ? body() : ""}</details>`;
  const physical = !!opts.physical;
  const memAt = memAddr ?? (physical ? (m.linearToPhysical ? m.linearToPhysical(r.linear) : undefined) ?? r.linear : r.linear);
  el.querySelector(".dbg-state").innerHTML =
    portHitText(m, t) +
    `<h4>${esc(t("registers"))}</h4><div class="gpr">${gpr}<span><b>EIP</b> ${hex(r.eip)}</span></div>` +
    `<div class="flags"><b>EFLAGS</b> <span class="eflags">${hex(r.eflags)}</span> [${esc(r.eflagsSet.join(" "))}]</div>` +
    `<div class="flags"><b>CR0</b> <span class="cr0">${hex(r.cr0)}</span> [${esc(r.cr0Set.join(" "))}] <b>CR2</b> ${hex(r.cr2)} <b>CR3</b> ${hex(r.cr3)} <b>CR4</b> ${hex(r.cr4)} [${esc(r.cr4Set.join(" "))}]</div>` +
    `<div class="flags"><b>${esc(t("mode"))}</b> <span class="mode">${esc(t(r.mode))}</span> <b>CPL</b> <span class="cpl">${r.cpl}</span> ` +
    `<b>GDTR</b> ${hex(r.gdtr.base)}/${hex(r.gdtr.limit, 4)} <b>IDTR</b> ${hex(r.idtr.base)}/${hex(r.idtr.limit, 4)} <b>TR</b> ${hex(r.tr.selector, 4)} <b>LDTR</b> ${hex(r.ldtr.selector, 4)}</div>` +
    `<h4>${esc(t("segments"))}</h4><table class="segs">${segs}</table>` +
    `<h4>${esc(t("disassembly"))}</h4><table class="disasm">${dis}</table>` +
    (r.mode === "real" ? "" : gdtRows(m, r.gdtr, t)) +
    (m.idt ? section("idt", t(r.mode === "real" ? "ivtTitle" : "idtTitle"), () => idtRows(m, t)) : "") +
    (m.pageTables ? section("pages", t("pageTables"), () => pageRows(m, t, opts.walk ?? r.linear)) : "") +
    `<h4>${esc(t("memory"))} (${esc(t(physical ? "physical" : "linear"))})</h4><pre class="mem">${hexDump(m, memAt, 8, physical && !!m.readPhysical)}</pre>`;
}
