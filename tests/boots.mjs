// The real-software boots the tests run, in one place: scripts/boot-tests runs them with the
// native `aula86 run`, tests/wasm-boot/boot.mjs with the page's wasm build in Node. Images come
// from scripts/fixtures (FIXTURES, .cache/fixtures/out) and the demo floppy from www/demo.img.
//
// Each boot: `firmware` (files in FIXTURES: the system BIOS and optionally its VGA BIOS; none:
// the built-in BIOS), `mem` (MiB, default 16), `disks` ({slot: file in FIXTURES, or DEMO}),
// `steps` in order ({text}: until it is on the screen; {serial}: until COM1 has printed it;
// {type}: type it; {poweroff: true}: until the guest powers off), and `timeout` (seconds, for the
// native run).
//
//   node tests/boots.mjs names                       the boots' names, one a line
//   node tests/boots.mjs cli NAME FIXTURES DEMO      `aula86 run` arguments, NUL-terminated

export const DEMO = "DEMO";

const SEABIOS = ["seabios/bios.bin", "seabios/vgabios-stdvga.bin"];
const LINUX = [{ serial: "aula86#" }, { text: "aula86#" }, { type: "echo $((6*7))\n" }, { text: "42" }];
// With the built-in BIOS's ACPI tables Linux powers off through PM1 (SLP_TYP of \_S5, SLP_EN).
// (Under SeaBIOS without QEMU's fw_cfg there are no ACPI tables, so Linux can only halt there.)
const POWEROFF = [{ type: "poweroff -f\n" }, { poweroff: true }];
const MEMTEST = [{ text: "Memtest86+" }, { type: "\n" }, { text: "Test #" }];
const DEMO_SHOWN = [{ text: "aula86 demo disk" }];

export const BOOTS = {
  "demo-builtin": { disks: { fda: DEMO }, steps: DEMO_SHOWN, timeout: 60 },
  "demo-seabios": { firmware: SEABIOS, disks: { fda: DEMO }, steps: DEMO_SHOWN, timeout: 60 },
  // Without its VGA BIOS SeaBIOS shows nothing, and copies from the top of the address space
  // (a range check that wrapped in wasm's 32-bit usize once made that panic there); the demo
  // disk still boots and writes to COM1.
  "demo-seabios-novga": {
    firmware: [SEABIOS[0]],
    disks: { fda: DEMO },
    steps: [{ serial: "aula86 demo disk: booted from drive 00h" }],
    timeout: 60,
  },
  "memtest-floppy": { mem: 64, disks: { fda: "memtest-fd.img" }, steps: MEMTEST, timeout: 120 },
  "linux-builtin": { mem: 64, disks: { hda: "linux-hd.img" }, steps: [...LINUX, ...POWEROFF], timeout: 600 },
  "linux-seabios": { mem: 64, firmware: SEABIOS, disks: { hda: "linux-hd.img" }, steps: LINUX, timeout: 600 },
  "linux-cdrom": { mem: 64, disks: { cdrom: "linux.iso" }, steps: [...LINUX, ...POWEROFF], timeout: 600 },
  "memtest-cdrom": { mem: 64, disks: { cdrom: "memtest.iso" }, steps: MEMTEST, timeout: 120 },
  // SeaBIOS boots the CD through the ATAPI drive's ports (PACKET, READ(10) by PIO).
  "memtest-cdrom-seabios": { mem: 64, firmware: SEABIOS, disks: { cdrom: "memtest.iso" }, steps: MEMTEST, timeout: 120 },
};

/** The path of a boot's file: a name in `fixtures`, or the demo floppy. */
export function fileOf(name, fixtures, demo) {
  return name === DEMO ? demo : `${fixtures}/${name}`;
}

/** `aula86 run` arguments for a boot. */
export function cliArgs(boot, fixtures, demo) {
  const args = [];
  if (boot.firmware) {
    args.push("--bios", fileOf(boot.firmware[0], fixtures, demo));
    if (boot.firmware[1]) args.push("--vga-bios", fileOf(boot.firmware[1], fixtures, demo));
  }
  if (boot.mem) args.push("--mem", String(boot.mem));
  for (const [slot, file] of Object.entries(boot.disks)) args.push(`--${slot}`, fileOf(file, fixtures, demo));
  // The CLI reads \n as Enter and \\ as a backslash.
  const escape = (s) => s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
  for (const step of boot.steps) {
    if (step.text !== undefined) args.push("--until-text", step.text);
    else if (step.serial !== undefined) args.push("--until-serial", step.serial);
    else if (step.type !== undefined) args.push("--type", escape(step.type));
    else if (step.poweroff) args.push("--until-poweroff");
  }
  args.push("--timeout", String(boot.timeout));
  // Real software writing RAM every way it does: each write must have been noted, or a reset
  // (which clears only RAM noted as written) would leave it.
  args.push("--check-written");
  return args;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [cmd, name, fixtures, demo] = process.argv.slice(2);
  if (cmd === "names") {
    process.stdout.write(Object.keys(BOOTS).join("\n") + "\n");
  } else if (cmd === "cli" && BOOTS[name] && fixtures && demo) {
    process.stdout.write(cliArgs(BOOTS[name], fixtures, demo).map((a) => `${a}\0`).join(""));
  } else {
    console.error("usage: node tests/boots.mjs names | cli NAME FIXTURES DEMO");
    process.exit(2);
  }
}
