//! The aula86 PC: the CPU on a board with the classic PC/AT devices and a built-in BIOS.
//!
//! [`Pc::run`] is the main loop: it runs the CPU in slices that end at the next device deadline,
//! then lets the devices whose time has come do their work. Emulated time advances with retired
//! instructions (`ps_per_insn` picoseconds each); while the CPU halts, time jumps to the next
//! deadline. The same image, inputs and settings therefore give the same run every time.

pub mod bench;
pub mod bios;
pub mod board;
pub mod cdrom;
pub mod devices;
pub mod disk;
pub mod display;
pub mod drives;
pub mod keymap;
pub mod memory;

pub use cpu;

use board::Board;
use cpu::{Counters, Cpu, Model, RunExit};
use devices::Nanos;
use memory::Memory;

/// Why a request to the machine was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PcError {
    /// The bytes do not fit in guest RAM at that address.
    OutOfRange { addr: u32, len: usize, ram: usize },
    /// Memory size outside what the machine supports.
    BadMemorySize(usize),
    /// A firmware image that cannot be used.
    BadFirmware(String),
}

impl std::fmt::Display for PcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PcError::OutOfRange { addr, len, ram } => {
                write!(
                    f,
                    "{len} bytes at {addr:#x} do not fit in {ram} bytes of guest memory"
                )
            }
            PcError::BadMemorySize(n) => {
                write!(f, "memory size {} KiB is outside 1 MiB..3 GiB", n / 1024)
            }
            PcError::BadFirmware(why) => write!(f, "firmware: {why}"),
        }
    }
}

impl std::error::Error for PcError {}

/// Which firmware the machine starts.
#[derive(Debug, Clone, Default)]
pub enum Firmware {
    /// The BIOS written in this project (`bios/`).
    #[default]
    Builtin,
    /// A raw system BIOS image (64 KiB to 256 KiB, ending at 4 GiB and at 1 MiB) and optionally
    /// a VGA BIOS (option ROM at C0000h).
    Rom {
        bios: Vec<u8>,
        vga_bios: Option<Vec<u8>>,
    },
}

/// How the machine is built.
#[derive(Debug, Clone)]
pub struct Config {
    pub model: Model,
    pub mem_bytes: usize,
    /// What the real-time clock reads at power-on (seconds since 1970).
    pub rtc_unix_seconds: i64,
    pub firmware: Firmware,
    /// Emulated time per instruction, in picoseconds (20 000 = a 50 MIPS machine).
    pub ps_per_insn: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            model: Model::PentiumPro,
            mem_bytes: 16 << 20,
            // 2026-01-01 00:00:00 UTC: a fixed date keeps runs reproducible; callers that want
            // the host's clock set it.
            rtc_unix_seconds: 1_767_225_600,
            firmware: Firmware::Builtin,
            ps_per_insn: 20_000,
        }
    }
}

/// Why [`Pc::run`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The instruction budget was used.
    Budget,
    /// Emulated time reached the limit given.
    TimeLimit,
    /// The CPU halted with interrupts enabled and no device has anything scheduled: only input
    /// from the host can wake it.
    Idle,
    /// The CPU halted with interrupts disabled: it will never run again.
    Stopped,
    /// A triple fault shut the CPU down.
    TripleFault,
    /// The guest powered the machine off.
    PowerOff,
}

/// The longest CPU slice between device checks (keeps host-input latency low).
const MAX_SLICE: u64 = 1_000_000;

pub struct Pc {
    pub cpu: Cpu,
    pub board: Board,
    pub bios: bios::Bios,
    pub config: Config,
    /// Triple faults seen (a PC resets on one; the count tells the user it happened).
    pub triple_faults: u64,
    /// Key events queued by the host, fed to the keyboard one at a time.
    typing: std::collections::VecDeque<(u16, bool)>,
    next_key_at: Nanos,
}

/// Emulated time between queued key events (a fast typist; the BIOS buffer never overflows).
const KEY_GAP: Nanos = 15_000_000;

impl Pc {
    /// Build and power on a machine.
    pub fn with_config(config: Config) -> Result<Pc, PcError> {
        Pc::build(config, None)
    }

    /// Build and power on a machine as [`with_config`](Pc::with_config) does, on the RAM of
    /// another machine of the same memory size, which is taken from `mem` (cleared, as at a
    /// power cycle: only what was written since it was last all zeros), so that rebuilding a
    /// machine neither holds two copies of its memory at once nor clears more of it than its
    /// guest used. On an error `mem` is left as it was. RAM of another size is not used.
    pub fn with_config_reusing(config: Config, mem: &mut Memory) -> Result<Pc, PcError> {
        Pc::build(config, Some(mem))
    }

    fn build(config: Config, reuse: Option<&mut Memory>) -> Result<Pc, PcError> {
        if !(0x10_0000..=0xC000_0000).contains(&config.mem_bytes) {
            return Err(PcError::BadMemorySize(config.mem_bytes));
        }
        let mut config = config;
        if config.model < Model::I386 {
            // A 24-bit address bus: at most 15 MiB of RAM, the BIOS seen again below 16 MiB.
            config.mem_bytes = config.mem_bytes.min(15 << 20);
        }
        let bios = bios::Bios::new(&config.firmware)?;
        // Nothing fails from here on: only now is the other machine's RAM taken.
        let mem = match reuse {
            Some(old) if old.ram.len() == config.mem_bytes => old.take_cleared(),
            _ => Memory::new(config.mem_bytes),
        };
        let mut board = Board::with_memory(mem, config.rtc_unix_seconds);
        board.ps_per_insn = config.ps_per_insn.max(1);
        let mut pc = Pc {
            cpu: Cpu::new(config.model),
            board,
            bios,
            config,
            triple_faults: 0,
            typing: Default::default(),
            next_key_at: 0,
        };
        pc.power_on();
        Ok(pc)
    }

    /// A machine with the built-in BIOS and default settings but this CPU and memory size.
    pub fn new(model: Model, mem_bytes: usize) -> Result<Pc, PcError> {
        Pc::with_config(Config {
            model,
            mem_bytes,
            ..Config::default()
        })
    }

    /// Power-on: devices reset, firmware copied in, CPU at the reset vector.
    pub fn power_on(&mut self) {
        self.board.reset_devices();
        self.bios.install(&mut self.board, &self.config);
        self.cpu.reset();
        self.cpu.flush_code_cache();
        self.board.mem.take_dirty();
    }

    /// Reset the CPU only (Ctrl-Alt-Del style warm reset keeps memory; the firmware decides).
    pub fn reset(&mut self) {
        self.power_on();
    }

    /// Copy bytes into guest RAM (from the host).
    pub fn load(&mut self, addr: u32, bytes: &[u8]) -> Result<(), PcError> {
        // In 64 bits, as a 32-bit usize (wasm) would wrap near 4 GiB.
        let end = addr as u64 + bytes.len() as u64;
        if end > self.board.mem.ram.len() as u64 {
            return Err(PcError::OutOfRange {
                addr,
                len: bytes.len(),
                ram: self.board.mem.ram.len(),
            });
        }
        self.board.mem.ram[addr as usize..end as usize].copy_from_slice(bytes);
        self.board.mem.note_written(addr, bytes.len() as u32);
        self.cpu.notify_write(addr, bytes.len() as u32);
        Ok(())
    }

    /// Read guest physical memory.
    pub fn read(&mut self, addr: u32, len: usize) -> Vec<u8> {
        let mut v = vec![0; len];
        self.board.mem.read_bytes(addr, &mut v);
        v
    }

    pub fn counters(&self) -> Counters {
        self.cpu.counters
    }

    /// Emulated time now.
    pub fn now(&self) -> Nanos {
        self.board.time_now()
    }

    /// Tell the CPU about memory the devices or the firmware wrote.
    fn flush_dirty(&mut self) {
        if self.board.mem.has_dirty() {
            for (a, n) in self.board.mem.take_dirty() {
                self.cpu.notify_write(a, n);
            }
        }
    }

    /// Run until `max_insns` more instructions have retired, emulated time reaches `until`,
    /// or the machine stops. A halted CPU lets emulated time pass to its next interrupt; without
    /// `until` it waits no longer than the rest of the budget's instructions would have taken,
    /// and the run ends with [`Exit::Budget`]: a guest halted with its timer's interrupt masked
    /// (time goes on, no interrupt ever comes) must not hold the call forever.
    pub fn run(&mut self, max_insns: u64, until: Option<Nanos>) -> Exit {
        let start = self.cpu.counters.instructions;
        // How long a halted CPU may wait: set when it first halts.
        let mut wait_limit = None;
        loop {
            let insns = self.cpu.counters.instructions;
            let done = insns - start;
            if done >= max_insns {
                return Exit::Budget;
            }
            self.board.cur_insns = insns;
            let now = self.board.time_now();
            if until.is_some_and(|t| now >= t) {
                return Exit::TimeLimit;
            }
            self.board.rebase(insns);
            let ps = self.board.ps_per_insn;
            let mut slice = (max_insns - done).min(MAX_SLICE);
            self.feed_typing(now);
            let typing = (!self.typing.is_empty()).then_some(self.next_key_at);
            let horizon = [self.board.next_deadline(), until, typing]
                .into_iter()
                .flatten()
                .min();
            if let Some(h) = horizon {
                slice = slice.min((h.saturating_sub(now) * 1000).div_ceil(ps).max(1));
            }
            self.board.slice_end = Some(now + slice * ps / 1000);
            let ferr_before = self.cpu.fpu.ferr();
            let exit = self.cpu.run(&mut self.board, slice);
            self.board.slice_end = None;
            self.board.cur_insns = self.cpu.counters.instructions;
            if !ferr_before && self.cpu.fpu.ferr() && self.cpu.cr0 & 0x20 == 0 {
                // An unmasked x87 exception with CR0.NE clear: FERR# raises IRQ13, PC style.
                self.board.irq.raise(13);
                self.board.sync_irq();
            }
            self.flush_dirty();
            if self.board.hostcall {
                self.board.hostcall = false;
                bios::hostcall(self);
                self.flush_dirty();
            }
            if std::mem::take(&mut self.board.sys.reset) {
                self.cpu_reset();
            }
            if self.board.sys.power_off {
                self.board.sys.power_off = false;
                return Exit::PowerOff;
            }
            self.board.run_devices();
            // Devices (floppy DMA) may have written memory that holds decoded code.
            self.flush_dirty();
            match exit {
                RunExit::Shutdown => {
                    self.triple_faults += 1;
                    return Exit::TripleFault;
                }
                RunExit::Halted => {
                    if self.cpu.eflags() & cpu::flags::IF == 0 {
                        return Exit::Stopped;
                    }
                    if self.board.pic.intr() {
                        continue;
                    }
                    let now = self.board.time_now();
                    let limit = *wait_limit.get_or_insert_with(|| {
                        let left =
                            max_insns - (self.cpu.counters.instructions - start).min(max_insns);
                        until.unwrap_or(now.saturating_add(left.saturating_mul(ps) / 1000))
                    });
                    if let Some(exit) = self.wait_halted(limit, until) {
                        return exit;
                    }
                }
                _ => {}
            }
        }
    }

    /// The CPU halted with interrupts enabled and none pending: let emulated time jump to the
    /// next deadline (a firmware wait, INT 15h/86h, is one too), but not past `limit`. Some
    /// exit when the run ends here.
    fn wait_halted(&mut self, limit: Nanos, until: Option<Nanos>) -> Option<Exit> {
        let now = self.board.time_now();
        let typing = (!self.typing.is_empty()).then_some(self.next_key_at);
        let next = [self.board.next_deadline(), self.bios.wait_until, typing]
            .into_iter()
            .flatten()
            .min();
        if self
            .bios
            .wait_until
            .is_some_and(|w| next == Some(w) && w <= limit)
        {
            self.idle_until(next.unwrap_or(now).max(now));
            self.cpu.halted = false;
            return None;
        }
        match next {
            Some(d) if d > limit => {
                self.idle_until(limit.max(now));
                Some(if until.is_some() {
                    Exit::TimeLimit
                } else {
                    Exit::Budget
                })
            }
            Some(d) => {
                self.idle_until(d.max(now));
                self.board.run_devices();
                None
            }
            // Nothing will ever wake it but the host: with `until`, time still passes to it.
            None if until.is_some() => {
                self.idle_until(limit.max(now));
                Some(Exit::TimeLimit)
            }
            None => Some(Exit::Idle),
        }
    }

    /// Let emulated time jump forward to `t` while the CPU halts, by whole instruction slots (so
    /// to `t` or less than one slot past it), the TSC with it (`Cpu::idle_slots`).
    fn idle_until(&mut self, t: Nanos) {
        self.board.cur_insns = self.cpu.counters.instructions;
        let slots = self.board.slots_until(t);
        self.cpu.idle_slots(&mut self.board, slots);
    }

    /// The CPU reset line (keyboard controller, port 92h, triple fault): the CPU starts again at
    /// the reset vector; memory and devices keep their state, and the firmware decides (through
    /// the CMOS shutdown byte) whether this is a warm boot or a return from protected mode.
    pub fn cpu_reset(&mut self) {
        self.cpu.reset();
        self.board.sys.a20_fast = false;
        self.board.mem.a20_mask = if self.board.sys.a20() {
            0xFFFF_FFFF
        } else {
            0xFFEF_FFFF
        };
    }

    /// The host pressed or released a key (set-1 scan code; `0xE0xx` for extended keys).
    pub fn key_event(&mut self, code: u16, down: bool) {
        let now = self.board.time_now();
        self.board.kbc.key_event(code, down, now);
        self.board.run_devices();
    }

    /// Queue key events to be typed at a human pace (see [`keymap::text_to_keys`]).
    pub fn queue_keys(&mut self, keys: &[(u16, bool)]) {
        if self.typing.is_empty() {
            self.next_key_at = self.board.time_now();
        }
        self.typing.extend(keys.iter().copied());
    }

    /// Type text (US layout). Characters the keyboard cannot type are refused, with nothing
    /// queued.
    pub fn type_text(&mut self, text: &str) -> Result<(), char> {
        let keys = keymap::text_to_keys(text)?;
        self.queue_keys(&keys);
        Ok(())
    }

    /// Whether queued key events remain.
    pub fn typing_pending(&self) -> bool {
        !self.typing.is_empty()
    }

    fn feed_typing(&mut self, now: Nanos) {
        if now < self.next_key_at {
            return;
        }
        if let Some((code, down)) = self.typing.pop_front() {
            self.board.kbc.key_event(code, down, now);
            self.next_key_at = now + KEY_GAP;
            self.board.run_devices();
        }
    }

    /// The host moved the mouse or pressed its buttons.
    pub fn mouse_event(&mut self, dx: i32, dy: i32, buttons: u8, wheel: i32) {
        let now = self.board.time_now();
        self.board.kbc.mouse_event(dx, dy, buttons, wheel, now);
        self.board.run_devices();
    }

    /// Bytes the guest sent to COM1 since the last call.
    pub fn take_serial(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.board.uart.output)
    }

    /// Type bytes into COM1 from the host.
    pub fn serial_input(&mut self, bytes: &[u8]) {
        let now = self.board.time_now();
        self.board.uart.host_send(bytes, now);
    }

    /// Bytes the guest wrote to the debug port E9h.
    pub fn debug_output(&self) -> &[u8] {
        &self.board.sysctl.debug_out
    }
}
