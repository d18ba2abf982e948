//! ACPI tables of the built-in BIOS: RSDP, RSDT, FADT, FACS and a DSDT that declares the soft-off
//! state, enough for an operating system to find the PM1 registers and the PM timer and to power
//! the machine off. They live in the ROM (F000:7000), which the E820 map marks reserved.

/// Offset of the tables in the ROM segment, and their physical address.
pub const ACPI_OFF: usize = 0x7000;
const BASE: u32 = 0xF0000 + ACPI_OFF as u32;
/// Where the PM registers are placed (PCI PMBA).
pub const PM_BASE: u16 = 0x600;
/// The SCI interrupt line.
pub const SCI_IRQ: u8 = 9;

const RSDP: usize = 0x000; // 20 bytes, 16-byte aligned
const RSDT: usize = 0x040;
const FACS: usize = 0x080; // 64-byte aligned
const FADT: usize = 0x100;
const DSDT: usize = 0x200;

fn checksum(b: &[u8]) -> u8 {
    0u8.wrapping_sub(b.iter().fold(0u8, |a, &x| a.wrapping_add(x)))
}

/// A standard table header with the body appended and the checksum filled in.
fn table(sig: &[u8; 4], rev: u8, body: &[u8]) -> Vec<u8> {
    let len = 36 + body.len();
    let mut t = Vec::with_capacity(len);
    t.extend_from_slice(sig);
    t.extend_from_slice(&(len as u32).to_le_bytes());
    t.push(rev);
    t.push(0);
    t.extend_from_slice(b"AULA86");
    t.extend_from_slice(b"AULA86PC");
    t.extend_from_slice(&1u32.to_le_bytes());
    t.extend_from_slice(b"AULA");
    t.extend_from_slice(&1u32.to_le_bytes());
    t.extend_from_slice(body);
    t[9] = checksum(&t);
    t
}

/// Write the tables into the ROM image.
pub fn install_rom(image: &mut [u8]) {
    let put = |image: &mut [u8], at: usize, bytes: &[u8]| {
        image[ACPI_OFF + at..ACPI_OFF + at + bytes.len()].copy_from_slice(bytes);
    };
    // DSDT: Name (_S5, Package (4) {0, 0, 0, 0}) — soft off is sleep type 0.
    let dsdt = table(
        b"DSDT",
        1,
        &[
            0x08, b'_', b'S', b'5', b'_', 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00,
        ],
    );
    put(image, DSDT, &dsdt);
    // FACS: signature, length, hardware signature, waking vector, global lock, flags.
    let mut facs = vec![0u8; 64];
    facs[0..4].copy_from_slice(b"FACS");
    facs[4..8].copy_from_slice(&64u32.to_le_bytes());
    put(image, FACS, &facs);
    // FADT (ACPI 1.0 layout, 116 bytes).
    let mut f = vec![0u8; 116 - 36];
    let w32 =
        |f: &mut Vec<u8>, at: usize, v: u32| f[at - 36..at - 32].copy_from_slice(&v.to_le_bytes());
    w32(&mut f, 36, BASE + FACS as u32);
    w32(&mut f, 40, BASE + DSDT as u32);
    f[46 - 36..48 - 36].copy_from_slice(&(SCI_IRQ as u16).to_le_bytes());
    // SMI_CMD = 0: the machine is always in ACPI mode.
    w32(&mut f, 56, PM_BASE as u32); // PM1a_EVT_BLK
    w32(&mut f, 64, PM_BASE as u32 + 4); // PM1a_CNT_BLK
    w32(&mut f, 76, PM_BASE as u32 + 8); // PM_TMR_BLK
    f[88 - 36] = 4; // PM1_EVT_LEN
    f[89 - 36] = 2; // PM1_CNT_LEN
    f[91 - 36] = 4; // PM_TMR_LEN
                    // P_LVL2/3 latencies over the limits: no C2/C3.
    f[96 - 36..98 - 36].copy_from_slice(&101u16.to_le_bytes());
    f[98 - 36..100 - 36].copy_from_slice(&1001u16.to_le_bytes());
    // Flags: WBINVD works, C1 supported, power button is a control method (none), RTC wake no.
    w32(&mut f, 112, 1 | 1 << 2 | 1 << 4 | 1 << 5);
    let fadt = table(b"FACP", 1, &f);
    put(image, FADT, &fadt);
    let mut r = Vec::new();
    r.extend_from_slice(&(BASE + FADT as u32).to_le_bytes());
    let rsdt = table(b"RSDT", 1, &r);
    put(image, RSDT, &rsdt);
    let mut rsdp = Vec::with_capacity(20);
    rsdp.extend_from_slice(b"RSD PTR ");
    rsdp.push(0);
    rsdp.extend_from_slice(b"AULA86");
    rsdp.push(0); // revision 0 (ACPI 1.0)
    rsdp.extend_from_slice(&(BASE + RSDT as u32).to_le_bytes());
    rsdp[8] = checksum(&rsdp);
    put(image, RSDP, &rsdp);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_checksum_to_zero() {
        let mut image = vec![0u8; 0x10000];
        install_rom(&mut image);
        let sum = |b: &[u8]| b.iter().fold(0u8, |a, &x| a.wrapping_add(x));
        assert_eq!(&image[ACPI_OFF..ACPI_OFF + 8], b"RSD PTR ");
        assert_eq!(sum(&image[ACPI_OFF..ACPI_OFF + 20]), 0);
        for (at, sig) in [(RSDT, b"RSDT"), (FADT, b"FACP"), (DSDT, b"DSDT")] {
            let t = &image[ACPI_OFF + at..];
            assert_eq!(&t[0..4], sig);
            let len = u32::from_le_bytes([t[4], t[5], t[6], t[7]]) as usize;
            assert_eq!(sum(&t[..len]), 0, "{}", String::from_utf8_lossy(sig));
        }
    }
}
