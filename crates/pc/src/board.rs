//! The board: memory, the devices, and the wiring that routes I/O ports and memory-mapped ranges
//! to them. It is what the CPU sees as its [`Bus`].

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
    Uart,
    SysCtl,
    HostCall,
}

impl DeviceId {
    pub const ALL: [DeviceId; 8] = [
        DeviceId::Pic,
        DeviceId::Pit,
        DeviceId::Kbc,
        DeviceId::Cmos,
        DeviceId::Dma,
        DeviceId::Uart,
        DeviceId::SysCtl,
        DeviceId::HostCall,
    ];
}

/// The I/O port through which the built-in BIOS's stubs call into the host.
pub const HOSTCALL_PORT: u16 = 0xE0;

pub struct Board {
    pub mem: Memory,
    pub irq: IrqLines,
    pub sys: SysLines,
    /// Emulated time of the last synchronization, and the instruction count it corresponds to.
    pub now: Nanos,
    pub base_insns: u64,
    /// Picoseconds of emulated time per retired instruction.
    pub ps_per_insn: u64,
    /// Instruction count the CPU last reported before an I/O access.
    pub cur_insns: u64,
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
    pub uart: Uart,
    pub sysctl: SysCtl,
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
            DeviceId::Uart => &mut b.uart,
            DeviceId::SysCtl | DeviceId::HostCall => &mut b.sysctl,
        };
        $body
    }};
}

impl Board {
    pub fn new(mem_bytes: usize, rtc_unix_seconds: i64) -> Board {
        Board {
            mem: Memory::new(mem_bytes),
            irq: IrqLines::default(),
            sys: SysLines::default(),
            now: 0,
            base_insns: 0,
            ps_per_insn: 20_000,
            cur_insns: 0,
            intr: false,
            hostcall: false,
            io_counts: [0; DeviceId::ALL.len()],
            pic: Pic::new(),
            pit: Pit::new(),
            kbc: Kbc::new(),
            cmos: Cmos::new(rtc_unix_seconds),
            dma: Dma::new(),
            uart: Uart::new(0x3F8, 4),
            sysctl: SysCtl::new(),
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
            0x3F8..=0x3FF => DeviceId::Uart,
            0x80 | 0x92 | 0xE9 | 0x8900 => DeviceId::SysCtl,
            HOSTCALL_PORT => DeviceId::HostCall,
            _ => return None,
        })
    }

    /// Emulated time at the CPU's current instruction.
    #[inline]
    pub fn time_now(&self) -> Nanos {
        self.now + (self.cur_insns.saturating_sub(self.base_insns) * self.ps_per_insn) / 1000
    }

    /// Move the clock to `now` (at instruction count `insns`).
    pub fn set_time(&mut self, now: Nanos, insns: u64) {
        self.now = now;
        self.base_insns = insns;
        self.cur_insns = insns;
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
                _ => None,
            };
            if due.is_some_and(|d| d <= now) {
                with_device!(self, id, |dev, ctx| dev.run(&mut ctx));
            }
        }
        self.sync_irq();
    }

    pub fn reset_devices(&mut self) {
        for id in DeviceId::ALL {
            with_device!(self, id, |dev, _ctx| dev.reset());
        }
        self.irq = IrqLines::default();
        self.sys.a20_kbc = false;
        self.sys.a20_fast = false;
        self.mem.a20_mask = 0xFFEF_FFFF;
        self.sync_irq();
    }

    /// Ports that take 16- or 32-bit accesses whole; wider accesses to other ports are split
    /// into byte accesses, as the ISA bus does.
    pub fn wide_port(port: u16) -> bool {
        matches!(port, 0x1F0 | 0x170 | 0x1CE | 0x1CF | 0xCF8..=0xCFF)
    }

    fn io_read(&mut self, port: u16, size: u8) -> u32 {
        if size > 1 && !Board::wide_port(port) {
            let mut v = 0;
            for i in 0..size as u16 {
                v |= self.io_read(port.wrapping_add(i), 1) << (8 * i);
            }
            return v;
        }
        let Some(id) = Board::port_owner(port) else {
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

    fn io_write(&mut self, port: u16, size: u8, value: u32) {
        if size > 1 && !Board::wide_port(port) {
            for i in 0..size as u16 {
                self.io_write(port.wrapping_add(i), 1, (value >> (8 * i)) & 0xFF);
            }
            return;
        }
        let Some(id) = Board::port_owner(port) else {
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
        self.after_io();
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
    }

    #[inline]
    fn mmio_read8(&mut self, _addr: u32) -> u8 {
        0xFF
    }

    #[inline]
    fn mmio_write8(&mut self, _addr: u32, _v: u8) {}

    /// Whether a physical address (after A20) goes straight to RAM.
    #[inline]
    fn is_ram(&self, a: u32, len: u32) -> bool {
        let end = a as u64 + len as u64;
        end <= self.mem.ram.len() as u64 && (end <= VGA_WINDOW.start as u64 || a >= VGA_WINDOW.end)
    }
}

impl Bus for Board {
    #[inline]
    fn read8(&mut self, addr: u32) -> u8 {
        let a = addr & self.mem.a20_mask;
        if self.is_ram(a, 1) {
            return self.mem.ram[a as usize];
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
            self.mem.ram[a as usize] = value;
        } else if VGA_WINDOW.contains(&a) || a as usize >= self.mem.ram.len() {
            self.mmio_write8(a, value);
        }
    }

    #[inline]
    fn read16(&mut self, addr: u32) -> u16 {
        let a = addr & self.mem.a20_mask;
        if self.is_ram(a, 2) {
            let i = a as usize;
            return u16::from_le_bytes([self.mem.ram[i], self.mem.ram[i + 1]]);
        }
        self.read8(addr) as u16 | (self.read8(addr.wrapping_add(1)) as u16) << 8
    }

    #[inline]
    fn write16(&mut self, addr: u32, value: u16) {
        let a = addr & self.mem.a20_mask;
        if self.is_ram(a, 2) {
            let i = a as usize;
            self.mem.ram[i..i + 2].copy_from_slice(&value.to_le_bytes());
            return;
        }
        self.write8(addr, value as u8);
        self.write8(addr.wrapping_add(1), (value >> 8) as u8);
    }

    #[inline]
    fn read32(&mut self, addr: u32) -> u32 {
        let a = addr & self.mem.a20_mask;
        if self.is_ram(a, 4) {
            let i = a as usize;
            return u32::from_le_bytes([
                self.mem.ram[i],
                self.mem.ram[i + 1],
                self.mem.ram[i + 2],
                self.mem.ram[i + 3],
            ]);
        }
        self.read16(addr) as u32 | (self.read16(addr.wrapping_add(2)) as u32) << 16
    }

    #[inline]
    fn write32(&mut self, addr: u32, value: u32) {
        let a = addr & self.mem.a20_mask;
        if self.is_ram(a, 4) {
            let i = a as usize;
            self.mem.ram[i..i + 4].copy_from_slice(&value.to_le_bytes());
            return;
        }
        self.write16(addr, value as u16);
        self.write16(addr.wrapping_add(2), (value >> 16) as u16);
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
}
