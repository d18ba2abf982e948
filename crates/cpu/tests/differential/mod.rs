//! For the tests that run the same random programs two ways and compare the results: a small
//! pseudo-random generator (xorshift64*, a fixed sequence for each seed, so a failure names the
//! seed that reproduces it) and the comparison of two CPUs.

use cpu::Cpu;

pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32
    }
    pub fn below(&mut self, n: u32) -> u32 {
        self.next() % n
    }
    pub fn pick(&mut self, from: &[u8]) -> u8 {
        from[self.below(from.len() as u32) as usize]
    }
}

/// The two runs ended in the same registers, EIP, EFLAGS, instruction and exception counts and
/// memory; `what` names the program in the failure message.
pub fn assert_same(a: &Cpu, a_ram: &[u8], b: &Cpu, b_ram: &[u8], what: &str) {
    assert_eq!(a.regs, b.regs, "registers; {what}");
    assert_eq!(a.eip, b.eip, "EIP; {what}");
    assert_eq!(a.eflags(), b.eflags(), "EFLAGS; {what}");
    let (ca, cb) = (&a.counters, &b.counters);
    assert_eq!(
        ca.instructions, cb.instructions,
        "instruction count; {what}"
    );
    assert_eq!(ca.exceptions, cb.exceptions, "exceptions; {what}");
    assert!(a_ram == b_ram, "memory differs; {what}");
}
