//! Paging: the two-level 32-bit page walk (4 KiB pages and, with CR4.PSE, 4 MiB pages), the
//! accessed and dirty bits, page-fault error codes, and a software TLB.
//!
//! The TLB is direct-mapped by virtual page number. An entry remembers the physical page and
//! whether user-mode and write accesses may use it without a walk; a write to a page whose dirty
//! bit is not yet set takes the slow path once, so the walk can set it. CR3 writes flush all but
//! global entries (CR4.PGE), INVLPG one page.

use crate::bus::Bus;
use crate::{Cpu, Exception, Res};

const TLB_BITS: u32 = 10;
const TLB_SIZE: usize = 1 << TLB_BITS;

pub const CR0_PE: u32 = 1 << 0;
pub const CR0_WP: u32 = 1 << 16;
pub const CR0_PG: u32 = 1 << 31;
pub const CR4_PSE: u32 = 1 << 4;
pub const CR4_PGE: u32 = 1 << 7;

const PTE_P: u32 = 1 << 0;
const PTE_W: u32 = 1 << 1;
const PTE_U: u32 = 1 << 2;
const PTE_A: u32 = 1 << 5;
const PTE_D: u32 = 1 << 6;
const PDE_PS: u32 = 1 << 7;
const PTE_G: u32 = 1 << 8;

/// How memory is being accessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
    Execute,
}

#[derive(Debug, Clone, Copy, Default)]
struct Entry {
    /// Virtual page number + 1 (0 = empty).
    tag: u32,
    /// Physical page base.
    phys: u32,
    user_ok: bool,
    write_ok: bool,
    user_write_ok: bool,
    global: bool,
}

/// The data accesses' direct path: for one TLB slot, the linear page that reads and writes
/// may take straight to the bus's RAM ([`Bus::ram`]) with no other check, and the privilege
/// that may. A tag holds a page-aligned linear address with the privilege's view
/// (`VIEW_SUPERVISOR` or `VIEW_USER`) in its low bits, or [`NO_PAGE`]; comparing it with the
/// page of an access's last byte and the current view checks the slot, the privilege, the
/// right and that the access stays inside the page, all at once.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Direct {
    read: u32,
    write: u32,
    /// What to add to a linear address in the page to find it in [`Bus::ram`] (modulo 2^32).
    delta: u32,
    /// The physical page: what [`Cpu::code_in_page`] looks for when code from it is cached.
    phys: u32,
}

/// A tag no access matches (no access asks for view 3).
const NO_PAGE: u32 = 3;

impl Direct {
    const EMPTY: Direct = Direct {
        read: NO_PAGE,
        write: NO_PAGE,
        delta: 0,
        phys: 0,
    };
}

/// The direct path's views, in the low bits of its tags: one per privilege, and one that no
/// entry holds, used while data breakpoints are armed so that every access takes the full path
/// and is checked.
pub(crate) const VIEW_SUPERVISOR: u32 = 0;
pub(crate) const VIEW_USER: u32 = 1;
pub(crate) const VIEW_NONE: u32 = 2;

/// `size` (1, 2 or 4) bytes of `ram` at `at`, little-endian; None past its end.
#[inline(always)]
pub(crate) fn ram_get(ram: &[u8], at: usize, size: u32) -> Option<u32> {
    let bytes = ram.get(at..at + size as usize)?;
    Some(match size {
        1 => bytes[0] as u32,
        2 => u16::from_le_bytes([bytes[0], bytes[1]]) as u32,
        _ => u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
    })
}

/// Store `size` (1, 2 or 4) bytes of `v` in `ram` at `at`; false, with nothing stored, past its
/// end.
#[inline(always)]
pub(crate) fn ram_put(ram: &mut [u8], at: usize, size: u32, v: u32) -> bool {
    let Some(bytes) = ram.get_mut(at..at + size as usize) else {
        return false;
    };
    match size {
        1 => bytes[0] = v as u8,
        2 => bytes.copy_from_slice(&(v as u16).to_le_bytes()),
        _ => bytes.copy_from_slice(&v.to_le_bytes()),
    }
    true
}

#[derive(Clone)]
pub struct Tlb {
    entries: Box<[Entry; TLB_SIZE]>,
    direct: Box<[Direct; TLB_SIZE]>,
    /// Which of the direct path's views the current accesses use (`VIEW_*`).
    pub(crate) view: u32,
    /// The bus's [`Bus::ram_map`] when the direct entries were made.
    ram_map: u64,
    /// The bus's [`Bus::a20_mask`], read with `ram_map`.
    a20_mask: u32,
    pub flushes: u64,
    pub misses: u64,
}

impl Default for Tlb {
    fn default() -> Self {
        Tlb::new()
    }
}

impl Tlb {
    pub fn new() -> Tlb {
        Tlb {
            entries: crate::cache::boxed_array(Entry::default()),
            direct: crate::cache::boxed_array(Direct::EMPTY),
            view: VIEW_SUPERVISOR,
            ram_map: 0,
            a20_mask: u32::MAX,
            flushes: 0,
            misses: 0,
        }
    }

    pub fn flush_all(&mut self) {
        self.entries.iter_mut().for_each(|e| *e = Entry::default());
        self.flush_direct();
        self.flushes += 1;
    }

    /// Forget the direct path's pages (they are made again from the TLB on the next access).
    pub(crate) fn flush_direct(&mut self) {
        self.direct.fill(Direct::EMPTY);
    }

    /// Flush everything except global pages.
    pub fn flush_nonglobal(&mut self) {
        for e in self.entries.iter_mut() {
            if !e.global {
                *e = Entry::default();
            }
        }
        self.flush_direct();
        self.flushes += 1;
    }

    pub fn flush_page(&mut self, lin: u32) {
        let vpn = lin >> 12;
        let e = &mut self.entries[(vpn as usize) & (TLB_SIZE - 1)];
        if e.tag == vpn + 1 {
            *e = Entry::default();
        }
        self.direct[(vpn as usize) & (TLB_SIZE - 1)] = Direct::EMPTY;
    }

    /// The direct-path slot of `lin`.
    #[inline(always)]
    fn direct_slot(&self, lin: u32) -> &Direct {
        &self.direct[(lin >> 12) as usize & (TLB_SIZE - 1)]
    }

    /// The tag an access of `size` bytes at `lin` looks for: the page of its last byte, in the
    /// current view.
    #[inline(always)]
    fn direct_tag(&self, lin: u32, size: u32) -> u32 {
        (lin.wrapping_add(size - 1) & !0xFFF) | self.view
    }
}

impl Cpu {
    /// Read `size` bytes at `lin` by the direct path; None when it does not hold the page
    /// (the full path then does the access and makes the entry).
    #[inline(always)]
    pub(crate) fn direct_read<B: Bus>(&self, bus: &mut B, lin: u32, size: u32) -> Option<u32> {
        let d = self.tlb.direct_slot(lin);
        if d.read != self.tlb.direct_tag(lin, size) {
            return None;
        }
        ram_get(bus.ram(), lin.wrapping_add(d.delta) as usize, size)
    }

    /// Write `size` bytes at `lin` by the direct path; false, with nothing written, when it
    /// does not hold the page for writing. (It never holds a page with cached code for writing,
    /// so there is no code cache to tell.)
    #[inline(always)]
    pub(crate) fn direct_write<B: Bus>(
        &mut self,
        bus: &mut B,
        lin: u32,
        size: u32,
        v: u32,
    ) -> bool {
        match self.direct_writable(lin, size) {
            Some(at) => ram_put(bus.ram(), at, size, v),
            None => false,
        }
    }

    /// Where in [`Bus::ram`] a write of `size` bytes at `lin` goes by the direct path; None
    /// when the direct path does not hold the page for writing.
    #[inline(always)]
    pub(crate) fn direct_writable(&self, lin: u32, size: u32) -> Option<usize> {
        let d = self.tlb.direct_slot(lin);
        if d.write != self.tlb.direct_tag(lin, size) {
            return None;
        }
        Some(lin.wrapping_add(d.delta) as usize)
    }

    /// Instructions from the page of `phys` are about to be cached: if none were, the direct
    /// path may hold the page for writing, and must stop, so that writes there reach the code
    /// cache through the full path.
    pub(crate) fn code_in_page(&mut self, phys: u32) {
        if !self.cache.has_code(phys) {
            let page = phys & !0xFFF;
            // (With the A20 gate masked, the page 1 MiB away is the same memory; the mask
            // clears at most that bit, so this is that page, or `page` itself with the gate open.)
            let alias = page ^ (!self.tlb.a20_mask & (1 << 20));
            for d in self.tlb.direct.iter_mut() {
                if d.phys == page || d.phys == alias {
                    d.write = NO_PAGE;
                }
            }
        }
    }

    /// After the full path read (or wrote) at `lin`, which is `phys`, with privilege `user`:
    /// give the page to the direct path when it is plain RAM. A write's success shows the page
    /// writable (and so readable) at that privilege, with its dirty bit set; a read's shows it
    /// readable, and writable too when paging is off. Never writable while the page holds
    /// cached code (see [`code_in_page`](Self::code_in_page)).
    pub(crate) fn make_direct<B: Bus>(
        &mut self,
        bus: &mut B,
        lin: u32,
        phys: u32,
        user: bool,
        write: bool,
    ) {
        if self.data_breakpoints_armed {
            return;
        }
        let page = lin & !0xFFF;
        let phys = phys & !0xFFF;
        let Some(ram) = bus.ram_page(phys) else {
            return;
        };
        let tag = page | if user { VIEW_USER } else { VIEW_SUPERVISOR };
        let d = &mut self.tlb.direct[(lin >> 12) as usize & (TLB_SIZE - 1)];
        let same = d.read == tag && d.phys == phys;
        let writable = (write || self.cr0 & CR0_PG == 0 || (same && d.write == tag))
            && !self.cache.has_code(phys);
        if writable {
            bus.ram_page_writable(ram);
        }
        *d = Direct {
            read: tag,
            write: if writable { tag } else { NO_PAGE },
            delta: ram.wrapping_sub(page),
            phys,
        };
    }

    /// Which direct-path view the current privilege uses (none while data breakpoints are
    /// armed). Call whenever the CPL or the breakpoints change. `cpl` alone decides, not
    /// `cpl()`: every way into virtual-8086 mode (IRET, a task switch) sets it to 3.
    pub(crate) fn sync_direct_view(&mut self) {
        self.tlb.view = if self.data_breakpoints_armed {
            VIEW_NONE
        } else if self.cpl == 3 {
            VIEW_USER
        } else {
            VIEW_SUPERVISOR
        };
    }

    /// Forget the direct path's pages if the bus's memory map changed since they were made
    /// (the A20 gate), and the decoded code: it is keyed by the address the CPU fetched from,
    /// before the gate, so code decoded through the wrap at 1 MiB would otherwise run again
    /// in place of what lies there once the gate opens (and the other way round). The gate
    /// moves a few times a boot; a flush costs one pass over the page flags.
    pub(crate) fn sync_ram_map<B: Bus>(&mut self, bus: &mut B) {
        let map = bus.ram_map();
        if map != self.tlb.ram_map {
            self.ram_map_changed(map, bus.a20_mask());
        }
    }

    /// [`sync_ram_map`](Self::sync_ram_map)'s work when the map changed. (Out of line, as
    /// `CodeCache::flush`: inlined into `Cpu::run`, such cold code moves the block loop's
    /// machine code, which made `aula86 bench` up to 15 % slower with the same instructions.)
    #[cold]
    #[inline(never)]
    fn ram_map_changed(&mut self, map: u64, a20_mask: u32) {
        self.tlb.ram_map = map;
        self.tlb.a20_mask = a20_mask;
        self.tlb.flush_direct();
        self.cache.flush();
        self.cache.set_a20_mask(a20_mask);
    }

    /// Linear to physical for an access by the current privilege level.
    #[inline]
    pub(crate) fn translate_access<B: Bus>(
        &mut self,
        bus: &mut B,
        lin: u32,
        access: Access,
    ) -> Res<u32> {
        if self.cr0 & CR0_PG == 0 {
            return Ok(lin);
        }
        let user = self.cpl() == 3;
        self.translate_paged(bus, lin, access, user)
    }

    /// The physical address of a data access at `lin` when the TLB holds its page with the
    /// right; None sends the caller to the full path (walk, fault, A/D bits).
    #[inline(always)]
    pub(crate) fn tlb_hit(&self, lin: u32, write: bool, user: bool) -> Option<u32> {
        let vpn = lin >> 12;
        let e = &self.tlb.entries[(vpn as usize) & (TLB_SIZE - 1)];
        let ok = match (write, user) {
            (true, true) => e.user_write_ok,
            (true, false) => e.write_ok,
            (false, true) => e.user_ok,
            (false, false) => true,
        };
        (e.tag == vpn + 1 && ok).then_some(e.phys | (lin & 0xFFF))
    }

    /// Linear to physical with paging on; `user` is false for the CPU's own accesses to system
    /// tables (GDT, IDT, TSS), which are supervisor accesses whatever the CPL.
    #[inline(always)]
    pub(crate) fn translate_paged<B: Bus>(
        &mut self,
        bus: &mut B,
        lin: u32,
        access: Access,
        user: bool,
    ) -> Res<u32> {
        let vpn = lin >> 12;
        let e = self.tlb.entries[(vpn as usize) & (TLB_SIZE - 1)];
        if e.tag == vpn + 1 {
            let ok = match (access, user) {
                (Access::Write, true) => e.user_write_ok,
                (Access::Write, false) => e.write_ok,
                (_, true) => e.user_ok,
                (_, false) => true,
            };
            if ok {
                return Ok(e.phys | (lin & 0xFFF));
            }
        }
        self.tlb.misses += 1;
        self.page_walk(bus, lin, access, user)
    }

    fn page_fault(&mut self, lin: u32, present: bool, access: Access, user: bool) -> Exception {
        self.cr2 = lin;
        let code = present as u32 | ((access == Access::Write) as u32) << 1 | (user as u32) << 2;
        Exception::with_code(Exception::PF, code)
    }

    /// The TLB missed (or lacked the right): walk the tables. Kept out of line so that the
    /// hit path inlines into every memory access.
    #[inline(never)]
    fn page_walk<B: Bus>(&mut self, bus: &mut B, lin: u32, access: Access, user: bool) -> Res<u32> {
        let write = access == Access::Write;
        let wp = self.cr0 & CR0_WP != 0;
        let pde_addr = (self.cr3 & 0xFFFF_F000) | ((lin >> 22) << 2);
        let pde = bus.read32(pde_addr);
        if pde & PTE_P == 0 {
            return Err(self.page_fault(lin, false, access, user));
        }
        let big = pde & PDE_PS != 0 && self.cr4 & CR4_PSE != 0;
        let (entry, entry_addr, phys_page, flags) = if big {
            (
                pde,
                pde_addr,
                (pde & 0xFFC0_0000) | (lin & 0x003F_F000),
                pde,
            )
        } else {
            let pte_addr = (pde & 0xFFFF_F000) | (((lin >> 12) & 0x3FF) << 2);
            let pte = bus.read32(pte_addr);
            if pte & PTE_P == 0 {
                return Err(self.page_fault(lin, false, access, user));
            }
            // Effective rights are the intersection of both levels.
            (
                pte,
                pte_addr,
                pte & 0xFFFF_F000,
                pte & (pde | !(PTE_U | PTE_W)),
            )
        };
        let user_ok = flags & PTE_U != 0;
        let writable = flags & PTE_W != 0;
        let allowed = if user {
            user_ok && (!write || writable)
        } else {
            !write || writable || !wp
        };
        if !allowed {
            return Err(self.page_fault(lin, true, access, user));
        }
        // Accessed bits on both levels, dirty on the final one when writing.
        if pde & PTE_A == 0 {
            bus.write32(pde_addr, pde | PTE_A);
        }
        let want = PTE_A | if write { PTE_D } else { 0 };
        if entry & want != want {
            bus.write32(entry_addr, entry | want);
        }
        let dirty = write || entry & PTE_D != 0;
        let global = entry & PTE_G != 0 && self.cr4 & CR4_PGE != 0;
        let vpn = lin >> 12;
        self.tlb.entries[(vpn as usize) & (TLB_SIZE - 1)] = Entry {
            tag: vpn + 1,
            phys: phys_page,
            user_ok,
            // Only cache write permission once the dirty bit is set.
            write_ok: dirty && (writable || !wp),
            user_write_ok: dirty && user_ok && writable,
            global,
        };
        Ok(phys_page | (lin & 0xFFF))
    }
}
