//! Writes the CRD YAML generated from `ferry-crds`' types into `crds/` and `charts/ferry/crds/`.
//!
//! Usage: `ferry-crdgen [--check] [--root <workspace root>]`. With `--check` nothing is written and
//! the exit status is 1 when a committed file differs from the types.

use std::path::PathBuf;
use std::process::ExitCode;

use ferry_crds::generate;

fn main() -> ExitCode {
    let mut check = false;
    let mut root = generate::default_root();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--root" => match args.next() {
                Some(dir) => root = PathBuf::from(dir),
                None => return usage("--root needs a directory"),
            },
            "-h" | "--help" => {
                println!("usage: ferry-crdgen [--check] [--root <workspace root>]");
                return ExitCode::SUCCESS;
            }
            other => return usage(&format!("unknown argument {other}")),
        }
    }
    if check {
        match generate::stale_files(&root) {
            Ok(stale) if stale.is_empty() => {
                println!("CRD YAML is up to date");
                ExitCode::SUCCESS
            }
            Ok(stale) => {
                for path in stale {
                    eprintln!("out of date: {}", path.display());
                }
                eprintln!("run `cargo run -p ferry-crds --bin ferry-crdgen` and commit the result");
                ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("ferry-crdgen: {e}");
                ExitCode::FAILURE
            }
        }
    } else {
        match generate::write_all(&root) {
            Ok(paths) => {
                for path in paths {
                    println!("wrote {}", path.display());
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("ferry-crdgen: {e}");
                ExitCode::FAILURE
            }
        }
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("ferry-crdgen: {problem}\nusage: ferry-crdgen [--check] [--root <workspace root>]");
    ExitCode::from(2)
}
