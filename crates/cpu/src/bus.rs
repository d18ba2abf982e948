//! What the CPU needs from the machine around it: physical memory, I/O ports and interrupts.

/// Physical memory, I/O ports and the interrupt line. Physical addresses are 32-bit; the
/// machine decides what lives there (RAM, ROM, memory-mapped devices) and applies the A20 gate.
pub trait Bus {
    fn read8(&mut self, addr: u32) -> u8;
    fn write8(&mut self, addr: u32, value: u8);

    fn read16(&mut self, addr: u32) -> u16 {
        self.read8(addr) as u16 | (self.read8(addr.wrapping_add(1)) as u16) << 8
    }
    fn read32(&mut self, addr: u32) -> u32 {
        self.read16(addr) as u32 | (self.read16(addr.wrapping_add(2)) as u32) << 16
    }
    fn write16(&mut self, addr: u32, value: u16) {
        self.write8(addr, value as u8);
        self.write8(addr.wrapping_add(1), (value >> 8) as u8);
    }
    fn write32(&mut self, addr: u32, value: u32) {
        self.write16(addr, value as u16);
        self.write16(addr.wrapping_add(2), (value >> 16) as u16);
    }

    /// Copy `len` bytes from physical `src` to physical `dst`, each range inside one 4 KiB
    /// page and not overlapping with `dst` above `src` (so a front-to-back copy, what REP MOVS
    /// does, is the same as any other): REP MOVS over plain RAM in one step. False, with
    /// nothing done, when either range is not plain RAM (the CPU then moves element by
    /// element through `read*`/`write*`).
    fn copy_ram(&mut self, _dst: u32, _src: u32, _len: u32) -> bool {
        false
    }
    /// Store `count` copies of the `size`-byte little-endian `value` from physical `dst`, all
    /// inside one 4 KiB page: REP STOS over plain RAM in one step. False, with nothing done,
    /// when the range is not plain RAM.
    fn fill_ram(&mut self, _dst: u32, _value: u32, _size: u32, _count: u32) -> bool {
        false
    }

    /// The machine's plain RAM, for the CPU's direct path: reads and writes of the pages
    /// [`ram_page`](Self::ram_page) names go straight here. Empty by default (no direct path).
    fn ram(&mut self) -> &mut [u8] {
        &mut []
    }
    /// Where in [`ram`](Self::ram) the 4 KiB physical page at `page` lives, when every read
    /// and write of it is plain RAM (no device, no ROM, the A20 gate applied); None otherwise.
    fn ram_page(&mut self, _page: u32) -> Option<u32> {
        None
    }
    /// The CPU may write the RAM page at `ram` (an offset in [`ram`](Self::ram) that
    /// [`ram_page`](Self::ram_page) gave) straight from now on, without telling the bus of each
    /// write. (A board that clears only written RAM at a reset counts the page as written.)
    fn ram_page_writable(&mut self, _ram: u32) {}
    /// A value that changes whenever [`ram_page`](Self::ram_page)'s answers may change (the
    /// A20 gate): the CPU forgets the pages it was given then. Read at the start of each run
    /// and after each OUT.
    fn ram_map(&mut self) -> u64 {
        0
    }
    /// The mask the A20 gate applies to every physical address (all ones while it is open, or
    /// without one): with bit 20 cleared, each address and the one 1 MiB above it are the same
    /// memory, and a write to either must drop code decoded from the other. Read with
    /// [`ram_map`](Self::ram_map), which must change when this does.
    fn a20_mask(&mut self) -> u32 {
        u32::MAX
    }

    fn io_read8(&mut self, port: u16) -> u8;
    fn io_write8(&mut self, port: u16, value: u8);
    fn io_read16(&mut self, port: u16) -> u16 {
        self.io_read8(port) as u16 | (self.io_read8(port.wrapping_add(1)) as u16) << 8
    }
    fn io_read32(&mut self, port: u16) -> u32 {
        self.io_read16(port) as u32 | (self.io_read16(port.wrapping_add(2)) as u32) << 16
    }
    fn io_write16(&mut self, port: u16, value: u16) {
        self.io_write8(port, value as u8);
        self.io_write8(port.wrapping_add(1), (value >> 8) as u8);
    }
    fn io_write32(&mut self, port: u16, value: u32) {
        self.io_write16(port, value as u16);
        self.io_write16(port.wrapping_add(2), (value >> 16) as u16);
    }

    /// Whether the interrupt controller has an interrupt for the CPU (the INTR line).
    fn interrupt_pending(&mut self) -> bool {
        false
    }
    /// The interrupt acknowledge cycle: the vector of the interrupt being taken.
    fn acknowledge_interrupt(&mut self) -> u8 {
        0
    }
    /// Asked after each OUT: whether the machine wants the CPU to stop after this instruction
    /// (a device was reprogrammed, firmware asked for the host). Reading clears the request.
    fn take_stop_request(&mut self) -> bool {
        false
    }
    /// Told before each port access how many instructions have retired, so that devices can
    /// compute the emulated time of the access.
    fn io_clock(&mut self, _instructions: u64) {}
    /// Emulated time moves on by `slots` instruction slots in which no instruction runs, after
    /// `instructions` have retired (PAUSE, see [`crate::PAUSE_SLOTS`]).
    fn idle_slots(&mut self, _instructions: u64, _slots: u64) {}
}

/// A bus with flat RAM and no devices: ports read as all ones, writes to them are dropped.
/// Used by the conformance harness, tests and benchmarks.
pub struct FlatBus {
    pub ram: Vec<u8>,
}

impl FlatBus {
    pub fn new(size: usize) -> FlatBus {
        FlatBus { ram: vec![0; size] }
    }
}

impl Bus for FlatBus {
    #[inline]
    fn read8(&mut self, addr: u32) -> u8 {
        self.ram.get(addr as usize).copied().unwrap_or(0xFF)
    }
    #[inline]
    fn write8(&mut self, addr: u32, value: u8) {
        if let Some(b) = self.ram.get_mut(addr as usize) {
            *b = value;
        }
    }
    #[inline]
    fn read16(&mut self, addr: u32) -> u16 {
        let a = addr as usize;
        match self.ram.get(a..a + 2) {
            Some(s) => u16::from_le_bytes([s[0], s[1]]),
            None => self.read8(addr) as u16 | (self.read8(addr.wrapping_add(1)) as u16) << 8,
        }
    }
    #[inline]
    fn write16(&mut self, addr: u32, value: u16) {
        let a = addr as usize;
        match self.ram.get_mut(a..a + 2) {
            Some(s) => s.copy_from_slice(&value.to_le_bytes()),
            None => {
                self.write8(addr, value as u8);
                self.write8(addr.wrapping_add(1), (value >> 8) as u8);
            }
        }
    }
    fn copy_ram(&mut self, dst: u32, src: u32, len: u32) -> bool {
        let (d, s, n) = (dst as usize, src as usize, len as usize);
        if d + n > self.ram.len() || s + n > self.ram.len() {
            return false;
        }
        self.ram.copy_within(s..s + n, d);
        true
    }
    fn fill_ram(&mut self, dst: u32, value: u32, size: u32, count: u32) -> bool {
        fill(&mut self.ram, dst, value, size, count)
    }
    #[inline(always)]
    fn ram(&mut self) -> &mut [u8] {
        &mut self.ram
    }
    fn ram_page(&mut self, page: u32) -> Option<u32> {
        (page as u64 + 0x1000 <= self.ram.len() as u64).then_some(page)
    }
    fn io_read8(&mut self, _port: u16) -> u8 {
        0xFF
    }
    fn io_write8(&mut self, _port: u16, _value: u8) {}
}

/// Store `count` copies of the `size`-byte little-endian `value` at `ram[dst..]`; false when
/// that runs past the end of `ram`. For [`Bus::fill_ram`].
pub fn fill(ram: &mut [u8], dst: u32, value: u32, size: u32, count: u32) -> bool {
    let start = dst as usize;
    let len = size as usize * count as usize;
    let Some(out) = ram.get_mut(start..start + len) else {
        return false;
    };
    match size {
        1 => out.fill(value as u8),
        2 => out
            .chunks_exact_mut(2)
            .for_each(|c| c.copy_from_slice(&(value as u16).to_le_bytes())),
        _ => out
            .chunks_exact_mut(4)
            .for_each(|c| c.copy_from_slice(&value.to_le_bytes())),
    }
    true
}
