//! `aula86`: the emulator on the command line.

mod bench;
mod png;
mod run;
mod vectors;

use std::process::ExitCode;

const USAGE: &str = "\
usage:
  aula86 run [options]   boot a PC headless (aula86 run --help)
  aula86 vectors [--dump] [--verbose] <file.json.gz | directory>
      run hardware CPU test vectors (shared/vectors/PROTOCOL.md); summary or dump mode
  aula86 bench [--model M] [--seconds S | --insns N] [--mode real|protected|both]
      run the built-in integer benchmark loop and print emulated MIPS
  aula86 bench --case NAME|all [--model M] [--insns N]
      time one kind of instruction (nanoseconds per instruction; names: --case list)
  aula86 --help   (and aula86 COMMAND --help)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let rest = &args[1..];
    // `aula86 COMMAND --help`: that command's usage, as a request rather than an error.
    if matches!(rest.first().map(String::as_str), Some("-h" | "--help")) {
        let usage = match cmd.as_str() {
            "run" => Some(run::USAGE),
            "bench" => Some(bench::USAGE),
            "vectors" => Some(vectors::USAGE),
            _ => None,
        };
        if let Some(usage) = usage {
            println!("{usage}");
            return ExitCode::SUCCESS;
        }
    }
    let result = match cmd.as_str() {
        "vectors" => vectors::main(rest),
        "run" => run::main(rest),
        "bench" => bench::main(rest),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => Err(format!("unknown command '{other}'\n{USAGE}")),
    };
    match result {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("aula86: {msg}");
            ExitCode::from(2)
        }
    }
}
