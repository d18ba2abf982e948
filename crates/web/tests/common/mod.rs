//! The wasm tests shared by `browser.rs` (Chromium) and `node.rs` (Node): `web_tests!()` defines
//! them in the test file that calls it, so each runner runs and counts every one.

use aula86_web::{
    bench_case, bench_case_names, register_names, run_vector_file, version, GuestRam, ImageBuffer,
    Machine, MAX_IMAGE_BYTES, MAX_MEM_BYTES,
};
use std::collections::HashMap;
use wasm_bindgen::{JsCast, JsValue};

/// `tests/guests`-style hand-assembled program, loaded at 1000:0000:
///
/// ```text
/// 0000 BE 0D 00   mov si, msg
/// 0003 B9 02 00   mov cx, 2
/// 0006 2E AC      next: cs lodsb
/// 0008 E6 E9      out 0xE9, al
/// 000A E2 FA      loop next
/// 000C F4         hlt
/// 000D 68 69      msg: db "hi"
/// ```
pub const HI: [u8; 15] = [
    0xBE, 0x0D, 0x00, 0xB9, 0x02, 0x00, 0x2E, 0xAC, 0xE6, 0xE9, 0xE2, 0xFA, 0xF4, 0x68, 0x69,
];

/// `nasm -f bin tests/guests/demo_tiny.asm`: a boot sector that prints the drive it booted from,
/// copies itself to sector 1 (INT 13h AH=03h), then echoes keys to the screen and COM1.
pub const DEMO_TINY: [u8; 512] = [
    0xfa, 0x31, 0xc0, 0x8e, 0xd8, 0x8e, 0xc0, 0x8e, 0xd0, 0xbc, 0x00, 0x7c, 0xfb, 0xfc, 0x88, 0x16,
    0x00, 0x05, 0xbe, 0x86, 0x7c, 0xe8, 0x3a, 0x00, 0xa0, 0x00, 0x05, 0xe8, 0x53, 0x00, 0xbe, 0xac,
    0x7c, 0xe8, 0x2e, 0x00, 0xb8, 0x01, 0x03, 0xbb, 0x00, 0x7c, 0xb9, 0x02, 0x00, 0x30, 0xf6, 0x8a,
    0x16, 0x00, 0x05, 0xcd, 0x13, 0xbe, 0xb0, 0x7c, 0x73, 0x03, 0xbe, 0xd5, 0x7c, 0xe8, 0x12, 0x00,
    0x30, 0xe4, 0xcd, 0x16, 0xe8, 0x16, 0x00, 0x3c, 0x0d, 0x75, 0xf5, 0xb0, 0x0a, 0xe8, 0x0d, 0x00,
    0xeb, 0xee, 0xac, 0x84, 0xc0, 0x74, 0x05, 0xe8, 0x03, 0x00, 0xeb, 0xf6, 0xc3, 0x50, 0x53, 0x52,
    0xb4, 0x0e, 0xbb, 0x07, 0x00, 0xcd, 0x10, 0x5a, 0x5b, 0x58, 0x52, 0xba, 0xf8, 0x03, 0xee, 0x5a,
    0xc3, 0x50, 0xb1, 0x04, 0xd2, 0xe8, 0xe8, 0x03, 0x00, 0x58, 0x24, 0x0f, 0x04, 0x30, 0x3c, 0x39,
    0x76, 0x02, 0x04, 0x07, 0xeb, 0xd7, 0x61, 0x75, 0x6c, 0x61, 0x38, 0x36, 0x20, 0x74, 0x69, 0x6e,
    0x79, 0x20, 0x67, 0x75, 0x65, 0x73, 0x74, 0x2c, 0x20, 0x62, 0x6f, 0x6f, 0x74, 0x65, 0x64, 0x20,
    0x66, 0x72, 0x6f, 0x6d, 0x20, 0x64, 0x72, 0x69, 0x76, 0x65, 0x20, 0x00, 0x68, 0x0d, 0x0a, 0x00,
    0x63, 0x6f, 0x70, 0x69, 0x65, 0x64, 0x20, 0x74, 0x68, 0x65, 0x20, 0x62, 0x6f, 0x6f, 0x74, 0x20,
    0x73, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20, 0x74, 0x6f, 0x20, 0x73, 0x65, 0x63, 0x74, 0x6f, 0x72,
    0x20, 0x31, 0x0d, 0x0a, 0x00, 0x63, 0x6f, 0x75, 0x6c, 0x64, 0x20, 0x6e, 0x6f, 0x74, 0x20, 0x77,
    0x72, 0x69, 0x74, 0x65, 0x20, 0x73, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20, 0x31, 0x0d, 0x0a, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x55, 0xaa,
];

/// `nasm -f bin tests/guests/demo_triple.asm`: a boot sector that says so, then triple faults.
pub const DEMO_TRIPLE: [u8; 512] = [
    0x31, 0xc0, 0x8e, 0xd8, 0xbe, 0x24, 0x7c, 0xac, 0x84, 0xc0, 0x74, 0x09, 0xb4, 0x0e, 0xbb, 0x07,
    0x00, 0xcd, 0x10, 0xeb, 0xf2, 0x0f, 0x01, 0x1e, 0x1e, 0x7c, 0xcd, 0x03, 0xeb, 0xfe, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x61, 0x75, 0x6c, 0x61, 0x38, 0x36, 0x20, 0x63, 0x72, 0x61, 0x73, 0x68,
    0x20, 0x74, 0x65, 0x73, 0x74, 0x3a, 0x20, 0x6c, 0x6f, 0x61, 0x64, 0x69, 0x6e, 0x67, 0x20, 0x61,
    0x6e, 0x20, 0x65, 0x6d, 0x70, 0x74, 0x79, 0x20, 0x49, 0x44, 0x54, 0x2c, 0x20, 0x74, 0x68, 0x65,
    0x6e, 0x20, 0x49, 0x4e, 0x54, 0x20, 0x33, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x55, 0xaa,
];

/// What the page uses.
const MODEL: &str = "pentiumpro";
const MEM: f64 = 16.0 * 1048576.0;
const FLOPPY_BYTES: usize = 1_474_560;

/// A 1.44M floppy image starting with `boot`, zeros after it.
pub fn floppy(boot: &[u8]) -> Vec<u8> {
    let mut v = vec![0u8; FLOPPY_BYTES];
    v[..boot.len()].copy_from_slice(boot);
    v
}

/// The `code` property of the Error of a rejected call, and its message.
pub fn error_code<T>(r: Result<T, JsValue>) -> (String, String) {
    let Err(e) = r else {
        panic!("expected an error");
    };
    let code = prop(&e, "code").as_string().unwrap_or_default();
    (code, error_message::<()>(Err(e)))
}

/// Run in 10 ms slices of emulated time until the screen shows `want`; the screen text.
pub fn run_until_text(m: &mut Machine, want: &str) -> String {
    for _ in 0..300 {
        let until = m.now() + 10e6;
        let exit = m.run_for(2_000_000.0, Some(until)).expect("runFor");
        assert!(["budget", "time"].contains(&exit.as_str()), "{exit}");
        let text = m.screen_text();
        if text.contains(want) {
            return text;
        }
    }
    panic!("'{want}' never showed; the screen:\n{}", m.screen_text());
}

/// Run `ms` milliseconds of emulated time.
pub fn run_ms(m: &mut Machine, ms: f64) {
    let until = m.now() + ms * 1e6;
    while m.now() < until {
        let exit = m.run_for(5_000_000.0, Some(until)).expect("runFor");
        assert!(["budget", "time"].contains(&exit.as_str()), "{exit}");
    }
}

/// The text screen's rows, trailing empty rows dropped.
pub fn rows(text: &str) -> Vec<&str> {
    let mut v: Vec<&str> = text.lines().collect();
    while v.last() == Some(&"") {
        v.pop();
    }
    v
}

const TINY_HELLO: &str = "aula86 tiny guest, booted from drive 00h";
const TINY_WROTE: &str = "copied the boot sector to sector 1";

fn booted_tiny() -> Machine {
    let mut m = Machine::new(MEM, Some(MODEL.into()), None).expect("machine");
    let info = m
        .insert_disk("fda", floppy(&DEMO_TINY))
        .expect("insertDisk");
    assert_eq!(prop(&info, "slot").as_string().as_deref(), Some("fda"));
    assert_eq!(prop(&info, "modified").as_bool(), Some(false));
    run_until_text(&mut m, TINY_WROTE);
    m
}

/// The tiny floppy with sector 1 replaced by its boot sector, as the guest leaves it.
fn tiny_after_write() -> Vec<u8> {
    let mut want = floppy(&DEMO_TINY);
    want[512..1024].copy_from_slice(&DEMO_TINY);
    want
}

pub fn boots_a_floppy_that_writes_a_sector() {
    let mut m = Machine::new(MEM, Some(MODEL.into()), None).expect("machine");
    assert_eq!(m.model(), MODEL);
    assert!(m.disk_info("fda").expect("diskInfo").is_undefined());
    let info = m.insert_disk("a:", floppy(&DEMO_TINY)).expect("insertDisk");
    assert_eq!(prop(&info, "slot").as_string().as_deref(), Some("fda"));
    assert_eq!(
        prop(&info, "kind").as_string().as_deref(),
        Some("floppy disk")
    );
    assert_eq!(prop(&info, "format").as_string().as_deref(), Some("1.44M"));
    assert_eq!(num(&info, "bytes"), FLOPPY_BYTES as f64);
    assert_eq!(num(&info, "sectors"), 2880.0);
    assert_eq!(num(&info, "cylinders"), 80.0);
    assert_eq!(num(&info, "heads"), 2.0);
    assert_eq!(num(&info, "sectorsPerTrack"), 18.0);
    assert_eq!(prop(&info, "modified").as_bool(), Some(false));
    assert_eq!(prop(&info, "writable").as_bool(), Some(true));
    assert_eq!(prop(&info, "bootable").as_bool(), Some(true));
    assert!(!m.disk_modified("fda").expect("diskModified"));

    let text = run_until_text(&mut m, TINY_WROTE);
    assert_eq!(rows(&text), vec![TINY_HELLO, TINY_WROTE]);
    assert_eq!(m.video_mode(), "text 80x25");
    assert_eq!(m.mode(), "real");
    assert_eq!(m.cpl(), 0);
    assert_eq!(
        String::from_utf8_lossy(&m.take_serial()),
        format!("{TINY_HELLO}\r\n{TINY_WROTE}\r\n")
    );
    assert!(m.take_serial().is_empty(), "taken once");

    // The guest's write is in the image the page would save: sector 1 is now the boot sector.
    assert!(m.disk_modified("fda").expect("diskModified"));
    let info = m.disk_info("fda").expect("diskInfo");
    assert_eq!(prop(&info, "modified").as_bool(), Some(true));
    let got = m.disk_image("fda").expect("diskImage").expect("a disk");
    assert_eq!(got.len(), FLOPPY_BYTES);
    assert!(
        got == tiny_after_write(),
        "the image differs from the expected one"
    );
    assert!(m.disk_image("fdb").expect("diskImage").is_none());
    assert!(m.firmware_messages(None).expect("messages").is_empty());
}

pub fn frames_come_when_the_picture_changes() {
    let mut m = booted_tiny();
    let f = m.render_frame().expect("renderFrame");
    assert!(!f.is_undefined(), "a first frame");
    assert_eq!(num(&f, "width"), 720.0);
    assert_eq!(num(&f, "height"), 400.0);
    let rgba = js_sys::Uint8ClampedArray::from(prop(&f, "rgba")).to_vec();
    assert_eq!(rgba.len(), 720 * 400 * 4);
    // Opaque; black background; the text in light grey (attribute 07h), only on the first two
    // text rows (16 pixel lines each).
    assert!(rgba.chunks(4).all(|p| p[3] == 255));
    assert_eq!(&rgba[..4], &[0, 0, 0, 255]);
    let grey = |p: &[u8]| p[..3] == [0xAA, 0xAA, 0xAA];
    let lit_rows: Vec<usize> = (0..400)
        .filter(|y| rgba[y * 720 * 4..(y + 1) * 720 * 4].chunks(4).any(grey))
        .collect();
    assert!(!lit_rows.is_empty());
    assert!(lit_rows.iter().all(|&y| y < 48), "{lit_rows:?}");
    assert!(
        rgba.chunks(4).all(|p| grey(p) || p[..3] == [0, 0, 0]),
        "only black and grey"
    );
    // Nothing changed since: no frame. The current frame is the same picture.
    assert!(m.render_frame().expect("renderFrame").is_undefined());
    let c = m.current_frame().expect("currentFrame");
    assert_eq!(num(&c, "width"), 720.0);
    assert!(js_sys::Uint8ClampedArray::from(prop(&c, "rgba")).to_vec() == rgba);
    // A key the guest echoes changes the picture.
    m.key_event(0x1E as f64, true).expect("key");
    m.key_event(0x1E as f64, false).expect("key");
    run_ms(&mut m, 50.0);
    assert!(!m.render_frame().expect("renderFrame").is_undefined());
}

pub fn render_changes_gives_only_the_rows_that_changed() {
    let mut m = booted_tiny();
    // A first picture: all of it.
    let f = m.render_changes().expect("renderChanges");
    assert_eq!(
        (num(&f, "width"), num(&f, "height"), num(&f, "y")),
        (720.0, 400.0, 0.0)
    );
    let rgba = |f: &JsValue| js_sys::Uint8ClampedArray::from(prop(f, "rgba")).to_vec();
    assert_eq!(rgba(&f).len(), 720 * 400 * 4);
    let mut shown = rgba(&f);
    assert!(m.render_changes().expect("renderChanges").is_undefined());
    // The guest echoes a key on the third text row (pixel rows 32-47): only rows of it come.
    m.key_event(0x1E as f64, true).expect("key");
    m.key_event(0x1E as f64, false).expect("key");
    run_ms(&mut m, 50.0);
    let mut changes = 0;
    for _ in 0..20 {
        let f = m.render_changes().expect("renderChanges");
        if f.is_undefined() {
            // The cursor's blink: emulated time goes on in steps shorter than its phases.
            run_ms(&mut m, 60.0);
            continue;
        }
        changes += 1;
        let (y, part) = (num(&f, "y") as usize, rgba(&f));
        assert_eq!(part.len() % (720 * 4), 0);
        let end = y + part.len() / (720 * 4);
        assert!(end - y < 400, "part of the picture: rows {y}..{end}");
        shown[y * 720 * 4..end * 720 * 4].copy_from_slice(&part);
        // Drawn over the picture before, the rows give the picture as it is now.
        let now = m.current_frame().expect("currentFrame");
        assert!(
            rgba(&now) == shown,
            "rows {y}..{end} over the picture before"
        );
        if changes == 1 {
            assert!(32 <= y && end <= 48, "the echoed key's row: {y}..{end}");
        }
        if changes >= 3 {
            break;
        }
    }
    assert!(changes >= 3, "the echo and the cursor's blink ({changes})");
}

pub fn keys_and_text_reach_the_guest() {
    let mut m = booted_tiny();
    let _ = m.take_serial();
    // A raw key press and release: scan code 1Eh is A.
    m.key_event(0x1E as f64, true).expect("key down");
    m.key_event(0x1E as f64, false).expect("key up");
    run_ms(&mut m, 50.0);
    assert_eq!(rows(&m.screen_text()), vec![TINY_HELLO, TINY_WROTE, "a"]);
    // Shifted characters and Enter through typeText, at a typist's pace.
    m.type_text("B!\n").expect("typeText");
    assert!(m.typing_pending());
    for _ in 0..100 {
        if !m.typing_pending() {
            break;
        }
        run_ms(&mut m, 20.0);
    }
    assert!(!m.typing_pending());
    run_ms(&mut m, 50.0);
    assert_eq!(rows(&m.screen_text()), vec![TINY_HELLO, TINY_WROTE, "aB!"]);
    assert_eq!(String::from_utf8_lossy(&m.take_serial()), "aB!\r\n");
    // Extended keys are accepted (the guest prints nothing for them).
    m.key_event(0xE048 as f64, true).expect("arrow up");
    m.key_event(0xE048 as f64, false).expect("arrow up");
    m.key_event(0xE11D as f64, true).expect("pause");

    for bad in [
        0.0,
        0x80 as f64,
        0xE000 as f64,
        0xE080 as f64,
        0x1E0 as f64,
        -1.0,
        1.5,
    ] {
        let msg = error_message(m.key_event(bad, true));
        assert!(msg.contains("key code"), "{bad}: {msg}");
    }
    let msg = error_message(m.type_text("ok\u{e9}"));
    assert!(msg.contains("cannot type '\u{e9}'"), "{msg}");
    assert!(!m.typing_pending(), "nothing queued from a refused text");
    // The mouse takes events even when the guest has not turned it on.
    m.mouse_event(5, -3, 1, 0);
    run_ms(&mut m, 20.0);
}

pub fn bad_disks_are_errors_with_codes() {
    let mut m = Machine::new(MEM, Some(MODEL.into()), None).expect("machine");
    let (code, msg) = error_code(m.insert_disk("fda", Vec::new()));
    assert_eq!(code, "empty");
    assert!(msg.contains("empty"), "{msg}");
    let (code, msg) = error_code(m.insert_disk("fda", vec![0; 100 * 512]));
    assert_eq!(code, "not-floppy-size");
    assert!(
        msg.contains("51200 bytes is not the size of any floppy"),
        "{msg}"
    );
    assert!(msg.contains("hard disk"), "{msg}");
    let (code, msg) = error_code(m.insert_disk("hda", vec![1; 10 * 512 + 100]));
    assert_eq!(code, "truncated");
    assert!(msg.contains("truncated"), "{msg}");
    let mut zip = floppy(b"PK\x03\x04");
    zip[600] = 1;
    let (code, msg) = error_code(m.insert_disk("auto", zip));
    assert_eq!(code, "not-a-disk");
    assert!(msg.contains("ZIP"), "{msg}");
    let (code, msg) = error_code(m.insert_disk("cdrom", floppy(&DEMO_TINY)));
    assert_eq!(code, "not-iso");
    assert!(msg.contains("not an ISO CD image"), "{msg}");
    let (code, msg) = error_code(m.insert_disk("z:", floppy(&DEMO_TINY)));
    assert_eq!(code, "bad-slot");
    assert!(msg.contains("unknown drive slot 'z:'"), "{msg}");
    let (code, _) = error_code(m.disk_info("tape"));
    assert_eq!(code, "bad-slot");
    assert!(m.disk_info("cdrom").expect("diskInfo").is_undefined());
    assert!(!m.eject_disk("cdrom").expect("ejectDisk"));
    // Nothing went in.
    for slot in ["fda", "fdb", "hda", "hdb"] {
        assert!(
            m.disk_info(slot).expect("diskInfo").is_undefined(),
            "{slot}"
        );
    }

    // The wrong-sized floppy is fine as a hard disk, and "auto" puts it there too.
    let mut hd = vec![0u8; 100 * 512];
    hd[..512].copy_from_slice(&DEMO_TINY);
    let info = m.insert_disk("auto", hd.clone()).expect("auto");
    assert_eq!(prop(&info, "slot").as_string().as_deref(), Some("hda"));
    assert_eq!(
        prop(&info, "kind").as_string().as_deref(),
        Some("hard disk")
    );
    assert_eq!(prop(&info, "format").as_string().as_deref(), Some(""));
    assert_eq!(num(&info, "bytes"), 51200.0);
    assert!(m.eject_disk("hda").expect("eject"));
    assert!(!m.eject_disk("hda").expect("eject"));
    m.insert_disk("hda", hd).expect("hda");
    // It boots from C: after a reset (the BIOS counts hard disks at power-on).
    m.reset(None).expect("reset");
    let text = run_until_text(&mut m, TINY_WROTE);
    assert_eq!(
        rows(&text),
        vec!["aula86 tiny guest, booted from drive 80h", TINY_WROTE]
    );
    assert!(m.disk_modified("hda").expect("modified"));
    let img = m.disk_image("hda").expect("diskImage").expect("a disk");
    assert!(img[512..1024] == DEMO_TINY[..]);
}

pub fn reset_keeps_the_disks_and_their_writes() {
    let mut m = booted_tiny();
    assert!(m.disk_modified("fda").expect("modified"));
    m.reset(Some(946_684_800.0)).expect("reset");
    assert_eq!(num(&m.counters().expect("counters"), "instructions"), 0.0);
    assert_eq!(m.now(), 0.0);
    assert!(m.take_serial().is_empty());
    assert!(m.disk_modified("fda").expect("modified"), "still modified");
    assert!(m.disk_image("fda").expect("diskImage").expect("a disk") == tiny_after_write());
    let text = run_until_text(&mut m, TINY_WROTE);
    assert_eq!(rows(&text), vec![TINY_HELLO, TINY_WROTE]);
    let msg = error_message(m.reset(Some(-1.0)));
    assert!(msg.contains("rtcUnixSeconds"), "{msg}");
    let msg = error_message(Machine::new(MEM, None, Some(1.5)));
    assert!(msg.contains("rtcUnixSeconds"), "{msg}");
}

/// A 1.44M floppy whose boot sector's BPB counts 2^24 sectors (a 32-bit count, 8 GiB): the image
/// goes by its size. (Times 512, that count does not fit in wasm's 32-bit usize: the check once
/// multiplied there and overflowed.)
pub fn a_floppy_whose_bpb_counts_8_gib_goes_by_its_size() {
    let mut boot = vec![0u8; 512];
    boot[0] = 0xEB; // jmp short
    boot[11..13].copy_from_slice(&512u16.to_le_bytes()); // bytes a sector
    boot[13] = 1; // sectors a cluster
    boot[14..16].copy_from_slice(&1u16.to_le_bytes()); // reserved sectors
    boot[16] = 2; // FATs
    boot[21] = 0xF0; // media
    boot[24..26].copy_from_slice(&18u16.to_le_bytes()); // sectors a track
    boot[26..28].copy_from_slice(&2u16.to_le_bytes()); // heads
    boot[32..36].copy_from_slice(&(1u32 << 24).to_le_bytes()); // total sectors (32-bit)
    let mut m = Machine::new(MEM, Some(MODEL.into()), None).expect("machine");
    let info = m.insert_disk("fda", floppy(&boot)).expect("insertDisk");
    assert_eq!(prop(&info, "format").as_string().as_deref(), Some("1.44M"));
}

/// An image read in chunk by chunk (`ImageBuffer`) goes into a drive as the same disk as the
/// whole bytes would; `diskBytes` gives any range of what `diskImage` gives, a fixed VHD's
/// footer included; sizes over the limit and bad ranges are errors.
pub fn images_go_in_and_come_out_in_chunks() {
    // A fixed-size VHD of 2 MiB (its footer is kept apart from the disk, and saved with it).
    let mut vhd: Vec<u8> = (0..2u32 << 20).map(|i| (i * 7 + i / 509) as u8).collect();
    let mut footer = vec![0u8; 512];
    footer[..8].copy_from_slice(b"conectix");
    footer[0x3C..0x40].copy_from_slice(&2u32.to_be_bytes());
    vhd.extend_from_slice(&footer);
    let mut whole = Machine::new(MEM, Some(MODEL.into()), None).expect("machine");
    whole.insert_disk("hdb", vhd.clone()).expect("insertDisk");
    let mut chunked = Machine::new(MEM, Some(MODEL.into()), None).expect("machine");
    // Chunks of odd sizes, and a size hint below the real size: the buffer grows.
    let mut buffer = ImageBuffer::new(Some(1000.0)).expect("buffer");
    for piece in vhd.chunks(333_333) {
        buffer.append(&piece.into()).expect("append");
    }
    assert_eq!(buffer.length(), vhd.len() as f64);
    let info = chunked
        .insert_disk_buffer("hdb", buffer)
        .expect("insertDiskBuffer");
    assert_eq!(prop(&info, "bytes").as_f64(), Some(vhd.len() as f64));
    let saved = chunked
        .disk_image("hdb")
        .expect("diskImage")
        .expect("a disk");
    assert!(
        saved == vhd,
        "the disk read in chunks saves as the file it was"
    );
    assert!(saved == whole.disk_image("hdb").unwrap().unwrap());
    // Ranges: inside the disk, across the disk's end into the footer, past the end, empty.
    let n = vhd.len();
    for (at, len) in [
        (0, 4096),
        (12345, 1),
        (n - 600, 1000),
        (n - 512, 512),
        (n, 10),
        (n + 5, 3),
        (7, 0),
    ] {
        let got = chunked
            .disk_bytes("hdb", at as f64, len as f64)
            .expect("diskBytes")
            .to_vec();
        let want = &vhd[at.min(n)..(at + len).min(n)];
        assert!(got == want, "diskBytes({at}, {len}): {} bytes", got.len());
    }
    // A CD's bytes come out the same way.
    let mut iso = vec![0u8; 40 * 2048];
    iso[16 * 2048 + 1..16 * 2048 + 6].copy_from_slice(b"CD001");
    iso[40 * 2048 - 1] = 0x5A;
    let mut cd = ImageBuffer::new(None).expect("buffer");
    cd.append(&iso[..].into()).expect("append");
    chunked.insert_disk_buffer("cdrom", cd).expect("a CD");
    assert_eq!(
        chunked
            .disk_bytes("cdrom", (40 * 2048 - 2) as f64, 4.0)
            .unwrap()
            .to_vec(),
        vec![0, 0x5A]
    );
    // Refused: a size over the limit (before any memory is taken), bad numbers, empty drives,
    // and a bad image, whose buffer the drive then does not keep.
    let (code, msg) = error_code(ImageBuffer::new(Some((MAX_IMAGE_BYTES + 1) as f64)));
    assert_eq!(code, "too-large", "{msg}");
    assert!(msg.contains("1024 MiB"), "{msg}");
    assert!(error_message(ImageBuffer::new(Some(-1.0))).contains("number of bytes"));
    assert!(error_message(chunked.disk_bytes("hdb", 0.5, 1.0)).contains("whole"));
    assert!(error_message(chunked.disk_bytes("fdb", 0.0, 1.0)).contains("empty"));
    assert!(error_message(whole.disk_bytes("cdrom", 0.0, 1.0)).contains("empty"));
    let mut zip = ImageBuffer::new(None).expect("buffer");
    zip.append(&b"PK\x03\x04 and then some"[..].into())
        .expect("append");
    let (code, _) = error_code(chunked.insert_disk_buffer("hda", zip));
    assert_eq!(code, "not-a-disk");
    assert!(chunked.disk_info("hda").unwrap().is_undefined());
}

/// `nasm -f bin tests/guests/copy_from_top.asm` (scripts/test checks the bytes against it),
/// loaded at 1000:0000 and entered in real mode: into 32-bit protected mode with flat 4 GiB
/// segments, then REP MOVSD of the top 4 KiB of the address space (the BIOS seen below 4 GiB) to
/// 20000h, "ok" to port E9h, HLT.
const COPY_FROM_TOP: [u8; 94] = [
    0xfa, 0x2e, 0x0f, 0x01, 0x16, 0x58, 0x00, 0x0f, 0x20, 0xc0, 0x0c, 0x01, 0x0f, 0x22, 0xc0, 0x66,
    0xea, 0x17, 0x00, 0x01, 0x00, 0x08, 0x00, 0x66, 0xb8, 0x10, 0x00, 0x8e, 0xd8, 0x8e, 0xc0, 0xbe,
    0x00, 0xf0, 0xff, 0xff, 0xbf, 0x00, 0x00, 0x02, 0x00, 0xb9, 0x00, 0x04, 0x00, 0x00, 0xfc, 0xf3,
    0xa5, 0xb0, 0x6f, 0xe6, 0xe9, 0xb0, 0x6b, 0xe6, 0xe9, 0xf4, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x9a, 0xcf, 0x00,
    0xff, 0xff, 0x00, 0x00, 0x00, 0x92, 0xcf, 0x00, 0x17, 0x00, 0x40, 0x00, 0x01, 0x00,
];

/// Addresses near 4 GiB, whose end does not fit in wasm's 32-bit usize: a string copy from the
/// top of the address space, and a load there from the host. (Both panicked in wasm once: a
/// range check that wrapped passed; SeaBIOS without a VGA BIOS did the copy.)
pub fn accesses_near_4_gib_are_checked_in_64_bits() {
    let mut m = Machine::new(MEM, Some(MODEL.into()), None).expect("machine");
    m.load(0x10000 as f64, &COPY_FROM_TOP).expect("load");
    m.set_reg("cs", 0x1000 as f64).expect("cs");
    m.set_reg("eip", 0.0).expect("eip");
    assert_eq!(m.run(100_000.0).expect("run"), "halted");
    assert_eq!(m.debug_output(None).expect("out"), "ok");
    let top = m.read_mem(0xFFFF_F000u32 as f64, 4096.0).expect("read");
    assert!(top[0xFF0..] != [0; 16], "the BIOS's reset vector is there");
    assert!(
        m.read_mem(0x20000 as f64, 4096.0).expect("read") == top,
        "copied"
    );
    let msg = error_message(m.load(0xFFFF_FFF0u32 as f64, &[0; 32]));
    assert!(msg.contains("do not fit"), "{msg}");
    assert_eq!(
        m.run(10.0).expect("run"),
        "halted",
        "the machine is still usable"
    );
}

/// A 64 KiB system BIOS whose reset vector (F000:FFF0) writes "ok" to port E9h and halts.
fn tiny_rom() -> Vec<u8> {
    let mut rom = vec![0xF4; 0x10000];
    // mov al, 'o'; out 0E9h, al; mov al, 'k'; out 0E9h, al; cli; hlt
    let code = [0xB0, b'o', 0xE6, 0xE9, 0xB0, b'k', 0xE6, 0xE9, 0xFA, 0xF4];
    rom[0xFFF0..0xFFF0 + code.len()].copy_from_slice(&code);
    rom
}

pub fn set_firmware_powers_on_other_firmware_with_the_same_disks() {
    let mut m = booted_tiny();
    let disk = m.disk_image("fda").expect("diskImage").expect("a disk");
    m.set_firmware(Some(tiny_rom()), None, None)
        .expect("setFirmware");
    assert!(!m.builtin_bios());
    assert_eq!(
        num(&m.counters().expect("counters"), "instructions"),
        0.0,
        "powered on again"
    );
    assert_eq!(m.run(1000.0).expect("run"), "halted");
    assert_eq!(
        m.debug_output(None).expect("out"),
        "ok",
        "the new firmware ran"
    );
    assert!(
        m.disk_image("fda").expect("diskImage").expect("a disk") == disk,
        "the disk stayed"
    );
    // Firmware that cannot be used: an error, and the machine as it was.
    let msg = error_message(m.set_firmware(Some(vec![0; 1000]), None, None));
    assert!(!msg.is_empty());
    let msg = error_message(m.set_firmware(None, Some(vec![0x55, 0xAA, 1]), None));
    assert!(msg.contains("goes with a system BIOS"), "{msg}");
    assert!(!m.builtin_bios());
    assert_eq!(m.debug_output(None).expect("out"), "ok");
    // Back to the built-in BIOS, which boots the disk.
    m.set_firmware(None, None, None).expect("setFirmware");
    assert!(m.builtin_bios());
    let text = run_until_text(&mut m, TINY_WROTE);
    assert_eq!(rows(&text), vec![TINY_HELLO, TINY_WROTE]);
}

pub fn a_triple_fault_stops_the_machine() {
    let mut m = Machine::new(MEM, Some(MODEL.into()), None).expect("machine");
    m.insert_disk("fda", floppy(&DEMO_TRIPLE))
        .expect("insertDisk");
    let mut exit = String::new();
    for _ in 0..100 {
        let until = m.now() + 10e6;
        exit = m.run_for(1_000_000.0, Some(until)).expect("runFor");
        if exit != "budget" && exit != "time" {
            break;
        }
    }
    assert_eq!(exit, "shutdown");
    assert_eq!(m.triple_faults(), 1.0);
    assert_eq!(
        rows(&m.screen_text()),
        vec!["aula86 crash test: loading an empty IDT, then INT 3"]
    );
    // Reset brings it back (and it crashes again, the same way).
    m.reset(None).expect("reset");
    assert_eq!(m.triple_faults(), 0.0);
    assert_eq!(m.run_for(10_000_000.0, None).expect("runFor"), "shutdown");
}

pub fn time_is_paced_and_no_disk_is_reported() {
    let mut m = Machine::new(MEM, Some(MODEL.into()), None).expect("machine");
    assert_eq!(m.now(), 0.0);
    // Nothing to boot: the BIOS says so and waits for a key; time goes on to the limit.
    run_ms(&mut m, 500.0);
    let msgs = m.firmware_messages(None).expect("messages");
    assert!(
        msgs.iter().any(|s| s.contains("No bootable disk")),
        "{msgs:?}"
    );
    assert!(m.screen_text().contains("No bootable disk"));
    let until = m.now() + 20e6;
    assert_eq!(m.run_for(1e9, Some(until)).expect("runFor"), "time");
    assert_eq!(m.now(), until);
    assert!(m
        .firmware_messages(Some(99.0))
        .expect("messages")
        .is_empty());
    let msg = error_message(m.run_for(10.0, Some(-5.0)));
    assert!(msg.contains("untilNs"), "{msg}");
    let msg = error_message(m.run_for(-1.0, None));
    assert!(msg.contains("instruction count"), "{msg}");
}

/// Bytes per CD sector.
const CD_SECTOR: usize = 2048;

/// A hand-assembled El Torito no-emulation boot image (loaded at 07C0:0000): it prints
/// `CD_HELLO` on the screen and COM1 when it was booted as drive E0h, else "wrong boot drive",
/// then waits with interrupts on.
#[rustfmt::skip]
const CD_GUEST: &[u8] = &[
    0x0E,                   // push cs
    0x1F,                   // pop ds
    0xBE, 0x23, 0x00,       // mov si,msg (23h)
    0x80, 0xFA, 0xE0,       // cmp dl,0E0h
    0x74, 0x03,             // je next
    0xBE, 0x4C, 0x00,       // mov si,bad (4Ch)
    0xAC,                   // next: lodsb
    0x84, 0xC0,             // test al,al
    0x74, 0x0D,             // jz done
    0xB4, 0x0E,             // mov ah,0Eh
    0xBB, 0x07, 0x00,       // mov bx,7
    0xCD, 0x10,             // int 10h
    0xBA, 0xF8, 0x03,       // mov dx,3F8h
    0xEE,                   // out dx,al
    0xEB, 0xEE,             // jmp next
    0xFB,                   // done: sti
    0xF4,                   // hlt
    0xEB, 0xFC,             // jmp done
];
const CD_HELLO: &str = "aula86 CD guest, booted from drive E0h";

/// An ISO 9660 image of `sectors` sectors: primary volume descriptor at 16, terminator at 18.
/// With `boot`, an El Torito boot record at 17, the boot catalog at 19 and `CD_GUEST` as a
/// no-emulation boot image (four 512-byte sectors) at 20.
pub fn iso(sectors: usize, boot: bool) -> Vec<u8> {
    let mut v = vec![0u8; sectors * CD_SECTOR];
    let pvd = 16 * CD_SECTOR;
    v[pvd] = 1;
    v[pvd + 1..pvd + 7].copy_from_slice(b"CD001\x01");
    let term = 18 * CD_SECTOR;
    v[term] = 0xFF;
    v[term + 1..term + 7].copy_from_slice(b"CD001\x01");
    if !boot {
        return v;
    }
    let br = 17 * CD_SECTOR;
    v[br + 1..br + 7].copy_from_slice(b"CD001\x01");
    v[br + 7..br + 30].copy_from_slice(b"EL TORITO SPECIFICATION");
    v[br + 0x47..br + 0x4B].copy_from_slice(&19u32.to_le_bytes());
    let c = 19 * CD_SECTOR;
    v[c] = 1; // validation entry: header ID
    v[c + 4..c + 10].copy_from_slice(b"AULA86");
    v[c + 0x1E] = 0x55;
    v[c + 0x1F] = 0xAA;
    let sum = v[c..c + 32].chunks_exact(2).fold(0u16, |a, w| {
        a.wrapping_add(u16::from_le_bytes([w[0], w[1]]))
    });
    v[c + 0x1C..c + 0x1E].copy_from_slice(&sum.wrapping_neg().to_le_bytes());
    v[c + 32] = 0x88; // bootable, no emulation, load segment 0 (07C0h)
    v[c + 38..c + 40].copy_from_slice(&4u16.to_le_bytes());
    v[c + 40..c + 44].copy_from_slice(&20u32.to_le_bytes());
    let g = 20 * CD_SECTOR;
    let mut guest = CD_GUEST.to_vec();
    guest.extend_from_slice(CD_HELLO.as_bytes());
    guest.extend_from_slice(b"\r\n\0wrong boot drive\r\n\0");
    v[g..g + guest.len()].copy_from_slice(&guest);
    v
}

pub fn boots_an_iso_from_the_cd_drive() {
    let mut m = Machine::new(MEM, Some(MODEL.into()), None).expect("machine");
    assert!(m.disk_info("cdrom").expect("diskInfo").is_undefined());
    let disc = iso(24, true);
    let info = m.insert_disk("cdrom", disc.clone()).expect("insertDisk");
    assert_eq!(prop(&info, "slot").as_string().as_deref(), Some("cdrom"));
    assert_eq!(prop(&info, "kind").as_string().as_deref(), Some("CD-ROM"));
    assert_eq!(
        prop(&info, "format").as_string().as_deref(),
        Some("ISO 9660")
    );
    assert_eq!(num(&info, "bytes"), (24 * CD_SECTOR) as f64);
    assert_eq!(num(&info, "sectors"), 24.0);
    assert_eq!(prop(&info, "bootable").as_bool(), Some(true));
    assert_eq!(prop(&info, "writable").as_bool(), Some(false));
    // No floppy, no hard disk: the BIOS boots the CD by El Torito, as drive E0h.
    let text = run_until_text(&mut m, CD_HELLO);
    assert_eq!(rows(&text), vec![CD_HELLO]);
    assert_eq!(
        String::from_utf8_lossy(&m.take_serial()),
        format!("{CD_HELLO}\r\n")
    );
    assert_eq!(m.mode(), "real");
    // The disc stays in across a power cycle, and boots again.
    m.reset(None).expect("reset");
    assert_eq!(num(&m.counters().expect("counters"), "instructions"), 0.0);
    let text = run_until_text(&mut m, CD_HELLO);
    assert_eq!(rows(&text), vec![CD_HELLO]);
    assert!(m.disk_image("cdrom").expect("diskImage").expect("a disc") == disc);
    assert!(!m.disk_modified("cdrom").expect("modified"));
    // A floppy is booted before the CD.
    m.insert_disk("fda", floppy(&DEMO_TINY)).expect("fda");
    m.reset(None).expect("reset");
    run_until_text(&mut m, TINY_WROTE);
    assert!(m.eject_disk("fda").expect("eject"));
    // Eject: the drive is empty, and nothing boots.
    assert!(m.eject_disk("cdrom").expect("eject"));
    assert!(!m.eject_disk("cdrom").expect("eject"));
    assert!(m.disk_info("cdrom").expect("diskInfo").is_undefined());
    assert!(m.disk_image("cdrom").expect("diskImage").is_none());
    m.reset(None).expect("reset");
    run_until_text(&mut m, "No bootable disk");
    // "auto" knows an ISO image by its volume descriptor.
    let info = m.insert_disk("auto", disc).expect("auto");
    assert_eq!(prop(&info, "slot").as_string().as_deref(), Some("cdrom"));
    m.reset(None).expect("reset");
    run_until_text(&mut m, CD_HELLO);
}

pub fn bad_cds_are_errors_with_codes() {
    let mut m = Machine::new(MEM, Some(MODEL.into()), None).expect("machine");
    let (code, msg) = error_code(m.insert_disk("cdrom", Vec::new()));
    assert_eq!(code, "empty");
    assert!(msg.contains("empty"), "{msg}");
    let (code, msg) = error_code(m.insert_disk("cd", b"just some text\n".to_vec()));
    assert_eq!(code, "truncated");
    assert!(msg.contains("2048-byte"), "{msg}");
    let (code, msg) = error_code(m.insert_disk("cdrom", vec![0; 4 * CD_SECTOR]));
    assert_eq!(code, "not-iso");
    assert!(msg.contains("too small"), "{msg}");
    // A floppy image is a whole number of CD sectors, but no ISO volume.
    let (code, msg) = error_code(m.insert_disk("cdrom", floppy(&DEMO_TINY)));
    assert_eq!(code, "not-iso");
    assert!(msg.contains("CD001"), "{msg}");
    assert!(m.disk_info("cdrom").expect("diskInfo").is_undefined());
    // A data CD with no boot record goes in; it does not boot, and says why.
    let info = m.insert_disk("cdrom", iso(20, false)).expect("data CD");
    assert_eq!(prop(&info, "bootable").as_bool(), Some(false));
    let notes: Vec<String> = js_sys::Array::from(&prop(&info, "notes"))
        .iter()
        .filter_map(|n| n.as_string())
        .collect();
    assert!(notes.iter().any(|n| n.contains("El Torito")), "{notes:?}");
    run_until_text(&mut m, "No bootable disk");
    let msgs = m.firmware_messages(None).expect("messages");
    assert!(msgs.iter().any(|s| s.contains("El Torito")), "{msgs:?}");
}

/// `cli; jmp $` at 1000:0000: busy, with no interrupts.
const SPIN: [u8; 3] = [0xFA, 0xEB, 0xFE];

/// Instructions a paced run (`runFor` to an emulated time) executes in `ms` ms of a busy guest.
fn busy_instructions(m: &mut Machine, ms: f64) -> f64 {
    let before = num(&m.counters().expect("counters"), "instructions");
    run_ms(m, ms);
    num(&m.counters().expect("counters"), "instructions") - before
}

pub fn set_mips_paces_instructions_to_emulated_time() {
    let mut m = Machine::new(MEM, Some(MODEL.into()), None).expect("machine");
    m.load(0x10000 as f64, &SPIN).expect("load");
    m.set_reg("cs", 0x1000 as f64).expect("cs");
    m.set_reg("eip", 0.0).expect("eip");
    // The default clock: 50 million instructions a second of emulated time.
    assert_eq!(m.mips(), 50.0);
    let n = busy_instructions(&mut m, 10.0);
    assert!((499_000.0..=501_000.0).contains(&n), "{n}");
    // 1 MIPS: a microsecond an instruction; emulated time runs on as it did.
    let t = m.now();
    m.set_mips(1.0).expect("setMips");
    assert_eq!(m.now(), t, "emulated time so far is kept");
    assert_eq!(m.mips(), 1.0);
    let n = busy_instructions(&mut m, 100.0);
    assert!((99_000.0..=101_000.0).contains(&n), "{n}");
    m.set_mips(0.1).expect("setMips");
    let n = busy_instructions(&mut m, 100.0);
    assert!((9_900.0..=10_100.0).contains(&n), "{n}");
    // Kept across a power cycle; 0 goes back to the default.
    m.reset(None).expect("reset");
    assert!((m.mips() - 0.1).abs() < 1e-9, "{}", m.mips());
    m.set_mips(0.0).expect("setMips");
    assert_eq!(m.mips(), 50.0);
    for bad in [-1.0, 0.0001, 1e6, f64::NAN, f64::INFINITY] {
        let msg = error_message(m.set_mips(bad));
        assert!(msg.contains("mips must be"), "{bad}: {msg}");
    }
    assert_eq!(m.mips(), 50.0);
}

/// A slice of the 80286 real-mode vectors (paths relative to this file: the repository's
/// `shared/` sits beside the checkout). Each file holds 300 tests.
macro_rules! vector_file {
    ($base:literal) => {
        (
            $base,
            include_bytes!(concat!(
                "../../../../../shared/vectors/80286-real/",
                $base,
                ".json.gz"
            )) as &[u8],
        )
    };
}

pub const VECTORS: [(&str, &[u8]); 10] = [
    vector_file!("00"),
    vector_file!("27"),
    vector_file!("6D"),
    vector_file!("A5"),
    vector_file!("A7"),
    vector_file!("C1.4"),
    vector_file!("CF"),
    vector_file!("D3.5"),
    vector_file!("F6.7"),
    vector_file!("F7.6"),
];

const INDEX_JSON: &str = include_str!("../../../../../shared/vectors/80286-real/index.json");

/// A property of a plain JavaScript object.
pub fn prop(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).expect("object property")
}

pub fn num(obj: &JsValue, key: &str) -> f64 {
    prop(obj, key)
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number"))
}

/// `globalThis.a.b...` as a string, if it is one.
pub fn global_string(path: &[&str]) -> Option<String> {
    let mut v: JsValue = js_sys::global().into();
    for key in path {
        if v.is_undefined() || v.is_null() {
            return None;
        }
        v = js_sys::Reflect::get(&v, &JsValue::from_str(key)).ok()?;
    }
    v.as_string()
}

/// The Error message of a rejected call, checked to be a real JavaScript Error.
pub fn error_message<T>(r: Result<T, JsValue>) -> String {
    let Err(e) = r else {
        panic!("expected an error");
    };
    let e = e
        .dyn_into::<js_sys::Error>()
        .expect("the error is a JavaScript Error");
    String::from(e.message())
}

fn machine_with_hi() -> Machine {
    let mut m = Machine::new(1048576.0, Some("286".into()), None).expect("machine");
    m.load(0x10000 as f64, &HI).expect("load");
    m.set_reg("cs", 0x1000 as f64).expect("cs");
    m.set_reg("ip", 0.0).expect("ip");
    m
}

pub fn hi_program() {
    let mut m = machine_with_hi();
    assert_eq!(m.model(), "286");
    assert_eq!(m.mem_bytes(), 1048576.0);
    assert_eq!(m.mode(), "real");
    assert_eq!(m.cpl(), 0);
    assert_eq!(m.run(1000.0).expect("run"), "halted");
    assert_eq!(m.debug_output(None).expect("out"), "hi");
    assert_eq!(m.debug_output(Some(1.0)).expect("out"), "i");
    assert_eq!(m.debug_output(Some(99.0)).expect("out"), "");
    assert_eq!(m.debug_output_length(), 2.0);
    assert_eq!(m.get_reg("ax").expect("ax"), 0x0069);
    assert_eq!(m.get_reg("al").expect("al"), 0x69);
    assert_eq!(m.get_reg("cx").expect("cx"), 0);
    assert_eq!(m.get_reg("si").expect("si"), 0x000F);
    assert_eq!(m.get_reg("ip").expect("ip"), 0x000D);
    assert_eq!(m.get_reg("cs").expect("cs"), 0x1000);
    assert_eq!(m.get_reg("flags").expect("flags"), 0x0002);
    let c = m.counters().expect("counters");
    assert!(!c.is_instance_of::<js_sys::Map>(), "a plain object");
    // mov, mov, 2 x (lodsb, out, loop), hlt. Decoded as three blocks: [mov mov lodsb out]
    // (OUT ends a block), [loop lodsb out] (a backward LOOP is followed as taken) and [hlt]:
    // eight instructions decoded; the second pass through [loop lodsb out] runs its LOOP from
    // the cache, which falls through and stops the block.
    assert_eq!(num(&c, "instructions"), 9.0);
    assert_eq!(num(&c, "exceptions"), 0.0);
    assert_eq!(num(&c, "invalidOpcodes"), 0.0);
    assert_eq!(num(&c, "interrupts"), 0.0);
    assert_eq!(num(&c, "cacheMisses"), 8.0);
    assert_eq!(num(&c, "cacheHits"), 1.0);
    // Halted stays halted; a zero budget is not an error.
    assert_eq!(m.run(1000.0).expect("run"), "halted");
    assert_eq!(num(&m.counters().expect("counters"), "instructions"), 9.0);
    assert_eq!(
        m.read_mem(0x1000D as f64, 2.0).expect("read"),
        b"hi".to_vec()
    );
    // Past the end of RAM is not an error (what reads there is the board's business).
    assert_eq!(m.read_mem(0x200000 as f64, 2.0).expect("read").len(), 2);
}

/// The instruction cases (`benchCaseNames`, `benchCase`) run in this build as `aula86 bench
/// --case` runs them: loaded at 10000h, entered at 1000:0000, in protected mode with paging after
/// their set-up, looping without a fault. An unknown name is an error.
pub fn bench_cases_run() {
    let names: Vec<String> = bench_case_names()
        .iter()
        .filter_map(|n| n.as_string())
        .collect();
    assert!(names.len() >= 18, "cases: {names:?}");
    assert!(names.iter().any(|n| n == "mov-rr") && names.iter().any(|n| n == "jcc-taken"));
    for name in ["mov-rr", "call-ret", "jcc-taken"] {
        let mut m = Machine::new(1048576.0, Some("pentiumpro".into()), None).expect("machine");
        m.load(0x10000 as f64, &bench_case(name).expect(name))
            .expect("load");
        m.set_reg("cs", 0x1000 as f64).expect("cs");
        m.set_reg("eip", 0.0).expect("eip");
        assert_eq!(m.run(200_000.0).expect("run"), "budget", "{name}");
        assert_eq!(m.mode(), "protected+paging", "{name}");
        let c = m.counters().expect("counters");
        assert_eq!(num(&c, "exceptions"), 0.0, "{name}");
        // Balanced: as set, or one CALL ahead of its RET when the budget ended between them.
        let esp = m.get_reg("esp").expect("esp");
        assert!(
            esp == 0x2FFFC || esp == 0x2FFF8,
            "{name}: stack not balanced (ESP {esp:#x})"
        );
    }
    assert!(bench_case("no-such-case").is_err());
}

pub fn registers_round_trip() {
    let mut m = Machine::new(1048576.0, None, None).expect("machine");
    assert_eq!(m.model(), "286");
    m.set_reg("eax", 0x1234_5678 as f64).expect("eax");
    assert_eq!(m.get_reg("ah").expect("ah"), 0x56);
    m.set_reg("al", 0xAB as f64).expect("al");
    assert_eq!(m.get_reg("ax").expect("ax"), 0x56AB);
    m.set_reg("ds", 0x2000 as f64).expect("ds");
    assert_eq!(m.get_reg("ds").expect("ds"), 0x2000);
    let names = register_names();
    assert_eq!(names.length(), 42);
    for n in names.iter() {
        let n = n.as_string().expect("a string");
        m.get_reg(&n).unwrap_or_else(|_| panic!("getReg({n})"));
    }
    assert!(!version().is_empty());
}

pub fn reset_power_cycles() {
    let mut m = machine_with_hi();
    assert_eq!(m.run(1000.0).expect("run"), "halted");
    m.reset(None).expect("reset");
    assert_eq!(m.debug_output(None).expect("out"), "");
    assert_eq!(num(&m.counters().expect("counters"), "instructions"), 0.0);
    assert_eq!(m.get_reg("cs").expect("cs"), 0xF000);
    assert_eq!(m.get_reg("ip").expect("ip"), 0xFFF0);
    assert_eq!(m.read_mem(0x10000 as f64, 4.0).expect("read"), vec![0; 4]);
    assert_eq!(m.mem_bytes(), 1048576.0);
    // Runs again from scratch after loading again.
    m.load(0x10000 as f64, &HI).expect("load");
    m.set_reg("cs", 0x1000 as f64).expect("cs");
    m.set_reg("ip", 0.0).expect("ip");
    assert_eq!(m.run(5.0).expect("run"), "budget");
    assert_eq!(m.run(1000.0).expect("run"), "halted");
    assert_eq!(m.debug_output(None).expect("out"), "hi");
}

/// A machine on guest memory cleared in pieces (`GuestRam`, `Machine.onRam`: the page's way of
/// making a large machine without a long task) runs as one made by the constructor.
pub fn a_machine_on_ram_cleared_in_pieces() {
    let size = 4.0 * 1048576.0;
    let mut ram = GuestRam::new(size).expect("room");
    assert!(!ram.ready());
    let mut pieces = 1;
    while !ram.fill(1_000_000.0).expect("fill") {
        pieces += 1;
    }
    assert_eq!(pieces, 5, "4 MiB in pieces of a million bytes");
    assert!(ram.ready());
    let mut m = Machine::on_ram(ram, Some(MODEL.into()), None).expect("machine");
    assert_eq!(m.mem_bytes(), size);
    let mut new = Machine::new(size, Some(MODEL.into()), None).expect("machine");
    m.load(0x10000 as f64, &HI).expect("load");
    new.load(0x10000 as f64, &HI).expect("load");
    for x in [&mut m, &mut new] {
        x.set_reg("cs", 0x1000 as f64).expect("cs");
        x.set_reg("ip", 0.0).expect("ip");
        assert_eq!(x.run(1000.0).expect("run"), "halted");
    }
    assert_eq!(m.debug_output(None).expect("out"), "hi");
    let low = |x: &mut Machine| x.read_mem(0.0, 1048576.0).expect("read");
    assert!(low(&mut m) == low(&mut new), "the same first megabyte");
    // Memory not all cleared yet is refused, and so is a size over the limit.
    let mut part = GuestRam::new(size).expect("room");
    part.fill(1.0).expect("fill");
    let msg = error_message(Machine::on_ram(part, None, None));
    assert!(msg.contains("not ready"), "{msg}");
    let msg = error_message(GuestRam::new((MAX_MEM_BYTES + 1) as f64));
    assert!(msg.contains("at most 2047 MiB"), "{msg}");
    let msg = error_message(GuestRam::new(-1.0));
    assert!(msg.contains("memBytes"), "{msg}");
}

pub fn bad_inputs_are_errors() {
    let msg = error_message(Machine::new(65536.0, None, None));
    assert!(msg.contains("memory size"), "{msg}");
    let msg = error_message(Machine::new(-1.0, None, None));
    assert!(msg.contains("memBytes must be a whole number"), "{msg}");
    let msg = error_message(Machine::new(f64::NAN, None, None));
    assert!(msg.contains("memBytes"), "{msg}");
    let msg = error_message(Machine::new(1048576.5, None, None));
    assert!(msg.contains("memBytes"), "{msg}");
    let msg = error_message(Machine::new(1048576.0, Some("z80".into()), None));
    assert!(msg.contains("unknown CPU model 'z80'"), "{msg}");

    let mut m = Machine::new(1048576.0, None, None).expect("machine");
    let msg = error_message(m.load(0xFFFF0 as f64, &[0; 32]));
    assert!(msg.contains("do not fit"), "{msg}");
    let msg = error_message(m.load(-16.0, &[0; 1]));
    assert!(msg.contains("addr"), "{msg}");
    let msg = error_message(m.set_reg("xyz", 1.0));
    assert!(msg.contains("unknown register 'xyz'"), "{msg}");
    let msg = error_message(m.get_reg("xyz"));
    assert!(msg.contains("unknown register 'xyz'"), "{msg}");
    let msg = error_message(m.set_reg("ax", -1.0));
    assert!(msg.contains("register value"), "{msg}");
    let msg = error_message(m.set_reg("eax", 4294967296.0));
    assert!(msg.contains("register value"), "{msg}");
    let msg = error_message(m.run(-5.0));
    assert!(msg.contains("instruction count"), "{msg}");
    let msg = error_message(m.run(1.5));
    assert!(msg.contains("instruction count"), "{msg}");
    let msg = error_message(m.read_mem(0.0, 1048577.0));
    assert!(msg.contains("larger than"), "{msg}");
    let msg = error_message(m.debug_output(Some(-1.0)));
    assert!(msg.contains("start"), "{msg}");
    let msg = error_message(run_vector_file("00", b"not gzip", 0xFFFF as f64));
    assert!(msg.contains("not a gzip file"), "{msg}");
    let msg = error_message(run_vector_file("00", VECTORS[0].1, 70000.0));
    assert!(msg.contains("flagsMask"), "{msg}");
    // The machine is still usable after all that.
    assert_eq!(m.run(1.0).expect("run"), "budget");
}

fn masks() -> HashMap<String, u16> {
    conformance::parse_index(INDEX_JSON).expect("index.json")
}

/// Run one vector file through `runVectorFile` and require every test to pass.
pub fn vector_file(base: &str) {
    let (_, gz) = VECTORS
        .iter()
        .find(|(b, _)| *b == base)
        .expect("a listed vector file");
    let mask = *masks().get(base).expect("file in index.json");
    let rep = run_vector_file(base, gz, mask as f64).expect("runVectorFile");
    assert_eq!(prop(&rep, "base").as_string().as_deref(), Some(base));
    let failures = js_sys::Array::from(&prop(&rep, "failures"));
    let first: Vec<String> = failures
        .iter()
        .take(5)
        .filter_map(|f| f.as_string())
        .collect();
    assert_eq!(num(&rep, "failed"), 0.0, "{base}: {first:?}");
    assert_eq!(failures.length(), 0);
    assert_eq!(num(&rep, "passed"), 300.0, "{base}");
    assert_eq!(num(&rep, "skipped"), 0.0, "{base}");
}

/// `www/lessons/5_monitor.img` (tests/guests/lessons/5_monitor.asm): the trap-and-emulate lesson.
const LESSON5: &[u8] = include_bytes!("../../../../www/lessons/5_monitor.img");

/// Lesson 5 counted from its `main` (0000:7E00, reached through a breakpoint): the exact class
/// counts, holes and timeline that `crates/pc/tests/lessons.rs` asserts natively, and the
/// debugger's view (registers, disassembly, a step).
pub fn lesson5_counts_are_exact() {
    let mut m = Machine::new(16.0 * 1048576.0, Some("pentiumpro".into()), None).expect("machine");
    m.insert_disk("fda", floppy(LESSON5)).expect("insert");
    m.set_breakpoints(vec![0x7E00 as f64]).expect("breakpoints");
    let mut exit = String::new();
    for _ in 0..100 {
        exit = m.run_for(1_000_000.0, None).expect("runFor");
        if exit != "budget" {
            break;
        }
    }
    assert_eq!(exit, "breakpoint");
    let regs = m.registers().expect("registers");
    assert_eq!(num(&regs, "linear"), 0x7E00 as f64);
    assert_eq!(prop(&regs, "mode").as_string().as_deref(), Some("real"));
    let lines = m.disassemble(2.0, None).expect("disassemble");
    let first = js_sys::Array::from(&lines).get(0);
    assert_eq!(
        prop(&first, "text").as_string().as_deref(),
        Some("call 8245h"),
        "{first:?}"
    );
    m.set_breakpoints(vec![]).expect("clear");
    m.enable_teaching(Some(true));
    for _ in 0..10 {
        exit = m.run_for(1_000_000.0, None).expect("runFor");
        if exit != "budget" {
            break;
        }
    }
    assert_eq!(exit, "halted");
    let c = m.class_counts().expect("classCounts");
    let counts = js_sys::JSON::stringify(&prop(&c, "counts")).expect("json");
    // [class][ring][mode] with modes real, protected, protected+paging, v86.
    assert_eq!(
        String::from(counts),
        "[[[655,6083,0,0],[0,0,0,0],[0,0,0,0],[0,2046,0,0]],\
[[66,474,0,0],[0,0,0,0],[0,0,0,0],[0,4,0,0]],\
[[6,10,0,0],[0,0,0,0],[0,0,0,0],[0,2,0,0]]]"
    );
    assert_eq!(num(&c, "holesTotal"), 2.0);
    let holes = js_sys::Array::from(&m.holes().expect("holes"));
    let texts: Vec<String> = holes
        .iter()
        .map(|h| prop(&h, "disasm").as_string().unwrap_or_default())
        .collect();
    assert_eq!(texts, ["popfd", "sgdt [7F50h]"]);
    let events = js_sys::Array::from(&m.timeline(None).expect("timeline"));
    let kinds: Vec<String> = events
        .iter()
        .map(|e| {
            format!(
                "{} {} {}->{}",
                prop(&e, "kind").as_string().unwrap_or_default(),
                prop(&e, "vector").as_f64().unwrap_or(-1.0),
                num(&e, "cplBefore"),
                num(&e, "cplAfter")
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "mode -1 0->0",
            "exception 13 3->0",
            "exception 13 3->0",
            "exception 13 3->0",
            "exception 13 3->0"
        ]
    );
}

/// `www/lessons/2_rings.img` (tests/guests/lessons/2_rings.asm): CLI and HLT trap in ring 3.
const LESSON2: &[u8] = include_bytes!("../../../../www/lessons/2_rings.img");

/// Breaks on events: after the mode change, then after each #GP (in the handler, ring 0), then
/// a step.
pub fn lesson2_event_breaks() {
    let mut m = Machine::new(16.0 * 1048576.0, Some("pentiumpro".into()), None).expect("machine");
    m.insert_disk("fda", floppy(LESSON2)).expect("insert");
    m.enable_teaching(None);
    m.set_event_breaks(vec![13], true);
    let mut stops = Vec::new();
    for _ in 0..200 {
        let exit = m.run_for(1_000_000.0, None).expect("runFor");
        if exit == "breakpoint" {
            stops.push(format!(
                "{} cpl {} at {:08x}",
                m.mode(),
                m.cpl(),
                m.get_reg("eip").unwrap_or(0)
            ));
        } else if exit != "budget" {
            stops.push(exit);
            break;
        }
    }
    assert_eq!(
        stops,
        [
            "protected cpl 0 at 00007fa4",
            "protected cpl 0 at 00007e45",
            "protected cpl 0 at 00007e45",
            "halted"
        ]
    );
    assert_eq!(m.step(), "halted");
}

/// Defines every shared test as a `#[wasm_bindgen_test]` in the calling file.
#[macro_export]
macro_rules! web_tests {
    () => {
        use wasm_bindgen_test::wasm_bindgen_test;

        #[wasm_bindgen_test]
        fn hi_program_writes_port_e9_and_halts() {
            common::hi_program();
        }
        #[wasm_bindgen_test]
        fn bench_cases_run() {
            common::bench_cases_run();
        }
        #[wasm_bindgen_test]
        fn registers_round_trip() {
            common::registers_round_trip();
        }
        #[wasm_bindgen_test]
        fn reset_power_cycles() {
            common::reset_power_cycles();
        }
        #[wasm_bindgen_test]
        fn a_floppy_whose_bpb_counts_8_gib_goes_by_its_size() {
            common::a_floppy_whose_bpb_counts_8_gib_goes_by_its_size();
        }
        #[wasm_bindgen_test]
        fn images_go_in_and_come_out_in_chunks() {
            common::images_go_in_and_come_out_in_chunks();
        }
        #[wasm_bindgen_test]
        fn accesses_near_4_gib_are_checked_in_64_bits() {
            common::accesses_near_4_gib_are_checked_in_64_bits();
        }
        #[wasm_bindgen_test]
        fn set_firmware_powers_on_other_firmware_with_the_same_disks() {
            common::set_firmware_powers_on_other_firmware_with_the_same_disks();
        }
        #[wasm_bindgen_test]
        fn a_machine_on_ram_cleared_in_pieces() {
            common::a_machine_on_ram_cleared_in_pieces();
        }
        #[wasm_bindgen_test]
        fn bad_inputs_are_errors_not_panics() {
            common::bad_inputs_are_errors();
        }
        #[wasm_bindgen_test]
        fn boots_a_floppy_that_writes_a_sector() {
            common::boots_a_floppy_that_writes_a_sector();
        }
        #[wasm_bindgen_test]
        fn frames_come_when_the_picture_changes() {
            common::frames_come_when_the_picture_changes();
        }
        #[wasm_bindgen_test]
        fn render_changes_gives_only_the_rows_that_changed() {
            common::render_changes_gives_only_the_rows_that_changed();
        }
        #[wasm_bindgen_test]
        fn keys_and_text_reach_the_guest() {
            common::keys_and_text_reach_the_guest();
        }
        #[wasm_bindgen_test]
        fn bad_disks_are_errors_with_codes() {
            common::bad_disks_are_errors_with_codes();
        }
        #[wasm_bindgen_test]
        fn reset_keeps_the_disks_and_their_writes() {
            common::reset_keeps_the_disks_and_their_writes();
        }
        #[wasm_bindgen_test]
        fn a_triple_fault_stops_the_machine() {
            common::a_triple_fault_stops_the_machine();
        }
        #[wasm_bindgen_test]
        fn boots_an_iso_from_the_cd_drive() {
            common::boots_an_iso_from_the_cd_drive();
        }
        #[wasm_bindgen_test]
        fn bad_cds_are_errors_with_codes() {
            common::bad_cds_are_errors_with_codes();
        }
        #[wasm_bindgen_test]
        fn set_mips_paces_instructions_to_emulated_time() {
            common::set_mips_paces_instructions_to_emulated_time();
        }
        #[wasm_bindgen_test]
        fn time_is_paced_and_no_disk_is_reported() {
            common::time_is_paced_and_no_disk_is_reported();
        }
        #[wasm_bindgen_test]
        fn lesson2_event_breaks() {
            common::lesson2_event_breaks();
        }
        #[wasm_bindgen_test]
        fn lesson5_counts_are_exact() {
            common::lesson5_counts_are_exact();
        }
        #[wasm_bindgen_test]
        fn vectors_00() {
            common::vector_file("00");
        }
        #[wasm_bindgen_test]
        fn vectors_27() {
            common::vector_file("27");
        }
        #[wasm_bindgen_test]
        fn vectors_6d() {
            common::vector_file("6D");
        }
        #[wasm_bindgen_test]
        fn vectors_a5() {
            common::vector_file("A5");
        }
        #[wasm_bindgen_test]
        fn vectors_a7() {
            common::vector_file("A7");
        }
        #[wasm_bindgen_test]
        fn vectors_c1_4() {
            common::vector_file("C1.4");
        }
        #[wasm_bindgen_test]
        fn vectors_cf() {
            common::vector_file("CF");
        }
        #[wasm_bindgen_test]
        fn vectors_d3_5() {
            common::vector_file("D3.5");
        }
        #[wasm_bindgen_test]
        fn vectors_f6_7() {
            common::vector_file("F6.7");
        }
        #[wasm_bindgen_test]
        fn vectors_f7_6() {
            common::vector_file("F7.6");
        }
    };
}
