//! Physical memory: one flat RAM buffer, the A20 gate, and the record of writes made behind the
//! CPU's back (DMA, firmware) so its decoded-instruction cache can drop stale code.
//!
//! The PC memory map: conventional memory below 640 KiB, the VGA window at A0000-BFFFF (routed to
//! the VGA device by the board), option ROMs and the system BIOS at C0000-FFFFF (kept in RAM, as
//! shadow RAM: the images are copied there at power-on), extended memory from 1 MiB, and the BIOS
//! seen again just below 4 GiB (and 16 MiB for the 286) where the CPU starts.

/// Start and end of the VGA memory window.
pub const VGA_WINDOW: std::ops::Range<u32> = 0xA0000..0xC0000;
/// Where the system BIOS image ends (it is aligned so that it ends here).
pub const BIOS_END: u32 = 0x10_0000;

/// RAM is tracked for writes in chunks of this many bytes (see [`Memory::take_cleared`]).
pub const WRITTEN_CHUNK: usize = 1 << 16;

pub struct Memory {
    /// The RAM's bytes. Whatever writes here directly, rather than through the methods below
    /// or the board, must say so with [`note_written`](Self::note_written).
    pub ram: Vec<u8>,
    /// `0xFFFF_FFFF` with A20 enabled, `0xFFEF_FFFF` with it masked.
    pub a20_mask: u32,
    /// Size of the system BIOS image at the top of the first megabyte (for the high alias).
    pub bios_size: u32,
    dirty: Vec<(u32, u32)>,
    /// One bit per [`WRITTEN_CHUNK`] of RAM that may hold something other than zeros: a reset
    /// clears only those, so that a machine of 2 GiB whose guest used a little of it powers on
    /// again in milliseconds rather than a fifth of a second.
    written: Vec<u64>,
}

/// Guest RAM cleared a piece at a time, for a host that must not stop for as long as clearing
/// all of it takes: in wasm the allocator writes every byte of a zeroed allocation (2 GiB took
/// about a second in the page, one task), where a native process gets untouched zero pages.
/// [`Memory::from_fresh`] takes it once [`fill`](Self::fill) has cleared all of it.
pub struct FreshRam {
    /// Only ever grown by zeros, up to `size`.
    ram: Vec<u8>,
    size: usize,
}

impl FreshRam {
    /// Room for `size` bytes, none of them cleared yet; an error when the host cannot hold it.
    pub fn new(size: usize) -> Result<FreshRam, std::collections::TryReserveError> {
        let mut ram = Vec::new();
        ram.try_reserve_exact(size)?;
        Ok(FreshRam { ram, size })
    }

    /// Clear up to `bytes` more; whether all of it is ready.
    pub fn fill(&mut self, bytes: usize) -> bool {
        let more = bytes.min(self.size - self.ram.len());
        self.ram.resize(self.ram.len() + more, 0);
        self.is_ready()
    }

    pub fn is_ready(&self) -> bool {
        self.ram.len() == self.size
    }

    pub fn size(&self) -> usize {
        self.size
    }
}

impl Memory {
    pub fn new(size: usize) -> Memory {
        let mut mem = Memory::on(vec![0; size]);
        mem.written.fill(0);
        mem
    }

    /// Memory on RAM that [`FreshRam`] cleared, all of it (else None).
    pub fn from_fresh(fresh: FreshRam) -> Option<Memory> {
        if !fresh.is_ready() {
            return None;
        }
        let mut mem = Memory::on(fresh.ram);
        mem.written.fill(0);
        Some(mem)
    }

    /// Memory on `ram`, whose contents become the RAM's as they are (a fresh buffer is zeros).
    pub fn on(ram: Vec<u8>) -> Memory {
        // Contents not known to be zeros: all of it counts as written.
        let written = vec![u64::MAX; ram.len().div_ceil(WRITTEN_CHUNK).div_ceil(64)];
        Memory {
            ram,
            a20_mask: 0xFFEF_FFFF,
            bios_size: 0x10000,
            dirty: Vec::new(),
            written,
        }
    }

    /// Take this memory's RAM for a new machine, all zeros: only the chunks written since it
    /// was last all zeros are cleared. This memory is left with no RAM.
    pub fn take_cleared(&mut self) -> Memory {
        let mut ram = std::mem::take(&mut self.ram);
        for (word, bits) in self.written.iter().enumerate() {
            let mut bits = *bits;
            while bits != 0 {
                let chunk = word * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if let Some(bytes) = ram.chunks_mut(WRITTEN_CHUNK).nth(chunk) {
                    bytes.fill(0);
                }
            }
        }
        let mut fresh = Memory::on(ram);
        fresh.written.fill(0);
        self.written.clear();
        fresh
    }

    /// RAM from `addr` for `len` bytes may have been written (past its end: ignored).
    #[inline(never)]
    pub fn note_written(&mut self, addr: u32, len: u32) {
        if len == 0 {
            return;
        }
        let first = addr as usize / WRITTEN_CHUNK;
        let last = (addr as u64 + len as u64 - 1) as usize / WRITTEN_CHUNK;
        for chunk in first..=last {
            match self.written.get_mut(chunk / 64) {
                Some(word) => *word |= 1 << (chunk % 64),
                None => break,
            }
        }
    }

    /// The first byte of RAM that is not zero in a chunk not counted as written: None when
    /// every write was noted, as a reset needs (for tests and `aula86 run --check-written`).
    pub fn unnoted_write(&self) -> Option<u32> {
        self.ram
            .chunks(WRITTEN_CHUNK)
            .enumerate()
            .filter(|&(chunk, _)| self.written[chunk / 64] & (1 << (chunk % 64)) == 0)
            .find_map(|(chunk, bytes)| {
                let at = bytes.iter().position(|&b| b != 0)?;
                Some((chunk * WRITTEN_CHUNK + at) as u32)
            })
    }

    /// How many bytes of RAM may hold something other than zeros (what a reset would clear).
    pub fn written_bytes(&self) -> usize {
        let chunks: usize = self.written.iter().map(|w| w.count_ones() as usize).sum();
        (chunks * WRITTEN_CHUNK).min(self.ram.len())
    }

    /// RAM offset of a physical address outside the VGA window, if it is backed by RAM (or by
    /// the BIOS alias at the top of the address space).
    #[inline]
    pub fn index(&self, addr: u32) -> Option<usize> {
        let a = addr as usize;
        if a < self.ram.len() {
            return Some(a);
        }
        let bios = self.bios_size;
        if addr >= 0u32.wrapping_sub(bios) || (addr < 0x100_0000 && addr >= 0x100_0000 - bios) {
            return Some((BIOS_END - bios + (addr & (bios - 1))) as usize);
        }
        None
    }

    pub fn read8(&self, addr: u32) -> u8 {
        self.index(addr).map_or(0xFF, |i| self.ram[i])
    }

    /// Write a byte from a device or firmware (not the CPU): the CPU is told later.
    pub fn write8(&mut self, addr: u32, v: u8) {
        if (addr as usize) < self.ram.len() {
            self.ram[addr as usize] = v;
            self.mark_dirty(addr, 1);
            self.note_written(addr, 1);
        }
    }

    /// Copy bytes in (from a device or firmware). Bytes past the end of RAM are dropped.
    pub fn write_bytes(&mut self, addr: u32, bytes: &[u8]) {
        let start = addr as usize;
        if start >= self.ram.len() {
            return;
        }
        let end = (start + bytes.len()).min(self.ram.len());
        self.ram[start..end].copy_from_slice(&bytes[..end - start]);
        self.mark_dirty(addr, (end - start) as u32);
        self.note_written(addr, (end - start) as u32);
    }

    /// Copy bytes out. Addresses past RAM read as 0xFF.
    pub fn read_bytes(&self, addr: u32, out: &mut [u8]) {
        for (i, b) in out.iter_mut().enumerate() {
            *b = self.read8(addr.wrapping_add(i as u32));
        }
    }

    pub fn read16(&self, addr: u32) -> u16 {
        self.read8(addr) as u16 | (self.read8(addr.wrapping_add(1)) as u16) << 8
    }

    pub fn write16(&mut self, addr: u32, v: u16) {
        self.write_bytes(addr, &v.to_le_bytes());
    }

    pub fn read32(&self, addr: u32) -> u32 {
        self.read16(addr) as u32 | (self.read16(addr.wrapping_add(2)) as u32) << 16
    }

    pub fn write32(&mut self, addr: u32, v: u32) {
        self.write_bytes(addr, &v.to_le_bytes());
    }

    pub fn mark_dirty(&mut self, addr: u32, len: u32) {
        if len > 0 {
            self.dirty.push((addr, len));
        }
    }

    /// Ranges written behind the CPU's back since the last call.
    pub fn take_dirty(&mut self) -> Vec<(u32, u32)> {
        std::mem::take(&mut self.dirty)
    }

    pub fn has_dirty(&self) -> bool {
        !self.dirty.is_empty()
    }
}
