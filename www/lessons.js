// The lessons: guests written for aula86 (tests/guests/lessons/*.asm, built into lessons/*.img),
// one per idea of an operating-systems lecture on virtualization, each with a short text in
// English and Spanish. Every lesson is loaded by its boot sector to 0000:7E00 and counted from
// there (MAIN), so its class counts are its own, not the BIOS's.

const url = (name) => new URL(`lessons/${name}.img`, import.meta.url).href;

/** Where each lesson's own code starts (linear). */
export const MAIN = 0x7e00;

export const LESSONS = Object.freeze([
  {
    id: "1",
    image: url("1_protected"),
    title: { en: "Real mode to protected mode", es: "Del modo real al modo protegido" },
    text: {
      en: "The PC starts in real mode: an address is segment × 16 + offset and nothing is protected. The lesson loads a GDT (LGDT), sets CR0.PE and makes a far jump: CS now holds a selector for a ring 0 code descriptor. Watch the timeline for the mode change and the lens for the privileged instructions (LGDT, MOV CR0) in ring 0.",
      es: "El PC arranca en modo real: una dirección es segmento × 16 + desplazamiento y nada está protegido. La lección carga una GDT (LGDT), pone CR0.PE a 1 y hace un salto lejano: CS contiene ahora un selector de un descriptor de código de anillo 0. Mira el cambio de modo en la cronología y las instrucciones privilegiadas (LGDT, MOV CR0) en anillo 0 en la lupa.",
    },
  },
  {
    id: "2",
    image: url("2_rings"),
    title: { en: "Rings: a privileged instruction traps", es: "Anillos: una instrucción privilegiada provoca una excepción" },
    text: {
      en: "The kernel drops to ring 3 with IRET (IOPL = 0). There CLI and HLT are privileged: each raises #GP(0), the CPU switches to ring 0 (CPL 3 → 0) and the kernel's handler reports it and skips the instruction. This trap is what a trap-and-emulate hypervisor relies on.",
      es: "El núcleo baja al anillo 3 con IRET (IOPL = 0). Allí CLI y HLT son privilegiadas: cada una provoca #GP(0), la CPU pasa al anillo 0 (CPL 3 → 0) y el manejador del núcleo lo informa y salta la instrucción. En esta excepción se apoya un hipervisor de atrapar y emular.",
    },
  },
  {
    id: "3",
    image: url("3_holes"),
    title: { en: "Sensitive but not privileged: no trap", es: "Sensible pero no privilegiada: sin excepción" },
    text: {
      en: "In ring 3, POPF asks for IF = 1: the CPU silently ignores it, without a trap. SGDT, SIDT and SMSW show the kernel's tables and CR0 to the user program, again without a trap. The lens lists these holes: sensitive instructions that a hypervisor never gets to see (Popek and Goldberg: x86 before VT-x is not virtualizable).",
      es: "En anillo 3, POPF pide IF = 1: la CPU lo ignora en silencio, sin excepción. SGDT, SIDT y SMSW muestran al programa de usuario las tablas del núcleo y CR0, también sin excepción. La lupa enumera estos agujeros: instrucciones sensibles que un hipervisor nunca llega a ver (Popek y Goldberg: el x86 anterior a VT-x no es virtualizable).",
    },
  },
  {
    id: "4",
    image: url("4_paging"),
    title: { en: "Paging and a page fault", es: "Paginación y un fallo de página" },
    text: {
      en: "The kernel builds a page directory and a page table mapping the first 4 MiB one to one except the page at 200000h, and sets CR0.PG. Reading 200000h raises #PF with CR2 = 200000h and error code 0 (not present, read, supervisor); the handler maps the page and the read is retried.",
      es: "El núcleo construye un directorio y una tabla de páginas que mapean los primeros 4 MiB uno a uno salvo la página 200000h, y pone CR0.PG a 1. Leer 200000h provoca #PF con CR2 = 200000h y código de error 0 (no presente, lectura, supervisor); el manejador mapea la página y la lectura se reintenta.",
    },
  },
  {
    id: "5",
    image: url("5_monitor"),
    title: { en: "A trap-and-emulate monitor misses the holes", es: "Un monitor de atrapar y emular no ve los agujeros" },
    text: {
      en: "A tiny monitor in ring 0 runs a guest kernel deprivileged in ring 3. CLI, STI, MOV from CR0 and HLT trap (#GP) and the monitor emulates them on the guest's virtual state. But the guest's POPF (turning interrupts off) and SGDT do not trap: the monitor's virtual IF stays 1 and the guest sees the monitor's GDT. Binary translation, paravirtualization and VT-x/AMD-V exist to close exactly these holes.",
      es: "Un pequeño monitor en anillo 0 ejecuta un núcleo invitado sin privilegios en anillo 3. CLI, STI, MOV desde CR0 y HLT provocan #GP y el monitor las emula sobre el estado virtual del invitado. Pero el POPF del invitado (que desactiva las interrupciones) y su SGDT no provocan excepción: el IF virtual del monitor sigue a 1 y el invitado ve la GDT del monitor. La traducción binaria, la paravirtualización y VT-x/AMD-V existen para cerrar justo estos agujeros.",
    },
  },
]);

export function lessonById(id) {
  return LESSONS.find((l) => l.id === String(id).replace(/^lesson/i, "").split("_")[0]) || null;
}

/** A lesson image padded to a 1.44M floppy. */
export async function lessonFloppy(lesson) {
  const r = await fetch(lesson.image);
  if (!r.ok) throw new Error(`could not fetch ${lesson.image}: HTTP ${r.status}`);
  const bytes = new Uint8Array(await r.arrayBuffer());
  const disk = new Uint8Array(1474560);
  disk.set(bytes.subarray(0, disk.length));
  return disk;
}
