//! `aula86 run`: boot a machine headless, wait for text on the screen or the serial port, type,
//! and report.

use pc::disk::{DiskImage, DiskKind};
use pc::{Config, Exit, Firmware, Pc};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// One step of the script given on the command line, run in order.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    UntilText(String),
    UntilSerial(String),
    Type(String),
    /// Met once the guest has powered the machine off (ACPI S5 or a firmware shutdown port).
    UntilPowerOff,
}

#[derive(Debug, Default)]
struct Options {
    fda: Option<PathBuf>,
    fdb: Option<PathBuf>,
    hda: Option<PathBuf>,
    hdb: Option<PathBuf>,
    cdrom: Option<PathBuf>,
    mem_mb: Option<usize>,
    model: Option<cpu::Model>,
    bios: Option<PathBuf>,
    rom: Option<PathBuf>,
    log_ports: Vec<u16>,
    vga_bios: Option<PathBuf>,
    rtc_host: bool,
    /// Instructions per emulated second, in millions.
    mips: Option<f64>,
    serial: Option<String>,
    e9: Option<String>,
    screen_text: bool,
    /// At the end, fail if RAM holds bytes a reset would not clear (a write not noted).
    check_written: bool,
    verbose: bool,
    screenshot: Option<PathBuf>,
    max_insns: Option<u64>,
    trace: Option<(u32, u32, PathBuf)>,
    profile: Option<PathBuf>,
    timeout: Option<f64>,
    steps: Vec<Step>,
}

pub const USAGE: &str = "\
aula86 run [options] [steps]
  drives:   --fda FILE  --fdb FILE  --hda FILE  --hdb FILE  --cdrom FILE.iso
            (boot order: A:, C:, then the CD by El Torito)
  machine:  --mem MB (default 16)  --model 8086|186|286|386|486|pentium|pentiumpro
            --bios FILE [--vga-bios FILE]   (a real firmware instead of the built-in BIOS)
            --rom FILE                      (a raw 64 KiB ROM at F0000h and below 4 GiB, alone)
            --log-port PORT                 (print `port 0x190 0x2a` for each byte written; repeatable)
            --rtc-host                      (the clock starts at the host's time; default 2026-01-01)
            --mips N                        (instructions per emulated second, in millions; default 50)
  steps, in order:
            --until-text STR     run until STR is on the text screen
            --until-serial STR   run until COM1 has printed STR
            --type STR           type STR (\\n is Enter) once the previous step is met
            --until-poweroff     run until the guest powers the machine off
  limits:   --max-insns N  --timeout SECS (wall clock)
  output:   --serial FILE|-  --e9 FILE|-  --screen-text  --screenshot FILE.png  --verbose
            --check-written      (at the end, fail if RAM holds a byte written where no write
                                  was noted: a reset clears only the RAM noted as written)
            --profile FILE       (where the guest spends its time: the linear address of
                                  CS:EIP every 2,000,000 instructions, as lines of count and address)
On exit it prints instructions=<N>. It stops by itself when the CPU halts with interrupts
disabled, when the guest powers off, or on a triple fault (reported, exit status 3).";

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('e') => out.push('\x1b'),
            Some('b') => out.push('\x08'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut val = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("run: {a} needs a value"))
        };
        match a.as_str() {
            "--fda" => o.fda = Some(val()?.into()),
            "--fdb" => o.fdb = Some(val()?.into()),
            "--hda" => o.hda = Some(val()?.into()),
            "--hdb" => o.hdb = Some(val()?.into()),
            "--cdrom" | "--cd" => o.cdrom = Some(val()?.into()),
            "--mem" => {
                let v = val()?;
                o.mem_mb = Some(
                    v.parse()
                        .map_err(|_| format!("run: --mem wants megabytes, not '{v}'"))?,
                );
            }
            "--model" => {
                let v = val()?;
                o.model = Some(
                    cpu::Model::from_name(&v)
                        .ok_or_else(|| format!("run: unknown CPU model '{v}'"))?,
                );
            }
            "--bios" => o.bios = Some(val()?.into()),
            "--rom" => o.rom = Some(val()?.into()),
            "--log-port" => {
                let v = val()?;
                let p = match v.strip_prefix("0x") {
                    Some(h) => u16::from_str_radix(h, 16),
                    None => v.parse(),
                };
                o.log_ports.push(
                    p.map_err(|_| format!("run: --log-port wants a port number, not '{v}'"))?,
                );
            }
            "--vga-bios" => o.vga_bios = Some(val()?.into()),
            "--rtc-host" => o.rtc_host = true,
            "--mips" => {
                let v = val()?;
                o.mips = Some(
                    v.parse()
                        .ok()
                        .filter(|m: &f64| (0.001..=10_000.0).contains(m))
                        .ok_or_else(|| format!("run: --mips wants 0.001 to 10000, not '{v}'"))?,
                );
            }
            "--serial" => o.serial = Some(val()?),
            "--e9" => o.e9 = Some(val()?),
            "--screen-text" => o.screen_text = true,
            "--check-written" => o.check_written = true,
            "--verbose" | "-v" => o.verbose = true,
            "--screenshot" => o.screenshot = Some(val()?.into()),
            "--max-insns" => {
                let v = val()?;
                o.max_insns = Some(
                    v.parse()
                        .map_err(|_| format!("run: --max-insns wants a number, not '{v}'"))?,
                );
            }
            "--timeout" => {
                let v = val()?;
                o.timeout = Some(
                    v.parse()
                        .map_err(|_| format!("run: --timeout wants seconds, not '{v}'"))?,
                );
            }
            "--profile" => o.profile = Some(val()?.into()),
            "--trace" => {
                // --trace LO-HI FILE (hex linear addresses): registers before each instruction there.
                let range = val()?;
                let file = it.next().cloned().ok_or("run: --trace needs LO-HI FILE")?;
                let (lo, hi) = range
                    .split_once('-')
                    .ok_or("run: --trace range is LO-HI in hex")?;
                let p = |x: &str| {
                    u32::from_str_radix(x.trim_start_matches("0x"), 16)
                        .map_err(|_| format!("run: bad hex '{x}'"))
                };
                o.trace = Some((p(lo)?, p(hi)?, file.into()));
            }
            "--until-text" => o.steps.push(Step::UntilText(unescape(&val()?))),
            "--until-serial" => o.steps.push(Step::UntilSerial(unescape(&val()?))),
            "--until-poweroff" => o.steps.push(Step::UntilPowerOff),
            "--type" => o.steps.push(Step::Type(unescape(&val()?))),
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("run: unknown option '{other}'\n{USAGE}")),
        }
    }
    if o.vga_bios.is_some() && o.bios.is_none() {
        return Err("run: --vga-bios needs --bios".into());
    }
    if o.rom.is_some() && o.bios.is_some() {
        return Err("run: --rom and --bios both name the firmware; give one".into());
    }
    Ok(o)
}

fn read_file(p: &PathBuf, what: &str) -> Result<Vec<u8>, String> {
    std::fs::read(p).map_err(|e| format!("{what} {}: {e}", p.display()))
}

fn load_disk(p: &PathBuf, kind: DiskKind, what: &str) -> Result<DiskImage, String> {
    let bytes = read_file(p, what)?;
    DiskImage::from_bytes(bytes, Some(kind)).map_err(|e| format!("{what} {}: {e}", p.display()))
}

/// An output stream: stdout or a file.
struct Sink(Option<Box<dyn Write>>);

impl Sink {
    fn open(spec: &Option<String>) -> Result<Sink, String> {
        Ok(Sink(match spec.as_deref() {
            None => None,
            Some("-") => Some(Box::new(std::io::stdout())),
            Some(path) => Some(Box::new(
                std::fs::File::create(path).map_err(|e| format!("{path}: {e}"))?,
            )),
        }))
    }
    fn write(&mut self, bytes: &[u8]) {
        if let Some(w) = &mut self.0 {
            let _ = w.write_all(bytes);
            let _ = w.flush();
        }
    }
}

pub fn main(args: &[String]) -> Result<ExitCode, String> {
    let o = parse(args)?;
    let firmware = match (&o.bios, &o.rom) {
        (None, Some(r)) => {
            let bytes = read_file(r, "--rom")?;
            if bytes.len() != 0x10000 {
                return Err(format!(
                    "--rom {}: a test ROM must be exactly 64 KiB, not {} bytes",
                    r.display(),
                    bytes.len()
                ));
            }
            Firmware::Rom {
                bios: bytes,
                vga_bios: None,
            }
        }
        (None, None) => Firmware::Builtin,
        (Some(b), _) => Firmware::Rom {
            bios: read_file(b, "--bios")?,
            vga_bios: o
                .vga_bios
                .as_ref()
                .map(|v| read_file(v, "--vga-bios"))
                .transpose()?,
        },
    };
    let mut config = Config {
        firmware,
        ..Config::default()
    };
    if let Some(m) = o.model {
        config.model = m;
    }
    if let Some(mips) = o.mips {
        config.ps_per_insn = (1e6 / mips).round() as u64;
    }
    if let Some(mb) = o.mem_mb {
        config.mem_bytes = mb.checked_mul(1 << 20).ok_or("run: --mem is too large")?;
    }
    if o.rtc_host {
        config.rtc_unix_seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(config.rtc_unix_seconds);
    }
    // On the heap, as in `bench`: timings that do not depend on where the stack lies.
    let mut pc = Box::new(Pc::with_config(config).map_err(|e| format!("run: {e}"))?);
    let drive_err = |what: &str, e: pc::disk::DiskError| format!("{what}: {e}");
    if let Some(p) = &o.fda {
        pc.insert_floppy(0, load_disk(p, DiskKind::Floppy, "--fda")?)
            .map_err(|e| drive_err("--fda", e))?;
    }
    if let Some(p) = &o.fdb {
        pc.insert_floppy(1, load_disk(p, DiskKind::Floppy, "--fdb")?)
            .map_err(|e| drive_err("--fdb", e))?;
    }
    if let Some(p) = &o.hda {
        pc.attach_hard_disk(0, load_disk(p, DiskKind::HardDisk, "--hda")?)
            .map_err(|e| drive_err("--hda", e))?;
    }
    if let Some(p) = &o.hdb {
        pc.attach_hard_disk(1, load_disk(p, DiskKind::HardDisk, "--hdb")?)
            .map_err(|e| drive_err("--hdb", e))?;
    }
    if let Some(p) = &o.cdrom {
        let bytes = read_file(p, "--cdrom")?;
        let img = pc::cdrom::CdImage::from_bytes(bytes)
            .map_err(|e| format!("--cdrom {}: {e}", p.display()))?;
        pc.insert_cdrom(img);
    }
    pc.reset();
    pc.board.log_ports = o.log_ports.clone();
    if let Some((lo, hi, _)) = &o.trace {
        pc.cpu.trace_range = Some((*lo, *hi));
    }
    let mut serial_sink = Sink::open(&o.serial)?;
    let mut e9_sink = Sink::open(&o.e9)?;
    let start = Instant::now();
    let deadline = o
        .timeout
        .map(|s| start + Duration::from_secs_f64(s.max(0.0)));
    let max_insns = o.max_insns.unwrap_or(u64::MAX);
    let mut serial_seen: Vec<u8> = Vec::new();
    let mut e9_done = 0usize;
    let mut steps = o.steps.clone().into_iter().peekable();
    let mut failure: Option<(u8, String)> = None;
    let mut powered_off = false;
    const CHUNK: u64 = 2_000_000;
    // --profile samples where the guest is once per chunk: it does not change how the run is
    // sliced, so the guest runs exactly as without it.
    let mut samples: std::collections::HashMap<u32, u64> = std::collections::HashMap::new();
    'outer: loop {
        // Steps that need no running: typing, and conditions already met.
        while let Some(step) = steps.peek() {
            let met = match step {
                Step::Type(text) => {
                    pc.type_text(text)
                        .map_err(|c| format!("run: --type: the keyboard cannot type {c:?}"))?;
                    true
                }
                Step::UntilText(t) => pc.screen_text().contains(t.as_str()),
                Step::UntilSerial(t) => contains(&serial_seen, t.as_bytes()),
                Step::UntilPowerOff => powered_off,
            };
            if !met {
                break;
            }
            steps.next();
        }
        let done = pc.counters().instructions;
        if steps.peek().is_none()
            && o.steps.iter().any(|s| !matches!(s, Step::Type(_)))
            && !pc.typing_pending()
        {
            break;
        }
        if done >= max_insns {
            if steps.peek().is_some() {
                failure = Some((
                    1,
                    format!(
                        "instruction limit reached before: {}",
                        describe(steps.peek())
                    ),
                ));
            }
            break;
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            failure = Some((
                1,
                format!(
                    "timeout after {:.1} s waiting for: {}",
                    start.elapsed().as_secs_f64(),
                    describe(steps.peek())
                ),
            ));
            break;
        }
        let exit = pc.run(CHUNK.min(max_insns - done), None);
        if o.profile.is_some() {
            *samples.entry(pc.cpu.pc_linear()).or_insert(0u64) += 1;
        }
        let out = pc.take_serial();
        serial_sink.write(&out);
        serial_seen.extend_from_slice(&out);
        for (port, v) in std::mem::take(&mut pc.board.port_log) {
            println!("port {port:#x} {v:#04x}");
        }
        let e9 = pc.debug_output();
        if e9.len() > e9_done {
            e9_sink.write(&e9[e9_done..]);
            e9_done = e9.len();
        }
        let why = match exit {
            Exit::Budget | Exit::TimeLimit => continue,
            Exit::Idle if pc.typing_pending() => continue,
            // Idle, but the next step may be typing that wakes it: go round once more.
            Exit::Idle
                if steps.peek().is_some_and(|s| match s {
                    Step::Type(_) => true,
                    Step::UntilText(t) => pc.screen_text().contains(t.as_str()),
                    Step::UntilSerial(t) => contains(&serial_seen, t.as_bytes()),
                    Step::UntilPowerOff => false,
                }) =>
            {
                continue
            }
            Exit::Idle => "the guest waits for input that will not come",
            Exit::Stopped => "the CPU halted with interrupts disabled",
            Exit::PowerOff => {
                powered_off = true;
                "the guest powered the machine off"
            }
            Exit::TripleFault => {
                failure = Some((
                    3,
                    format!(
                        "triple fault at {:04X}:{:08X} ({} mode)",
                        pc.cpu.seg_selector(cpu::SegReg::Cs),
                        pc.cpu.eip,
                        pc.cpu.mode_name()
                    ),
                ));
                break 'outer;
            }
        };
        // The machine will not run again by itself: finish the steps that still can be met.
        let pending = steps.find(|s| match s {
            Step::UntilText(t) => !pc.screen_text().contains(t.as_str()),
            Step::UntilSerial(t) => !contains(&serial_seen, t.as_bytes()),
            Step::Type(_) => true,
            Step::UntilPowerOff => !powered_off,
        });
        if let Some(s) = pending {
            failure = Some((1, format!("{why} before: {}", describe(Some(&s)))));
        } else {
            eprintln!("aula86: {why}");
        }
        break;
    }
    if let Some(path) = &o.profile {
        let mut v: Vec<(u32, u64)> = samples.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let text: String = v
            .iter()
            .map(|(lin, n)| format!("{n} {lin:08x}\n"))
            .collect();
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    if let Some((_, _, path)) = &o.trace {
        std::fs::write(path, pc.cpu.trace_log.join("\n") + "\n")
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    if o.screen_text {
        println!("{}", pc.screen_text());
    }
    if let Some(path) = &o.screenshot {
        crate::png::write_screenshot(&mut pc, path)?;
    }
    if o.verbose {
        let c = pc.counters();
        eprintln!(
            "cpu: {:04X}:{:08X} {} cpl={} exceptions={} interrupts={} video={} emulated={:.3}s",
            pc.cpu.seg_selector(cpu::SegReg::Cs),
            pc.cpu.eip,
            pc.cpu.mode_name(),
            pc.cpu.cpl(),
            c.exceptions,
            c.interrupts,
            pc.video_mode(),
            pc.now() as f64 / 1e9
        );
        // How well the decoded-block cache held the guest's code.
        eprintln!(
            "cache: {} instructions run from decoded blocks, {} decoded",
            c.cache_hits, c.cache_misses
        );
        for m in &pc.bios.messages {
            eprintln!("bios: {m}");
        }
    }
    println!("instructions={}", pc.counters().instructions);
    if o.check_written && failure.is_none() {
        let mem = &pc.board.mem;
        match mem.unnoted_write() {
            Some(at) => failure = Some((1, format!("RAM at {at:08X}h was written unnoted"))),
            None => eprintln!(
                "aula86: every RAM write noted ({} MiB of {} written)",
                mem.written_bytes() >> 20,
                mem.ram.len() >> 20
            ),
        }
    }
    match failure {
        None => Ok(ExitCode::SUCCESS),
        Some((code, msg)) => {
            eprintln!("aula86: {msg}");
            Ok(ExitCode::from(code))
        }
    }
}

fn describe(step: Option<&Step>) -> String {
    match step {
        Some(Step::UntilText(t)) => format!("screen text {t:?}"),
        Some(Step::UntilSerial(t)) => format!("serial text {t:?}"),
        Some(Step::Type(t)) => format!("typing {t:?}"),
        Some(Step::UntilPowerOff) => "the guest powering off".into(),
        None => "nothing".into(),
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_keep_their_order() {
        let args: Vec<String> = [
            "--until-text",
            "A:\\>",
            "--type",
            "ver\\n",
            "--until-serial",
            "ok",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let o = parse(&args).expect("parses");
        assert_eq!(
            o.steps,
            vec![
                Step::UntilText("A:\\>".into()),
                Step::Type("ver\n".into()),
                Step::UntilSerial("ok".into())
            ]
        );
    }

    #[test]
    fn bad_options_are_errors() {
        assert!(parse(&["--mem".to_string()]).is_err());
        assert!(parse(&["--mem".to_string(), "lots".to_string()]).is_err());
        assert!(parse(&["--vga-bios".to_string(), "x".to_string()]).is_err());
        assert!(parse(&["--frobnicate".to_string()]).is_err());
        for bad in ["0", "-5", "fast", "NaN", "20000"] {
            assert!(
                parse(&["--mips".to_string(), bad.to_string()]).is_err(),
                "{bad}"
            );
        }
        assert_eq!(
            parse(&["--mips".to_string(), "290".to_string()]).map(|o| o.mips),
            Ok(Some(290.0))
        );
    }
}
