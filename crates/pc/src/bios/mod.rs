//! The built-in BIOS, written in this project.
//!
//! The ROM image holds only small stubs at the classic PC/AT entry points. A stub that needs the
//! firmware executes `OUT 0E0h, AL`; the board stops the CPU after that instruction, and
//! [`hostcall`] finds which stub it was from CS:IP and runs the service here, in Rust, with full
//! access to the registers and the machine. Services that must wait (a key, a delay) rewind IP to
//! the `OUT` and halt with interrupts enabled, so the guest's interrupt handlers run meanwhile and
//! the call is retried when one has.
//!
//! One file per service group: `post` (power-on self test, boot), `keyboard` (INT 09h/16h),
//! `video` (INT 10h), `disk` (INT 13h), `system` (INT 11h/12h/15h), `time` (INT 08h/1Ah/70h),
//! `serial` (INT 14h/17h).

pub mod acpi;
pub mod disk;
pub mod keyboard;
pub mod post;
pub mod system;
pub mod time;
pub mod video;

use crate::board::{Board, HOSTCALL_PORT};
use crate::{Config, Firmware, Pc, PcError};
use cpu::{Cpu, SegReg};

/// Segment of the BIOS ROM.
pub const ROM_SEG: u16 = 0xF000;
/// Physical address of the BIOS ROM.
pub const ROM_BASE: u32 = 0xF0000;
/// Segment of the extended BIOS data area (1 KiB below 640 KiB).
pub const EBDA_SEG: u16 = 0x9FC0;

/// The firmware services a stub can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    Post,
    /// Unexpected hardware interrupt on the master (IRQ0-7) or slave (IRQ8-15) controller.
    SpuriousIrq,
    Int08,
    Int09,
    Int10,
    Int11,
    Int12,
    Int13,
    Int14,
    Int15,
    Int16,
    Int17,
    Int18,
    Int19,
    Int1A,
    /// Floppy controller IRQ6.
    Int0E,
    /// RTC IRQ8.
    Int70,
    /// Hard disk IRQ14.
    Int76,
}

impl Service {
    /// The interrupt vector (or service number) shown in the teaching view's BIOS call counts.
    pub fn vector(self) -> u8 {
        match self {
            Service::Post => 0xFF,
            Service::SpuriousIrq => 0x0F,
            Service::Int08 => 0x08,
            Service::Int09 => 0x09,
            Service::Int10 => 0x10,
            Service::Int11 => 0x11,
            Service::Int12 => 0x12,
            Service::Int13 => 0x13,
            Service::Int14 => 0x14,
            Service::Int15 => 0x15,
            Service::Int16 => 0x16,
            Service::Int17 => 0x17,
            Service::Int18 => 0x18,
            Service::Int19 => 0x19,
            Service::Int1A => 0x1A,
            Service::Int0E => 0x0E,
            Service::Int70 => 0x70,
            Service::Int76 => 0x76,
        }
    }
}

/// A stub in the ROM: its code and where it goes.
struct Stub {
    offset: u16,
    code: &'static [u8],
    /// The service of the `OUT 0E0h` in the code, and its offset within the code.
    call: Option<(Service, u16)>,
}

const OUT: u8 = 0xE6;
const PORT: u8 = HOSTCALL_PORT as u8;
const IRET: u8 = 0xCF;

/// Plain service stub: `out 0E0h,al; iret`.
const CALL_IRET: &[u8] = &[OUT, PORT, IRET];

/// The stubs, at the entry points of the IBM PC/AT BIOS where one exists (software sometimes
/// jumps to them directly).
fn stubs() -> Vec<Stub> {
    let plain = |offset: u16, s: Service| Stub {
        offset,
        code: CALL_IRET,
        call: Some((s, 0)),
    };
    vec![
        // Reset vector target: POST.
        Stub {
            offset: 0xE05B,
            code: &[OUT, PORT, 0xF4, 0xEB, 0xFD],
            call: Some((Service::Post, 0)),
        },
        // INT 08h: tick, then INT 1Ch, then end of interrupt.
        //   push ax; push ds; out; int 1Ch; cli; mov al,20h; out 20h,al; pop ds; pop ax; iret
        Stub {
            offset: 0xFEA5,
            code: &[
                0x50, 0x1E, OUT, PORT, 0xCD, 0x1C, 0xFA, 0xB0, 0x20, 0xE6, 0x20, 0x1F, 0x58, IRET,
            ],
            call: Some((Service::Int08, 2)),
        },
        // INT 09h: read the scan code, offer it to INT 15h/4Fh, then store it.
        //   push ax; in al,60h; mov ah,4Fh; stc; int 15h; jnc +2; out; cli; mov al,20h;
        //   out 20h,al; pop ax; iret
        Stub {
            offset: 0xE987,
            code: &[
                0x50, 0xE4, 0x60, 0xB4, 0x4F, 0xF9, 0xCD, 0x15, 0x73, 0x02, OUT, PORT, 0xFA, 0xB0,
                0x20, 0xE6, 0x20, 0x58, IRET,
            ],
            call: Some((Service::Int09, 10)),
        },
        plain(0xF065, Service::Int10),
        plain(0xF84D, Service::Int11),
        plain(0xF841, Service::Int12),
        plain(0xEC59, Service::Int13),
        plain(0xE739, Service::Int14),
        plain(0xF859, Service::Int15),
        plain(0xE82E, Service::Int16),
        plain(0xEFD2, Service::Int17),
        plain(0xE6F2, Service::Int19),
        plain(0xFE6E, Service::Int1A),
        // INT 18h: no bootable device.
        plain(0xE960, Service::Int18),
        // INT 0Eh (IRQ6, floppy): push ax; out; mov al,20h; out 20h,al; pop ax; iret
        Stub {
            offset: 0xEF57,
            code: &[0x50, OUT, PORT, 0xB0, 0x20, 0xE6, 0x20, 0x58, IRET],
            call: Some((Service::Int0E, 1)),
        },
        // INT 70h (IRQ8, RTC): push ax; out; mov al,20h; out 0A0h,al; out 20h,al; pop ax; iret
        Stub {
            offset: 0xE900,
            code: &[
                0x50, OUT, PORT, 0xB0, 0x20, 0xE6, 0xA0, 0xE6, 0x20, 0x58, IRET,
            ],
            call: Some((Service::Int70, 1)),
        },
        // INT 76h (IRQ14, hard disk): same shape.
        Stub {
            offset: 0xE920,
            code: &[
                0x50, OUT, PORT, 0xB0, 0x20, 0xE6, 0xA0, 0xE6, 0x20, 0x58, IRET,
            ],
            call: Some((Service::Int76, 1)),
        },
        // Other master IRQs: push ax; mov al,20h; out 20h,al; pop ax; iret
        Stub {
            offset: 0xE940,
            code: &[0x50, 0xB0, 0x20, 0xE6, 0x20, 0x58, IRET],
            call: None,
        },
        // Other slave IRQs: EOI to both controllers.
        Stub {
            offset: 0xE950,
            code: &[0x50, 0xB0, 0x20, 0xE6, 0xA0, 0xE6, 0x20, 0x58, IRET],
            call: None,
        },
        // Dummy handler (INT 1Ch and friends).
        Stub {
            offset: 0xFF53,
            code: &[IRET],
            call: None,
        },
        // INT 05h print screen: nothing to print to.
        Stub {
            offset: 0xFF54,
            code: &[IRET],
            call: None,
        },
        // Reset vector: jmp far F000:E05B.
        Stub {
            offset: 0xFFF0,
            code: &[0xEA, 0x5B, 0xE0, 0x00, 0xF0],
            call: None,
        },
    ]
}

/// Offsets of the stubs used as interrupt vectors.
pub const VEC_DUMMY: u16 = 0xFF53;
pub const VEC_IRQ_MASTER: u16 = 0xE940;
pub const VEC_IRQ_SLAVE: u16 = 0xE950;

/// Firmware state kept between calls.
#[derive(Debug, Clone, Default)]
pub struct Bios {
    /// A raw ROM image in use instead of the built-in BIOS.
    rom: Option<(Vec<u8>, Option<Vec<u8>>)>,
    /// Address (offset in the ROM segment) of each stub's `OUT`, and its service.
    calls: Vec<(u16, Service)>,
    /// Calls made, per service (for the teaching view).
    pub call_counts: std::collections::HashMap<u8, u64>,
    /// A service that waits (INT 15h/86h) wants to be retried at this time.
    pub wait_until: Option<crate::devices::Nanos>,
    pub keyboard: keyboard::KeyboardState,
    pub disk: disk::DiskState,
    pub video: video::VideoState,
    /// Messages for the user (boot failures and such) in the order they happened.
    pub messages: Vec<String>,
}

impl Bios {
    pub fn new(firmware: &Firmware) -> Result<Bios, PcError> {
        let mut b = Bios::default();
        if let Firmware::Rom { bios, vga_bios } = firmware {
            let n = bios.len();
            if !(0x10000..=0x40000).contains(&n) || n % 0x10000 != 0 {
                return Err(PcError::BadFirmware(format!(
                    "a system BIOS image must be 64, 128, 192 or 256 KiB, not {n} bytes"
                )));
            }
            if let Some(v) = vga_bios {
                if v.len() < 3 || v[0] != 0x55 || v[1] != 0xAA || v.len() > 0x20000 {
                    return Err(PcError::BadFirmware(
                        "the VGA BIOS is not an option ROM (no 55AAh signature)".into(),
                    ));
                }
            }
            b.rom = Some((bios.clone(), vga_bios.clone()));
        }
        Ok(b)
    }

    /// Whether the built-in BIOS is the firmware.
    pub fn is_builtin(&self) -> bool {
        self.rom.is_none()
    }

    /// Copy the firmware into memory at power-on.
    pub fn install(&mut self, board: &mut Board, config: &Config) {
        if let Some((rom, vga)) = &self.rom {
            let n = rom.len() as u32;
            board.mem.bios_size = n;
            let start = 0x10_0000 - n.min(0x20000);
            let skip = (n - n.min(0x20000)) as usize;
            board.mem.write_bytes(start, &rom[skip..]);
            if let Some(v) = vga {
                // Seen both where a legacy BIOS scans (C0000h) and behind the VGA's PCI
                // expansion ROM BAR, where PCI firmware such as SeaBIOS looks for it.
                board.mem.write_bytes(0xC0000, v);
                board.vga_rom_image = v.clone();
                board.pci_changed();
            }
            post::configure_cmos(board, config);
            return;
        }
        board.mem.bios_size = 0x10000;
        let mut image = vec![0xFFu8; 0x10000];
        self.calls.clear();
        for s in stubs() {
            let at = s.offset as usize;
            image[at..at + s.code.len()].copy_from_slice(s.code);
            if let Some((svc, off)) = s.call {
                self.calls.push((s.offset + off, svc));
            }
        }
        // Date and model byte at the top of the ROM.
        image[0xFFF5..0xFFFD].copy_from_slice(b"11/26/26");
        image[0xFFFE] = 0xFC;
        video::install_rom(&mut image);
        disk::install_rom(&mut image);
        system::install_rom(&mut image);
        acpi::install_rom(&mut image);
        board.mem.write_bytes(ROM_BASE, &image);
        post::configure_cmos(board, config);
    }

    fn service_at(&self, offset: u16) -> Option<Service> {
        self.calls
            .iter()
            .find(|(o, _)| *o == offset)
            .map(|&(_, s)| s)
    }
}

/// What a service asks of the stub it was called from.
pub enum Flow {
    /// Return to the stub, which continues (usually IRET).
    Done,
    /// Run the call again once an interrupt has been handled (waiting for input or time).
    Retry,
    /// Halt with interrupts enabled, continuing at `seg:off` after the next interrupt.
    WaitAt(u16, u16),
}

/// A stub executed `OUT 0E0h`: run its service.
pub fn hostcall(pc: &mut Pc) {
    if !pc.bios.is_builtin() {
        return;
    }
    let cs = pc.cpu.seg_selector(SegReg::Cs);
    let out_ip = pc.cpu.eip.wrapping_sub(2) as u16;
    if cs != ROM_SEG || pc.cpu.protected_mode() && !pc.cpu.v86_mode() {
        return;
    }
    let Some(svc) = pc.bios.service_at(out_ip) else {
        return;
    };
    *pc.bios.call_counts.entry(svc.vector()).or_insert(0) += 1;
    let flow = match svc {
        Service::Post => post::post(pc),
        Service::Int19 => post::int19(pc),
        Service::Int18 => post::int18(pc),
        Service::Int08 => time::int08(pc),
        Service::Int1A => time::int1a(pc),
        Service::Int70 => time::int70(pc),
        Service::Int09 => keyboard::int09(pc),
        Service::Int16 => keyboard::int16(pc),
        Service::Int10 => video::int10(pc),
        Service::Int13 => disk::int13(pc),
        Service::Int0E => disk::irq6(pc),
        Service::Int76 => disk::irq14(pc),
        Service::Int11 => system::int11(pc),
        Service::Int12 => system::int12(pc),
        Service::Int15 => system::int15(pc),
        Service::Int14 => system::int14(pc),
        Service::Int17 => system::int17(pc),
        Service::SpuriousIrq => Flow::Done,
    };
    let resume = match flow {
        Flow::Done => return,
        Flow::Retry => (ROM_SEG, out_ip),
        Flow::WaitAt(seg, off) => (seg, off),
    };
    // Continue there after the next interrupt, with interrupts on.
    pc.cpu.load_seg_real(SegReg::Cs, resume.0);
    pc.cpu.eip = resume.1 as u32;
    pc.cpu.set_eflags(pc.cpu.eflags() | cpu::flags::IF);
    pc.cpu.halted = true;
}

/// Register access for services, by the names the BIOS documentation uses.
pub trait Regs {
    fn ax(&self) -> u16;
    fn bx(&self) -> u16;
    fn cx(&self) -> u16;
    fn dx(&self) -> u16;
    fn set_ax(&mut self, v: u16);
    fn set_bx(&mut self, v: u16);
    fn set_cx(&mut self, v: u16);
    fn set_dx(&mut self, v: u16);
    fn ah(&self) -> u8 {
        (self.ax() >> 8) as u8
    }
    fn al(&self) -> u8 {
        self.ax() as u8
    }
    fn bh(&self) -> u8 {
        (self.bx() >> 8) as u8
    }
    fn bl(&self) -> u8 {
        self.bx() as u8
    }
    fn ch(&self) -> u8 {
        (self.cx() >> 8) as u8
    }
    fn cl(&self) -> u8 {
        self.cx() as u8
    }
    fn dh(&self) -> u8 {
        (self.dx() >> 8) as u8
    }
    fn dl(&self) -> u8 {
        self.dx() as u8
    }
    fn set_ah(&mut self, v: u8) {
        self.set_ax((self.ax() & 0xFF) | (v as u16) << 8)
    }
    fn set_al(&mut self, v: u8) {
        self.set_ax((self.ax() & 0xFF00) | v as u16)
    }
    fn set_bh(&mut self, v: u8) {
        self.set_bx((self.bx() & 0xFF) | (v as u16) << 8)
    }
    fn set_bl(&mut self, v: u8) {
        self.set_bx((self.bx() & 0xFF00) | v as u16)
    }
    fn set_ch(&mut self, v: u8) {
        self.set_cx((self.cx() & 0xFF) | (v as u16) << 8)
    }
    fn set_cl(&mut self, v: u8) {
        self.set_cx((self.cx() & 0xFF00) | v as u16)
    }
    fn set_dh(&mut self, v: u8) {
        self.set_dx((self.dx() & 0xFF) | (v as u16) << 8)
    }
    fn set_dl(&mut self, v: u8) {
        self.set_dx((self.dx() & 0xFF00) | v as u16)
    }
}

impl Regs for Cpu {
    fn ax(&self) -> u16 {
        self.regs[0] as u16
    }
    fn cx(&self) -> u16 {
        self.regs[1] as u16
    }
    fn dx(&self) -> u16 {
        self.regs[2] as u16
    }
    fn bx(&self) -> u16 {
        self.regs[3] as u16
    }
    fn set_ax(&mut self, v: u16) {
        self.regs[0] = (self.regs[0] & 0xFFFF_0000) | v as u32;
    }
    fn set_cx(&mut self, v: u16) {
        self.regs[1] = (self.regs[1] & 0xFFFF_0000) | v as u32;
    }
    fn set_dx(&mut self, v: u16) {
        self.regs[2] = (self.regs[2] & 0xFFFF_0000) | v as u32;
    }
    fn set_bx(&mut self, v: u16) {
        self.regs[3] = (self.regs[3] & 0xFFFF_0000) | v as u32;
    }
}

/// Linear address of the FLAGS word an INT pushed, for a plain `out; iret` stub.
fn stacked_flags_addr(cpu: &Cpu) -> u32 {
    let ss = cpu.segs[SegReg::Ss as usize].base;
    ss.wrapping_add((cpu.regs[4] as u16).wrapping_add(4) as u32)
}

/// Set or clear flag bits in the FLAGS image the caller's IRET will restore.
pub fn set_caller_flags(pc: &mut Pc, mask: u16, on: bool) {
    let a = stacked_flags_addr(&pc.cpu);
    let f = pc.board.mem.read16(a);
    let f = if on { f | mask } else { f & !mask };
    pc.board.mem.write16(a, f);
}

/// The caller's carry flag reports success (clear) or failure (set).
pub fn set_carry(pc: &mut Pc, failed: bool) {
    set_caller_flags(pc, cpu::flags::CF as u16, failed);
}

/// Report "function not supported" the standard way: AH = 86h, CF set.
pub fn unsupported(pc: &mut Pc) -> Flow {
    pc.cpu.set_ah(0x86);
    set_carry(pc, true);
    Flow::Done
}

/// Linear address of `seg:off`.
pub fn lin(seg: u16, off: u16) -> u32 {
    ((seg as u32) << 4) + off as u32
}

/// The segment a register names, as an address base.
pub fn seg_base(cpu: &Cpu, s: SegReg) -> u32 {
    cpu.segs[s as usize].base
}
