//! The decoded-instruction cache, keyed by physical address.
//!
//! A direct-mapped table of decoded instructions. Each entry remembers the generation of the 4 KiB
//! page it was decoded from; a write into a page that holds decoded code bumps that page's
//! generation, so stale entries stop matching (self-modifying code keeps working). Writes into
//! pages without decoded code cost one flag test.
//!
//! Beside it, a block cache: runs of up to [`BLOCK_MAX`] instructions decoded from one page, so
//! that the run loop translates and looks up once per block rather than once per instruction.
//! Blocks share the page generations, and every invalidation bumps [`CodeCache::epoch`], which
//! the block loop watches to stop at once when an instruction rewrites code.
//!
//! A block's header sits in a direct-mapped table by its address; its instructions lie packed in
//! an arena, one block after another as they are decoded. When the arena is full, every block
//! goes and the arena starts again from its beginning.

use std::rc::Rc;

use crate::decode::Insn;

const ENTRY_BITS: u32 = 16;
const ENTRIES: usize = 1 << ENTRY_BITS;
const PAGES: usize = 1 << 20;

/// Most instructions in one block.
pub const BLOCK_MAX: usize = 32;
/// Block headers: 32,768 (640 KiB). Linux's boot, with 8,192 of them in slots of 32
/// instructions each, decoded 6.6 M instructions: most blocks it inserted threw out a live one.
const BLOCK_BITS: u32 = 15;
const BLOCKS: usize = 1 << BLOCK_BITS;
/// Instructions in the arena: 262,144 (8 MiB, as the 8,192 slots of 32 were).
const ARENA: usize = 1 << 18;

/// An instruction of a block, with the handler it was resolved to when the block was decoded
/// (see `exec::block`). 32 bytes: a block's instructions are
/// found, and counted, by shifts rather than multiplications and divisions by 28.
#[derive(Clone, Copy, Default)]
#[repr(align(32))]
pub struct BlockInsn {
    pub insn: Insn,
    pub(crate) handler: crate::exec::Handler,
    /// Where the instruction ends, in bytes from the start of its block (negative when the
    /// block followed a jump backwards to it).
    pub end: i16,
    /// Where the block goes on after it: `end`, or the target of a transfer the block followed
    /// (`exec::block`). Anywhere else stops the block.
    pub cont: i16,
    /// Whether the run loop may go on to the next block after this instruction.
    pub chains: bool,
}

/// A block's header; its instructions are `count` from `first` in the arena.
#[derive(Clone, Copy)]
struct BlockHead {
    /// Physical address of the first instruction + 1.
    tag: u32,
    /// Page generation and decode mode, as for [`Entry::key`]; [`EMPTY`] in an empty slot.
    key: u32,
    first: u32,
    /// Instructions in the block (at least one).
    count: u8,
    span: Span,
}

/// The bytes a block's instructions lie in, from its first instruction's first byte: `lo` (at
/// most 0: a block that follows a jump backwards starts before its first instruction) up to
/// `hi`, exclusive.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct Span {
    pub lo: i16,
    pub hi: i16,
}

/// 32 bytes, so that an entry never straddles a cache line.
#[derive(Clone, Copy)]
struct Entry {
    /// Physical address + 1.
    tag: u32,
    /// The page's generation times two, plus the decode mode (the code segment's default size)
    /// in bit 0: one compare checks both. (A stale entry could match again only after exactly
    /// 2^31 invalidations of its page with the slot never reused.) [`EMPTY`] in an empty slot.
    key: u32,
    insn: Insn,
}

/// The key of an empty slot, which no lookup asks for before its page has been invalidated
/// 2^31 - 1 times. (The tag cannot say "empty": code at FFFFFFFFh has the tag 0, and an empty
/// slot's tag 0 and key 0 once matched it, as a block of no instructions that the block loop
/// indexed before its start.)
const EMPTY: u32 = u32::MAX;

impl Default for Entry {
    fn default() -> Self {
        Entry {
            tag: 0,
            key: EMPTY,
            insn: Insn::default(),
        }
    }
}

impl Default for BlockHead {
    fn default() -> Self {
        BlockHead {
            tag: 0,
            key: EMPTY,
            first: 0,
            count: 0,
            span: Span::default(),
        }
    }
}

/// `N` copies of `v` on the heap, as an array: indexing it with a value known to be below `N`
/// (a masked or shifted address) needs no bounds check, which a `Vec` would.
pub(crate) fn boxed_array<T: Clone, const N: usize>(v: T) -> Box<[T; N]> {
    match vec![v; N].into_boxed_slice().try_into() {
        Ok(array) => array,
        Err(_) => unreachable!("a Vec of N elements is an array of N"),
    }
}

#[inline]
fn key(gen: u32, big: bool) -> u32 {
    (gen << 1) | big as u32
}

pub struct CodeCache {
    entries: Vec<Entry>,
    /// Generation per physical page; bumped when a page holding decoded code is written.
    page_gen: Box<[u32; PAGES]>,
    /// Whether the page holds decoded code at its current generation.
    page_has_code: Box<[bool; PAGES]>,
    /// An instruction that crosses a page, decoded for one execution.
    scratch: Insn,
    blocks: Box<[BlockHead; BLOCKS]>,
    /// Shared so that a running block can hold its instructions while the CPU is borrowed
    /// mutably: a reference count costs less than moving a `Vec` out and back.
    block_insns: Rc<[BlockInsn]>,
    /// Where the next block's instructions go in the arena.
    arena_next: usize,
    /// Bumped whenever decoded code is invalidated.
    pub epoch: u32,
    /// The page-number bit the A20 gate clears while it is masked (0x100), else 0: pages `p`
    /// and `p ^ alias` are then the same memory, and are marked and invalidated together.
    alias: usize,
}

impl Default for CodeCache {
    fn default() -> Self {
        CodeCache::new()
    }
}

impl CodeCache {
    // (Out of line: inlined into `Cpu::new`, which lies before the run loop in the native
    // binary, its size moved `run_block` in its 64-byte line: PERFORMANCE.md.)
    #[inline(never)]
    pub fn new() -> CodeCache {
        CodeCache {
            entries: vec![Entry::default(); ENTRIES],
            page_gen: boxed_array(0),
            page_has_code: boxed_array(false),
            scratch: Insn::default(),
            blocks: boxed_array(BlockHead::default()),
            block_insns: vec![BlockInsn::default(); ARENA].into(),
            arena_next: 0,
            epoch: 0,
            alias: 0,
        }
    }

    /// Drop everything. (Out of line: inlined into `Cpu::run` for a change of the A20 gate, it
    /// moved the block loop's machine code and made `aula86 bench` 12-15 % slower natively with
    /// the same instructions run.)
    #[cold]
    #[inline(never)]
    pub fn flush(&mut self) {
        for (p, has) in self.page_has_code.iter_mut().enumerate() {
            if *has {
                self.page_gen[p] = self.page_gen[p].wrapping_add(1);
                *has = false;
            }
        }
        self.epoch = self.epoch.wrapping_add(1);
    }

    /// The A20 gate's mask changed to `a20_mask` (see `Bus::a20_mask`); the cache has just been
    /// flushed (`Cpu::sync_ram_map`), so no page is marked yet under the old aliasing.
    pub fn set_a20_mask(&mut self, a20_mask: u32) {
        self.alias = (!a20_mask as usize >> 12) & (1 << 8);
    }

    /// Page `page` holds decoded code at its current generation (and so does its A20 alias).
    #[inline]
    fn mark_code(&mut self, page: usize) {
        self.page_has_code[page] = true;
        self.page_has_code[page ^ self.alias] = true;
    }

    #[inline]
    fn slot(phys: u32) -> usize {
        (phys as usize) & (ENTRIES - 1)
    }

    /// The slot holding the instruction decoded at `phys` in mode `big`, if it is still valid.
    #[inline]
    pub fn find(&self, phys: u32, big: bool) -> Option<usize> {
        let slot = Self::slot(phys);
        let e = &self.entries[slot];
        if e.tag == phys.wrapping_add(1) && e.key == key(self.page_gen[(phys >> 12) as usize], big)
        {
            Some(slot)
        } else {
            None
        }
    }

    /// The instruction in a slot that [`find`](Self::find), [`insert`](Self::insert) or
    /// [`scratch`](Self::scratch) returned. The caller executes it from here (or from a copy
    /// made here): returning the decoded instruction by value through a fresh `Option` costs a
    /// store-forwarding stall on every instruction.
    #[inline]
    pub fn insn(&self, slot: usize) -> &Insn {
        match self.entries.get(slot) {
            Some(e) => &e.insn,
            None => &self.scratch,
        }
    }

    /// Remember an instruction that lies wholly inside the page of `phys`; returns its slot.
    #[inline]
    pub fn insert(&mut self, phys: u32, big: bool, insn: Insn) -> usize {
        let page = (phys >> 12) as usize;
        self.mark_code(page);
        let slot = Self::slot(phys);
        self.entries[slot] = Entry {
            tag: phys.wrapping_add(1),
            key: key(self.page_gen[page], big),
            insn,
        };
        slot
    }

    /// Hold an instruction that cannot be cached (it crosses a page); returns its slot, valid
    /// until the next call.
    #[inline]
    pub fn scratch(&mut self, insn: Insn) -> usize {
        self.scratch = insn;
        ENTRIES
    }

    /// A cached instruction, as a copy (tests and tools).
    pub fn lookup(&self, phys: u32, big: bool) -> Option<Insn> {
        self.find(phys, big).map(|s| *self.insn(s))
    }

    /// Whether instructions decoded from the page of `phys` are cached (writes there must be
    /// told with [`note_write`](Self::note_write)).
    #[inline]
    pub fn has_code(&self, phys: u32) -> bool {
        self.page_has_code[(phys >> 12) as usize]
    }

    /// A write to physical address `phys`.
    #[inline(always)]
    pub fn note_write(&mut self, phys: u32) {
        let page = (phys >> 12) as usize;
        if self.page_has_code[page] {
            self.invalidate_page(page);
        }
    }

    /// Code on `page` was written: its decoded instructions and blocks are stale.
    #[cold]
    #[inline(never)]
    fn invalidate_page(&mut self, page: usize) {
        // (With the gate open `page ^ alias` is `page`, whose generation then moves by two:
        // the same to every stale entry. Written without the test: a version with one moved
        // the block loop's machine code and made `aula86 bench` 13-15 % slower.)
        for p in [page, page ^ self.alias] {
            self.page_has_code[p] = false;
            self.page_gen[p] = self.page_gen[p].wrapping_add(1);
        }
        self.epoch = self.epoch.wrapping_add(1);
    }

    #[inline]
    fn block_slot(phys: u32) -> usize {
        (phys.wrapping_mul(0x9E37_79B1) >> (32 - BLOCK_BITS)) as usize
    }

    /// The block that starts at `phys` in mode `big`, if it is still valid: where its
    /// instructions start in the arena, how many there are, and the bytes they span.
    #[inline]
    pub fn find_block(&self, phys: u32, big: bool) -> Option<(usize, usize, Span)> {
        let slot = Self::block_slot(phys);
        let b = &self.blocks[slot];
        if b.tag == phys.wrapping_add(1) && b.key == key(self.page_gen[(phys >> 12) as usize], big)
        {
            Some((b.first as usize, b.count as usize, b.span))
        } else {
            None
        }
    }

    /// The instruction arena, shared with the block that runs (nothing that an instruction
    /// does inserts blocks), so that its instructions execute in place rather than as copies.
    #[inline]
    pub fn block_insns(&self) -> Rc<[BlockInsn]> {
        Rc::clone(&self.block_insns)
    }

    /// Store a block of 1 to [`BLOCK_MAX`] instructions decoded from the page of `phys`, which
    /// lie in `span` around `phys`; returns where its instructions start in the arena.
    pub fn insert_block(&mut self, phys: u32, big: bool, insns: &[BlockInsn], span: Span) -> usize {
        debug_assert!(!insns.is_empty() && insns.len() <= BLOCK_MAX);
        if self.arena_next + insns.len() > ARENA {
            // The arena is full: every block goes (their instructions are about to be
            // overwritten), and it fills again from the start.
            self.blocks.fill(BlockHead::default());
            self.arena_next = 0;
        }
        let first = self.arena_next;
        self.arena_next += insns.len();
        let page = (phys >> 12) as usize;
        self.mark_code(page);
        self.blocks[Self::block_slot(phys)] = BlockHead {
            tag: phys.wrapping_add(1),
            key: key(self.page_gen[page], big),
            first: first as u32,
            count: insns.len() as u8,
            span,
        };
        // Blocks are inserted between blocks, when no one else holds the arena: this never
        // copies it.
        Rc::make_mut(&mut self.block_insns)[first..first + insns.len()].copy_from_slice(insns);
        first
    }

    pub fn invalidate_range(&mut self, addr: u32, len: u32) {
        if len == 0 {
            return;
        }
        let first = addr >> 12;
        let last = addr.saturating_add(len - 1) >> 12;
        for p in first..=last {
            self.note_write(p << 12);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_fill_half_a_cache_line() {
        assert_eq!(std::mem::size_of::<Entry>(), 32);
    }

    /// Code at FFFFFFFFh has the tag 0: an empty slot must not hold it (it did, as an
    /// instruction of nothing and a block of no instructions, whose "last" one the block loop
    /// then read before the block's start; the CPU fuzz test found it).
    #[test]
    fn an_empty_slot_holds_nothing_even_at_the_top_of_memory() {
        let mut c = CodeCache::new();
        for big in [false, true] {
            assert_eq!(c.lookup(0xFFFF_FFFF, big), None);
            assert_eq!(c.find_block(0xFFFF_FFFF, big), None);
        }
        // Nor once a full arena has emptied every slot again.
        let nop = BlockInsn {
            insn: Insn {
                op: 0x90,
                len: 1,
                ..Insn::default()
            },
            handler: crate::exec::Handler::General,
            end: 1,
            cont: 1,
            chains: true,
        };
        let span = Span {
            lo: 0,
            hi: BLOCK_MAX as i16,
        };
        for i in 0..=(ARENA / BLOCK_MAX) as u32 {
            c.insert_block(0x10_0000 + i * 64, false, &[nop; BLOCK_MAX], span);
        }
        assert_eq!(c.find_block(0xFFFF_FFFF, false), None);
    }

    #[test]
    fn write_invalidates_only_its_page() {
        let mut c = CodeCache::new();
        let i = Insn {
            op: 0x90,
            len: 1,
            ..Insn::default()
        };
        c.insert(0x1000, false, i);
        c.insert(0x2000, false, i);
        assert!(c.lookup(0x1000, false).is_some());
        assert!(c.lookup(0x1000, true).is_none(), "mode is part of the key");
        c.note_write(0x1FFF);
        assert!(c.lookup(0x1000, false).is_none());
        assert!(c.lookup(0x2000, false).is_some());
        c.flush();
        assert!(c.lookup(0x2000, false).is_none());
    }

    #[test]
    fn blocks_follow_their_page() {
        let mut c = CodeCache::new();
        let i = Insn {
            op: 0x90,
            len: 1,
            ..Insn::default()
        };
        let b = BlockInsn {
            insn: i,
            handler: crate::exec::Handler::General,
            end: 1,
            cont: 1,
            chains: true,
        };
        let span = Span { lo: 0, hi: 3 };
        let first = c.insert_block(0x3010, true, &[b, b, b], span);
        assert_eq!(c.find_block(0x3010, true), Some((first, 3, span)));
        assert_eq!(c.find_block(0x3010, false), None, "mode is part of the key");
        assert_eq!(c.find_block(0x3011, true), None);
        let epoch = c.epoch;
        c.note_write(0x4000);
        assert_eq!(c.epoch, epoch, "a page without code costs nothing");
        c.note_write(0x3FFF);
        assert_ne!(c.epoch, epoch);
        assert_eq!(c.find_block(0x3010, true), None);
    }

    #[test]
    fn a_full_arena_starts_again_and_drops_every_block() {
        let mut c = CodeCache::new();
        let block = |n: u8| {
            let insn = Insn {
                op: 0x90,
                len: 1,
                modrm: n,
                ..Insn::default()
            };
            [BlockInsn {
                insn,
                handler: crate::exec::Handler::General,
                end: 1,
                cont: 1,
                chains: true,
            }; BLOCK_MAX]
        };
        let span = Span { lo: 0, hi: 32 };
        // Blocks of BLOCK_MAX instructions, 64 bytes apart, until the arena has one place left.
        let fit = ARENA / BLOCK_MAX;
        for i in 0..fit as u32 {
            c.insert_block(0x10_0000 + i * 64, true, &block(i as u8), span);
        }
        let last = 0x10_0000 + (fit as u32 - 1) * 64;
        let (first, count, _) = c.find_block(last, true).expect("the last block");
        assert_eq!(count, BLOCK_MAX);
        assert_eq!(c.block_insns()[first].insn.modrm, (fit - 1) as u8);
        // One more does not fit: the arena starts again, and only the new block is left.
        let at = c.insert_block(0x20_0000, true, &block(7), span);
        assert_eq!(at, 0);
        assert_eq!(c.find_block(last, true), None);
        assert_eq!(c.find_block(0x20_0000, true), Some((0, BLOCK_MAX, span)));
        assert_eq!(c.block_insns()[0].insn.modrm, 7);
    }
}
