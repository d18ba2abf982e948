//! The aula86 machine around the CPU.
//!
//! For now: flat RAM, the reset vector's alias at the top of the address space, and the debug
//! port 0xE9 (bytes written there are collected, as Bochs and QEMU do). The chipset, devices and
//! firmware come next, each in its own file under `devices/`.

pub use cpu;

use cpu::{Bus, Counters, Cpu, Model, RunExit};

/// Why a request to the machine was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PcError {
    /// The bytes do not fit in guest RAM at that address.
    OutOfRange { addr: u32, len: usize, ram: usize },
    /// Memory size below 64 KiB or above 3 GiB.
    BadMemorySize(usize),
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
                write!(f, "memory size {n} bytes is outside 64 KiB..3 GiB")
            }
        }
    }
}

impl std::error::Error for PcError {}

/// Memory and ports as the CPU sees them.
pub struct Board {
    pub ram: Vec<u8>,
    /// Bytes the guest wrote to port 0xE9.
    pub debug_out: Vec<u8>,
}

impl Board {
    /// Physical address to RAM offset: RAM is at 0, and the top 64 KiB of the 4 GiB space (and of
    /// the 286's 16 MiB space) alias the top of the first megabyte, where reset code lives.
    #[inline]
    fn ram_index(&self, addr: u32) -> Option<usize> {
        let a = addr as usize;
        if a < self.ram.len() {
            Some(a)
        } else if addr >= 0xFFFF_0000 || (0xFF_0000..0x100_0000).contains(&addr) {
            Some(0xF_0000 + (addr & 0xFFFF) as usize).filter(|&i| i < self.ram.len())
        } else {
            None
        }
    }
}

impl Bus for Board {
    #[inline]
    fn read8(&mut self, addr: u32) -> u8 {
        match self.ram_index(addr) {
            Some(i) => self.ram[i],
            None => 0xFF,
        }
    }
    #[inline]
    fn write8(&mut self, addr: u32, value: u8) {
        if (addr as usize) < self.ram.len() {
            self.ram[addr as usize] = value;
        }
    }
    fn io_read8(&mut self, _port: u16) -> u8 {
        0xFF
    }
    fn io_write8(&mut self, port: u16, value: u8) {
        if port == 0xE9 {
            self.debug_out.push(value);
        }
    }
}

/// A whole machine: CPU plus board.
pub struct Pc {
    pub cpu: Cpu,
    pub board: Board,
}

impl Pc {
    pub fn new(model: Model, mem_bytes: usize) -> Result<Pc, PcError> {
        if !(0x1_0000..=0xC000_0000).contains(&mem_bytes) {
            return Err(PcError::BadMemorySize(mem_bytes));
        }
        Ok(Pc {
            cpu: Cpu::new(model),
            board: Board {
                ram: vec![0; mem_bytes],
                debug_out: Vec::new(),
            },
        })
    }

    /// Copy bytes into guest RAM.
    pub fn load(&mut self, addr: u32, bytes: &[u8]) -> Result<(), PcError> {
        let end = addr as usize + bytes.len();
        if end > self.board.ram.len() {
            return Err(PcError::OutOfRange {
                addr,
                len: bytes.len(),
                ram: self.board.ram.len(),
            });
        }
        self.board.ram[addr as usize..end].copy_from_slice(bytes);
        self.cpu.notify_write(addr, bytes.len() as u32);
        Ok(())
    }

    /// Read guest RAM (bytes past the end read as 0xFF).
    pub fn read(&mut self, addr: u32, len: usize) -> Vec<u8> {
        (0..len as u32)
            .map(|i| self.board.read8(addr.wrapping_add(i)))
            .collect()
    }

    pub fn run(&mut self, max_insns: u64) -> RunExit {
        self.cpu.run(&mut self.board, max_insns)
    }

    pub fn counters(&self) -> Counters {
        self.cpu.counters
    }
}
