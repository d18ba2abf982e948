//! `aula86 run` end to end: test ROMs with port logging, bad disk images, triple faults.

use std::process::Command;

fn aula86() -> Command {
    Command::new(env!("CARGO_BIN_EXE_aula86"))
}

/// A 64 KiB ROM whose reset vector jumps to `code` at F000:0000.
fn rom(code: &[u8]) -> Vec<u8> {
    let mut r = vec![0xF4u8; 0x10000];
    r[..code.len()].copy_from_slice(code);
    r[0xFFF0..0xFFF5].copy_from_slice(&[0xEA, 0x00, 0x00, 0x00, 0xF0]);
    r
}

/// A file in the temporary directory, removed when the test is done with it.
struct Temp(std::path::PathBuf);

impl AsRef<std::ffi::OsStr> for Temp {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.0.as_os_str()
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn temp(name: &str, bytes: &[u8]) -> Temp {
    let p = std::env::temp_dir().join(format!("aula86-test-{}-{name}", std::process::id()));
    std::fs::write(&p, bytes).expect("temp file");
    Temp(p)
}

#[test]
fn rom_with_log_port() {
    // mov al,'A'; mov dx,190h; out dx,al; mov al,'B'; out dx,al; cli; hlt
    let r = temp(
        "ok.rom",
        &rom(&[
            0xB0, 0x41, 0xBA, 0x90, 0x01, 0xEE, 0xB0, 0x42, 0xEE, 0xFA, 0xF4,
        ]),
    );
    let out = aula86()
        .args(["run", "--rom"])
        .arg(&r)
        .args(["--log-port", "0x190"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert_eq!(stdout, "port 0x190 0x41\nport 0x190 0x42\ninstructions=8\n");
}

#[test]
fn triple_fault_is_reported() {
    // lidt [cs:0x20] (limit 0); int 3 -> #GP -> #DF -> shutdown.
    let mut code = vec![0x2E, 0x0F, 0x01, 0x1E, 0x20, 0x00, 0xCC, 0xF4];
    code.resize(0x20, 0x90);
    code.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    let r = temp("tf.rom", &rom(&code));
    let out = aula86()
        .args(["run", "--rom"])
        .arg(&r)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("triple fault"));
}

#[test]
fn bad_images_get_one_line_errors() {
    let empty = temp("empty.img", &[]);
    let odd = temp("odd.img", &[0u8; 1000]);
    for (img, want) in [(&empty, "empty"), (&odd, "not the size of any floppy")] {
        let out = aula86()
            .args(["run", "--fda"])
            .arg(img)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    }
    let rom = temp("short.rom", &[0u8; 100]);
    let out = aula86()
        .args(["run", "--rom"])
        .arg(&rom)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn each_command_prints_its_usage_on_help() {
    for (cmd, says) in [
        ("run", "--until-serial"),
        ("bench", "--case"),
        ("vectors", "--dump"),
    ] {
        let out = aula86().args([cmd, "--help"]).output().expect("runs");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{cmd} --help: {:?}", out.status);
        assert!(text.contains(says), "{cmd} --help printed: {text}");
    }
    // An unknown option is still an error, with the usage after it.
    let out = aula86().args(["bench", "--nope"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown option '--nope'") && err.contains("--case"),
        "{err}"
    );
}
