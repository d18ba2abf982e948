//! The board: memory, the devices, and the wiring that routes I/O ports and memory-mapped ranges
//! to them. It is what the CPU sees as its [`Bus`].

use crate::devices::vga::{self, Vga};
use crate::devices::{acpi::Acpi, ata::Ata, fdc::Fdc, pci::Pci};
use crate::devices::{
    cmos::Cmos, dma::Dma, kbc::Kbc, pic::Pic, pit::Pit, sysctl::SysCtl, uart::Uart, Ctx, Device,
    IrqLines, Nanos, SysLines,
};
use crate::memory::{Memory, VGA_WINDOW};
use cpu::Bus;

/// The devices that decode I/O ports. This enum plus [`Board::port_owner`] is the wiring list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceId {
    Pic,
    Pit,
    Kbc,
    Cmos,
    Dma,
    Fdc,
    Ata,
    /// The secondary ATA channel (the CD-ROM drive).
    Ata2,
    Uart,
    SysCtl,
    HostCall,
    Vga,
    Pci,
    Acpi,
}

impl DeviceId {
    pub const ALL: [DeviceId; 14] = [
        DeviceId::Pic,
        DeviceId::Pit,
        DeviceId::Kbc,
        DeviceId::Cmos,
        DeviceId::Dma,
        DeviceId::Fdc,
        DeviceId::Ata,
        DeviceId::Ata2,
        DeviceId::Uart,
        DeviceId::SysCtl,
        DeviceId::HostCall,
        DeviceId::Vga,
        DeviceId::Pci,
        DeviceId::Acpi,
    ];
}

/// The I/O port through which the built-in BIOS's stubs call into the host.
pub const HOSTCALL_PORT: u16 = 0xE0;

/// An access to a watched port (see [`Board::watch_ports`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortHit {
    /// The port the access started at (an access of `size` bytes covers `port..port + size`).
    pub port: u16,
    /// 1, 2 or 4 bytes.
    pub size: u8,
    pub write: bool,
    /// The value written, or the value the read returned.
    pub value: u32,
}

pub struct Board {
    pub mem: Memory,
    pub irq: IrqLines,
    pub sys: SysLines,
    /// Emulated time of the last synchronization, and the instruction count it corresponds to.
    pub now: Nanos,
    pub base_insns: u64,
    /// Picoseconds past `now` (below 1 ns) carried by the last [`rebase`](Self::rebase): time
    /// folded in slice after slice, or skipped a few instruction slots at a time, loses nothing.
    rem_ps: u64,
    /// Picoseconds of emulated time per retired instruction.
    pub ps_per_insn: u64,
    /// Instruction count the CPU last reported before an I/O access.
    pub cur_insns: u64,
    /// When the CPU's current slice ends (emulated time): an I/O access that gives a device an
    /// earlier deadline (a disk command's busy time, a timer reprogrammed) stops the slice
    /// there, so the device is served on time whatever the slice length.
    pub slice_end: Option<Nanos>,
    /// INTR as the PIC last computed it.
    intr: bool,
    /// A BIOS stub executed `out HOSTCALL_PORT`.
    pub hostcall: bool,
    /// I/O accesses per device (for the teaching view).
    pub io_counts: [u64; DeviceId::ALL.len()],
    pub pic: Pic,
    pub pit: Pit,
    pub kbc: Kbc,
    pub cmos: Cmos,
    pub dma: Dma,
    pub fdc: Fdc,
    pub ata: Ata,
    /// The secondary ATA channel.
    pub ata2: Ata,
    pub uart: Uart,
    pub sysctl: SysCtl,
    pub vga: Vga,
    pub pci: Pci,
    pub acpi: Acpi,
    /// Where the VGA's linear frame buffer is decoded (PCI BAR0).
    pub lfb_base: u32,
    /// The VGA BIOS image behind the VGA's expansion ROM BAR, and where it is decoded.
    pub vga_rom_image: Vec<u8>,
    pub vga_rom_base: Option<u32>,
    /// Ports whose byte writes are recorded in `port_log` (the CLI's `--log-port`).
    pub log_ports: Vec<u16>,
    pub port_log: Vec<(u16, u8)>,
    /// Ports whose accesses are noted in `port_hit` (the debugger's I/O breakpoints). Empty,
    /// an access costs one branch more.
    pub watch_ports: Vec<u16>,
    /// The last access to a watched port since whoever watches took it.
    pub port_hit: Option<PortHit>,
}

/// Run `$body` with `$dev` bound to the device `$id` and `$ctx` to a context over the board's
/// other parts (disjoint field borrows).
macro_rules! with_device {
    ($board:expr, $id:expr, |$dev:ident, $ctx:ident| $body:expr) => {{
        let b = &mut *$board;
        let now = b.time_now();
        let mut $ctx = Ctx {
            now,
            irq: &mut b.irq,
            mem: &mut b.mem,
            sys: &mut b.sys,
        };
        let $dev: &mut dyn Device = match $id {
            DeviceId::Pic => &mut b.pic,
            DeviceId::Pit => &mut b.pit,
            DeviceId::Kbc => &mut b.kbc,
            DeviceId::Cmos => &mut b.cmos,
            DeviceId::Dma => &mut b.dma,
            DeviceId::Fdc => &mut b.fdc,
            DeviceId::Ata => &mut b.ata,
            DeviceId::Ata2 => &mut b.ata2,
            DeviceId::Uart => &mut b.uart,
            DeviceId::SysCtl | DeviceId::HostCall => &mut b.sysctl,
            DeviceId::Vga => &mut b.vga,
            DeviceId::Pci => &mut b.pci,
            DeviceId::Acpi => &mut b.acpi,
        };
        $body
    }};
}

impl Board {
    pub fn new(mem_bytes: usize, rtc_unix_seconds: i64) -> Board {
        Board::with_memory(Memory::new(mem_bytes), rtc_unix_seconds)
    }

    /// A board on the memory `mem`, its devices as at power-on.
    pub fn with_memory(mem: Memory, rtc_unix_seconds: i64) -> Board {
        Board {
            mem,
            irq: IrqLines::default(),
            sys: SysLines::default(),
            now: 0,
            base_insns: 0,
            rem_ps: 0,
            ps_per_insn: 20_000,
            cur_insns: 0,
            slice_end: None,
            intr: false,
            hostcall: false,
            io_counts: [0; DeviceId::ALL.len()],
            pic: Pic::new(),
            pit: Pit::new(),
            kbc: Kbc::new(),
            cmos: Cmos::new(rtc_unix_seconds),
            dma: Dma::new(),
            fdc: Fdc::new(),
            ata: Ata::new(),
            ata2: Ata::secondary(),
            uart: Uart::new(0x3F8, 4),
            sysctl: SysCtl::new(),
            vga: Vga::new(),
            pci: Pci::new(),
            acpi: Acpi::new(),
            lfb_base: vga::LFB_BASE,
            vga_rom_image: Vec::new(),
            vga_rom_base: None,
            log_ports: Vec::new(),
            port_log: Vec::new(),
            watch_ports: Vec::new(),
            port_hit: None,
        }
    }

    /// The device that decodes `port`, if any.
    pub fn port_owner(port: u16) -> Option<DeviceId> {
        Some(match port {
            0x20 | 0x21 | 0xA0 | 0xA1 | 0x4D0 | 0x4D1 => DeviceId::Pic,
            0x40..=0x43 | 0x61 => DeviceId::Pit,
            0x60 | 0x64 => DeviceId::Kbc,
            0x70 | 0x71 => DeviceId::Cmos,
            0x00..=0x0F | 0x81..=0x8F | 0xC0..=0xDF => DeviceId::Dma,
            0x3F0..=0x3F5 | 0x3F7 => DeviceId::Fdc,
            0x1F0..=0x1F7 | 0x3F6 => DeviceId::Ata,
            0x170..=0x177 | 0x376 => DeviceId::Ata2,
            0x3F8..=0x3FF => DeviceId::Uart,
            0x80 | 0x92 | 0xE9 | 0xF0 | 0x8900 => DeviceId::SysCtl,
            HOSTCALL_PORT => DeviceId::HostCall,
            0x3B0..=0x3DF | 0x1CE | 0x1CF => DeviceId::Vga,
            0xCF8..=0xCFF => DeviceId::Pci,
            _ => return None,
        })
    }

    /// Emulated time at the CPU's current instruction.
    #[inline]
    pub fn time_now(&self) -> Nanos {
        self.now
            + (self.cur_insns.saturating_sub(self.base_insns) * self.ps_per_insn + self.rem_ps)
                / 1000
    }

    /// Move the clock to `now` (at instruction count `insns`).
    pub fn set_time(&mut self, now: Nanos, insns: u64) {
        self.now = now;
        self.base_insns = insns;
        self.cur_insns = insns;
        self.rem_ps = 0;
    }

    /// Fold the time of the instructions up to `insns` into `now`, exactly (the products stay
    /// small however long the machine runs).
    pub fn rebase(&mut self, insns: u64) {
        self.cur_insns = insns;
        self.add_slots(insns.saturating_sub(self.base_insns));
        self.base_insns = insns;
    }

    /// Let `slots` instruction slots of time pass with no instruction run (HLT, PAUSE).
    pub fn skip_slots(&mut self, slots: u64) {
        self.rebase(self.cur_insns);
        self.add_slots(slots);
    }

    /// `now` moves on by `slots` instruction slots, the part of a nanosecond carried.
    fn add_slots(&mut self, slots: u64) {
        let ps = slots * self.ps_per_insn + self.rem_ps;
        self.now += ps / 1000;
        self.rem_ps = ps % 1000;
    }

    /// Instruction slots from now until `t` (none if it has come), rounded up.
    pub fn slots_until(&self, t: Nanos) -> u64 {
        (t.saturating_sub(self.time_now()) * 1000).div_ceil(self.ps_per_insn)
    }

    /// Feed the PIC the current request lines and recompute INTR.
    pub fn sync_irq(&mut self) {
        self.pic.set_inputs(self.irq.level, self.irq.edges);
        self.irq.edges = 0;
        self.intr = self.pic.intr();
    }

    /// The earliest device deadline.
    pub fn next_deadline(&self) -> Option<Nanos> {
        let mut best: Option<Nanos> = None;
        for id in DeviceId::ALL {
            let d = match id {
                DeviceId::Pit => self.pit.deadline(),
                DeviceId::Cmos => self.cmos.deadline(),
                DeviceId::Kbc => self.kbc.deadline(),
                DeviceId::Uart => self.uart.deadline(),
                DeviceId::Fdc => self.fdc.deadline(),
                DeviceId::Ata => self.ata.deadline(),
                DeviceId::Ata2 => self.ata2.deadline(),
                _ => None,
            };
            if let Some(d) = d {
                best = Some(best.map_or(d, |b| b.min(d)));
            }
        }
        best
    }

    /// Run every device whose deadline has come.
    pub fn run_devices(&mut self) {
        let now = self.time_now();
        for id in DeviceId::ALL {
            let due = match id {
                DeviceId::Pit => self.pit.deadline(),
                DeviceId::Cmos => self.cmos.deadline(),
                DeviceId::Kbc => self.kbc.deadline(),
                DeviceId::Uart => self.uart.deadline(),
                DeviceId::Fdc => self.fdc.deadline(),
                DeviceId::Ata => self.ata.deadline(),
                DeviceId::Ata2 => self.ata2.deadline(),
                _ => None,
            };
            if due.is_some_and(|d| d <= now) {
                if id == DeviceId::Fdc {
                    self.run_fdc();
                } else {
                    with_device!(self, id, |dev, ctx| dev.run(&mut ctx));
                }
            }
        }
        self.sync_irq();
    }

    /// The floppy controller's timed work. It is the one device that moves data through the
    /// DMA controller, so it is lent the DMA controller here (rather than through [`Ctx`]):
    /// this explicit call is the only link between two devices on the board.
    fn run_fdc(&mut self) {
        let mut ctx = Ctx {
            now: self.time_now(),
            irq: &mut self.irq,
            mem: &mut self.mem,
            sys: &mut self.sys,
        };
        self.fdc.run_with_dma(&mut ctx, Some(&mut self.dma));
    }

    pub fn reset_devices(&mut self) {
        for id in DeviceId::ALL {
            with_device!(self, id, |dev, _ctx| dev.reset());
        }
        self.irq = IrqLines::default();
        // The keyboard controller's output port comes out of reset with the A20 bit set, so the
        // CPU's first fetch near 4 GiB reaches the BIOS.
        self.sys.a20_kbc = true;
        self.sys.a20_fast = false;
        self.mem.a20_mask = 0xFFFF_FFFF;
        self.pci_changed();
        self.sync_irq();
    }

    /// Ports that take 16- or 32-bit accesses whole; wider accesses to other ports are split
    /// into byte accesses, as the ISA bus does.
    pub fn wide_port(port: u16) -> bool {
        matches!(port, 0x1F0 | 0x170 | 0x1CE | 0x1CF | 0xCF8..=0xCFF)
    }

    fn io_read(&mut self, port: u16, size: u8) -> u32 {
        let v = self.io_read_dev(port, size);
        if !self.watch_ports.is_empty() {
            self.watched(port, size, false, v);
        }
        v
    }

    fn io_write(&mut self, port: u16, size: u8, value: u32) {
        if !self.watch_ports.is_empty() {
            self.watched(port, size, true, value);
        }
        self.io_write_dev(port, size, value);
    }

    /// Note an access of `size` bytes at `port` in `port_hit` if it touches a watched port.
    #[cold]
    fn watched(&mut self, port: u16, size: u8, write: bool, value: u32) {
        if self
            .watch_ports
            .iter()
            .any(|&p| p.wrapping_sub(port) < size as u16)
        {
            self.port_hit = Some(PortHit {
                port,
                size,
                write,
                value,
            });
        }
    }

    fn io_read_dev(&mut self, port: u16, size: u8) -> u32 {
        if size > 1 && !self.is_wide(port) {
            let mut v = 0;
            for i in 0..size as u16 {
                v |= self.io_read_dev(port.wrapping_add(i), 1) << (8 * i);
            }
            return v;
        }
        let Some(id) = self.owner(port) else {
            return match size {
                1 => 0xFF,
                2 => 0xFFFF,
                _ => 0xFFFF_FFFF,
            };
        };
        self.io_counts[id as usize] += 1;
        let v = with_device!(self, id, |dev, ctx| dev.io_read(port, size, &mut ctx));
        self.after_io();
        v
    }

    fn io_write_dev(&mut self, port: u16, size: u8, value: u32) {
        if size > 1 && !self.is_wide(port) {
            for i in 0..size as u16 {
                self.io_write_dev(port.wrapping_add(i), 1, (value >> (8 * i)) & 0xFF);
            }
            return;
        }
        if !self.log_ports.is_empty() && self.log_ports.contains(&port) {
            self.port_log.push((port, value as u8));
        }
        let Some(id) = self.owner(port) else {
            return;
        };
        self.io_counts[id as usize] += 1;
        if id == DeviceId::HostCall {
            self.hostcall = true;
            self.sys.stop_cpu = true;
            return;
        }
        with_device!(self, id, |dev, ctx| dev
            .io_write(port, size, value, &mut ctx));
        if id == DeviceId::Pci {
            // Firmware moved the ACPI registers, the frame buffer or the VGA ROM window.
            self.pci_changed();
        }
        self.after_io();
    }

    /// The device decoding `port`: the fixed wiring, then ranges that PCI firmware places.
    fn owner(&self, port: u16) -> Option<DeviceId> {
        Board::port_owner(port).or_else(|| self.acpi.decodes(port).then_some(DeviceId::Acpi))
    }

    fn is_wide(&self, port: u16) -> bool {
        Board::wide_port(port) || self.acpi.decodes(port)
    }

    /// Follow the PCI configuration: ACPI I/O base, frame buffer BAR, VGA ROM BAR.
    pub fn pci_changed(&mut self) {
        self.acpi.base = self.pci.pm_base().unwrap_or(0);
        self.lfb_base = self.pci.lfb_base();
        self.vga_rom_base = self
            .pci
            .vga_rom_base()
            .filter(|_| !self.vga_rom_image.is_empty());
    }

    /// A port write from the firmware or the host (not the CPU).
    pub fn port_write(&mut self, port: u16, v: u8) {
        self.io_write(port, 1, v as u32);
    }

    /// A port read from the firmware or the host.
    pub fn port_read(&mut self, port: u16) -> u8 {
        self.io_read(port, 1) as u8
    }

    fn after_io(&mut self) {
        self.mem.a20_mask = if self.sys.a20() {
            0xFFFF_FFFF
        } else {
            0xFFEF_FFFF
        };
        self.sync_irq();
        if let Some(end) = self.slice_end {
            if self.next_deadline().is_some_and(|d| d < end) {
                self.slice_end = None;
                self.sys.stop_cpu = true;
            }
        }
    }

    #[inline]
    fn mmio_read8(&mut self, addr: u32) -> u8 {
        if VGA_WINDOW.contains(&addr) {
            return self.vga.mem_read8(addr);
        }
        if let Some(off) = self.lfb_offset(addr, 1) {
            return self.vga.lfb_read8(off);
        }
        match self.vga_rom_base {
            Some(b) if addr.wrapping_sub(b) < crate::devices::pci::VGA_ROM_SIZE => self
                .vga_rom_image
                .get(addr.wrapping_sub(b) as usize)
                .copied()
                .unwrap_or(0xFF),
            _ => 0xFF,
        }
    }

    #[inline]
    fn mmio_write8(&mut self, addr: u32, v: u8) {
        if VGA_WINDOW.contains(&addr) {
            self.vga.mem_write8(addr, v);
        } else if let Some(off) = self.lfb_offset(addr, 1) {
            self.vga.lfb_write8(off, v);
        }
    }

    /// Offset in the VBE linear frame buffer of an access of `len` bytes wholly inside it.
    #[inline]
    fn lfb_offset(&self, a: u32, len: u32) -> Option<u32> {
        let off = a.wrapping_sub(self.lfb_base);
        (off <= vga::LFB_SIZE - len).then_some(off)
    }

    /// Whether an access of `len` bytes lies wholly in the legacy VGA window.
    #[inline]
    fn in_vga_window(a: u32, len: u32) -> bool {
        a >= VGA_WINDOW.start && a <= VGA_WINDOW.end - len
    }

    /// Whether a physical address (after A20) goes straight to RAM.
    #[inline]
    fn is_ram(&self, a: u32, len: u32) -> bool {
        // In 64 bits: near 4 GiB the end does not fit in a 32-bit usize (wasm), and wrapped
        // it would pass.
        Board::outside_vga(a, len) && a as u64 + len as u64 <= self.mem.ram.len() as u64
    }

    /// Whether an access of `len` bytes at `a` misses the VGA window entirely: one subtraction
    /// and one compare (the access overlaps the window iff `a` lies in
    /// `A0000h - len + 1 .. C0000h`).
    #[inline]
    fn outside_vga(a: u32, len: u32) -> bool {
        const START: u32 = VGA_WINDOW.start;
        const SIZE: u32 = VGA_WINDOW.end - VGA_WINDOW.start;
        a.wrapping_sub(START + 1 - len) >= SIZE + len - 1
    }
}

impl Bus for Board {
    #[inline]
    fn read8(&mut self, addr: u32) -> u8 {
        let a = addr & self.mem.a20_mask;
        if Board::outside_vga(a, 1) {
            if let Some(&b) = self.mem.ram.get(a as usize) {
                return b;
            }
        }
        if VGA_WINDOW.contains(&a) {
            return self.mmio_read8(a);
        }
        match self.mem.index(a) {
            Some(i) => self.mem.ram[i],
            None => self.mmio_read8(a),
        }
    }

    #[inline]
    fn write8(&mut self, addr: u32, value: u8) {
        let a = addr & self.mem.a20_mask;
        if self.is_ram(a, 1) {
            if let Some(b) = self.mem.ram.get_mut(a as usize) {
                *b = value;
                self.mem.note_written(a, 1);
            }
        } else if VGA_WINDOW.contains(&a) || a as usize >= self.mem.ram.len() {
            self.mmio_write8(a, value);
        }
    }

    // (The RAM ranges below end with a wrapping add: near 4 GiB a 32-bit usize (wasm) wraps,
    // the range is then empty and `get` finds nothing, as past the end of RAM.)
    #[inline]
    fn read16(&mut self, addr: u32) -> u16 {
        let a = addr & self.mem.a20_mask;
        if Board::outside_vga(a, 2) {
            if let Some(&[b0, b1]) = self.mem.ram.get(a as usize..(a as usize).wrapping_add(2)) {
                return u16::from_le_bytes([b0, b1]);
            }
        }
        if Board::in_vga_window(a, 2) {
            return self.vga.mem_read8(a) as u16 | (self.vga.mem_read8(a + 1) as u16) << 8;
        }
        self.read8(addr) as u16 | (self.read8(addr.wrapping_add(1)) as u16) << 8
    }

    #[inline]
    fn write16(&mut self, addr: u32, value: u16) {
        let a = addr & self.mem.a20_mask;
        if Board::outside_vga(a, 2) {
            if let Some(b) = self
                .mem
                .ram
                .get_mut(a as usize..(a as usize).wrapping_add(2))
            {
                b.copy_from_slice(&value.to_le_bytes());
                self.mem.note_written(a, 2);
                return;
            }
        }
        if Board::in_vga_window(a, 2) {
            self.vga.mem_write8(a, value as u8);
            self.vga.mem_write8(a + 1, (value >> 8) as u8);
            return;
        }
        self.write8(addr, value as u8);
        self.write8(addr.wrapping_add(1), (value >> 8) as u8);
    }

    #[inline]
    fn read32(&mut self, addr: u32) -> u32 {
        let a = addr & self.mem.a20_mask;
        if Board::outside_vga(a, 4) {
            if let Some(&[b0, b1, b2, b3]) =
                self.mem.ram.get(a as usize..(a as usize).wrapping_add(4))
            {
                return u32::from_le_bytes([b0, b1, b2, b3]);
            }
        }
        if let Some(off) = self.lfb_offset(a, 4) {
            return self.vga.lfb_read32(off);
        }
        self.read16(addr) as u32 | (self.read16(addr.wrapping_add(2)) as u32) << 16
    }

    #[inline]
    fn write32(&mut self, addr: u32, value: u32) {
        let a = addr & self.mem.a20_mask;
        if Board::outside_vga(a, 4) {
            if let Some(b) = self
                .mem
                .ram
                .get_mut(a as usize..(a as usize).wrapping_add(4))
            {
                b.copy_from_slice(&value.to_le_bytes());
                self.mem.note_written(a, 4);
                return;
            }
        }
        if let Some(off) = self.lfb_offset(a, 4) {
            self.vga.lfb_write32(off, value);
            return;
        }
        self.write16(addr, value as u16);
        self.write16(addr.wrapping_add(2), (value >> 16) as u16);
    }

    fn copy_ram(&mut self, dst: u32, src: u32, len: u32) -> bool {
        // A20 masks both ranges alike inside a page (it only ever clears bit 20).
        let (d, s) = (dst & self.mem.a20_mask, src & self.mem.a20_mask);
        if !self.is_ram(d, len) || !self.is_ram(s, len) {
            return false;
        }
        let (d, s, n) = (d as usize, s as usize, len as usize);
        self.mem.ram.copy_within(s..s + n, d);
        self.mem.note_written(d as u32, len);
        true
    }

    fn fill_ram(&mut self, dst: u32, value: u32, size: u32, count: u32) -> bool {
        let d = dst & self.mem.a20_mask;
        let done = self.is_ram(d, size * count)
            && cpu::bus::fill(&mut self.mem.ram, d, value, size, count);
        if done {
            self.mem.note_written(d, size * count);
        }
        done
    }

    #[inline(always)]
    fn ram(&mut self) -> &mut [u8] {
        &mut self.mem.ram
    }

    /// RAM wins over the frame buffer where the two overlap, as in `read8` and `write8`: only
    /// the VGA window and the A20 gate matter.
    fn ram_page(&mut self, page: u32) -> Option<u32> {
        let p = page & self.mem.a20_mask;
        // In 64 bits: the last page's end does not fit in a 32-bit usize (wasm).
        let inside = p as u64 + 0x1000 <= self.mem.ram.len() as u64;
        (inside && Board::outside_vga(p, 0x1000)).then_some(p)
    }

    fn ram_page_writable(&mut self, ram: u32) {
        self.mem.note_written(ram, 0x1000);
    }

    /// Exact, not a hash: the A20 gate in bit 0, the RAM's size above it.
    fn ram_map(&mut self) -> u64 {
        let a20 = (self.mem.a20_mask & (1 << 20) != 0) as u64;
        a20 | (self.mem.ram.len() as u64) << 1
    }

    fn a20_mask(&mut self) -> u32 {
        self.mem.a20_mask
    }

    fn io_read8(&mut self, port: u16) -> u8 {
        self.io_read(port, 1) as u8
    }
    fn io_read16(&mut self, port: u16) -> u16 {
        self.io_read(port, 2) as u16
    }
    fn io_read32(&mut self, port: u16) -> u32 {
        self.io_read(port, 4)
    }
    fn io_write8(&mut self, port: u16, value: u8) {
        self.io_write(port, 1, value as u32)
    }
    fn io_write16(&mut self, port: u16, value: u16) {
        self.io_write(port, 2, value as u32)
    }
    fn io_write32(&mut self, port: u16, value: u32) {
        self.io_write(port, 4, value)
    }

    #[inline]
    fn interrupt_pending(&mut self) -> bool {
        self.intr
    }

    fn acknowledge_interrupt(&mut self) -> u8 {
        let v = self.pic.acknowledge();
        self.intr = self.pic.intr();
        v
    }

    fn take_stop_request(&mut self) -> bool {
        std::mem::take(&mut self.sys.stop_cpu)
    }

    #[inline]
    fn io_clock(&mut self, instructions: u64) {
        self.cur_insns = instructions;
    }

    fn idle_slots(&mut self, instructions: u64, slots: u64) {
        self.cur_insns = instructions;
        self.skip_slots(slots);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watched_ports_note_the_accesses_that_touch_them() {
        let mut b = Board::new(1 << 20, 0);
        b.io_write16(0x20, 0x1234);
        assert_eq!(b.port_hit, None, "nothing watched");
        b.watch_ports = vec![0x21, 0xE9];
        b.io_write8(0x20, 0x11);
        assert_eq!(b.port_hit, None, "another port");
        // A 16-bit write at 20h covers 21h too.
        b.io_write16(0x20, 0x0BFF);
        let hit = PortHit {
            port: 0x20,
            size: 2,
            write: true,
            value: 0x0BFF,
        };
        assert_eq!(b.port_hit.take(), Some(hit));
        // Reads note the value read.
        let v = b.io_read8(0xE9);
        assert_eq!(
            b.port_hit.take(),
            Some(PortHit {
                port: 0xE9,
                size: 1,
                write: false,
                value: v as u32,
            })
        );
    }
}
