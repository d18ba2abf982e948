// aula86's words in English and Spanish. The browser's language picks the default; an element's
// `lang` attribute or the page's language switch overrides it.

export const LANGS = Object.freeze(["en", "es"]);

/** "es" when the browser prefers Spanish, else "en". */
export function browserLang() {
  const langs = (typeof navigator !== "undefined" && (navigator.languages || [navigator.language])) || [];
  for (const l of langs) {
    const base = String(l || "").slice(0, 2).toLowerCase();
    if (LANGS.includes(base)) return base;
  }
  return "en";
}

/** The language for a value such as "es-MX", or the browser's when there is none. */
export function pickLang(value) {
  const base = String(value || "").slice(0, 2).toLowerCase();
  return LANGS.includes(base) ? base : browserLang();
}

const EN = {
  start: "Start",
  pause: "Pause",
  resume: "Resume",
  reset: "Reset",
  step: "Step",
  stepOver: "Step over",
  memory: "Memory",
  breakOnVectors: "Stop after exceptions (vectors)",
  breakOnMode: "stop after a mode change",
  type: "type",
  linear: "linear",
  runTo: "Run to",
  language: "Language",
  starting: "Starting…",
  clickToStart: "Press Start to power on the PC.",
  lens: "Lens: instructions by class",
  timeline: "Timeline",
  debugger: "Debugger",
  lesson: "Lesson",
  class: "Class",
  ordinary: "ordinary",
  privileged: "privileged",
  sensitive: "sensitive, unprivileged",
  ring: "ring",
  total: "total",
  real: "real",
  protected: "protected",
  "protected+paging": "protected+paging",
  v86: "v86",
  holes: "Holes: sensitive instructions outside ring 0 that did not trap",
  noHoles: "No holes yet.",
  holesTotal: "holes in total",
  address: "address",
  instruction: "instruction",
  mode: "mode",
  why: "why",
  unprivileged: "ran without trapping",
  "POPF/IRET left IF unchanged": "POPF/IRET left IF unchanged (silently)",
  countingOff: "Counting is off.",
  at: "instr. #",
  event: "event",
  vector: "vector",
  errorCode: "error code",
  cpl: "CPL before → after",
  where: "CS:EIP",
  noEvents: "No events yet.",
  exception: "exception",
  interrupt: "hardware interrupt",
  int: "software interrupt (INT n)",
  modeChange: "mode change",
  task: "task switch",
  biosCalls: "BIOS calls by service",
  ioByDevice: "I/O by device",
  registers: "Registers",
  segments: "Segments",
  disassembly: "Disassembly at EIP",
  breakpoints: "Breakpoints (linear, hex, comma-separated)",
  setBreakpoints: "Set",
  stoppedAt: "Stopped at breakpoint",
  paused: "paused",
  running: "running",
  stopped: "stopped",
  exc: {
    0: "#DE divide error", 1: "#DB debug", 2: "NMI", 3: "#BP breakpoint", 4: "#OF overflow",
    5: "#BR bound", 6: "#UD invalid opcode", 7: "#NM no FPU", 8: "#DF double fault",
    10: "#TS invalid TSS", 11: "#NP not present", 12: "#SS stack fault",
    13: "#GP general protection", 14: "#PF page fault", 16: "#MF x87 error", 17: "#AC alignment",
  },
};

const ES = {
  start: "Encender",
  pause: "Pausa",
  resume: "Continuar",
  reset: "Reiniciar",
  step: "Paso",
  stepOver: "Paso sin entrar",
  memory: "Memoria",
  breakOnVectors: "Parar tras excepciones (vectores)",
  breakOnMode: "parar tras un cambio de modo",
  type: "tipo",
  linear: "lineal",
  runTo: "Ejecutar hasta",
  language: "Idioma",
  starting: "Arrancando…",
  clickToStart: "Pulsa Encender para arrancar el PC.",
  lens: "Lupa: instrucciones por clase",
  timeline: "Cronología",
  debugger: "Depurador",
  lesson: "Lección",
  class: "Clase",
  ordinary: "ordinaria",
  privileged: "privilegiada",
  sensitive: "sensible, no privilegiada",
  ring: "anillo",
  total: "total",
  real: "real",
  protected: "protegido",
  "protected+paging": "protegido+paginación",
  v86: "v86",
  holes: "Agujeros: instrucciones sensibles fuera del anillo 0 que no provocaron excepción",
  noHoles: "Aún no hay agujeros.",
  holesTotal: "agujeros en total",
  address: "dirección",
  instruction: "instrucción",
  mode: "modo",
  why: "por qué",
  unprivileged: "se ejecutó sin excepción",
  "POPF/IRET left IF unchanged": "POPF/IRET no cambió IF (en silencio)",
  countingOff: "El recuento está apagado.",
  at: "instr. n.º",
  event: "evento",
  vector: "vector",
  errorCode: "código de error",
  cpl: "CPL antes → después",
  where: "CS:EIP",
  noEvents: "Aún no hay eventos.",
  exception: "excepción",
  interrupt: "interrupción hardware",
  int: "interrupción software (INT n)",
  modeChange: "cambio de modo",
  task: "cambio de tarea",
  biosCalls: "Llamadas a la BIOS por servicio",
  ioByDevice: "E/S por dispositivo",
  registers: "Registros",
  segments: "Segmentos",
  disassembly: "Desensamblado en EIP",
  breakpoints: "Puntos de ruptura (lineales, hex, separados por comas)",
  setBreakpoints: "Fijar",
  stoppedAt: "Detenido en punto de ruptura",
  paused: "en pausa",
  running: "en marcha",
  stopped: "detenido",
  exc: {
    0: "#DE división", 1: "#DB depuración", 2: "NMI", 3: "#BP punto de ruptura", 4: "#OF desbordamiento",
    5: "#BR límites", 6: "#UD código inválido", 7: "#NM sin FPU", 8: "#DF doble falta",
    10: "#TS TSS inválido", 11: "#NP no presente", 12: "#SS fallo de pila",
    13: "#GP protección general", 14: "#PF fallo de página", 16: "#MF error x87", 17: "#AC alineación",
  },
};

const TABLES = { en: EN, es: ES };

/** The translator for a language: t("key") (the key itself when there is no word for it). */
export function translator(lang) {
  const table = TABLES[lang] || EN;
  const t = (key) => (key in table ? table[key] : key in EN ? EN[key] : key);
  t.lang = lang;
  t.exc = (v) => table.exc[v] || EN.exc[v] || `#${v}`;
  return t;
}
