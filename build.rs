//! Tells the tests which outside programs this machine has. A few tests drive one — the audit
//! pack's Python script, headless Chromium, strace's fault injection, `script` for a real
//! terminal — and are marked ignored, with the reason, where it is missing: `cargo test` on a
//! machine with only a Rust toolchain passes and lists them as ignored; `.ci/run` installs the
//! programs, so CI runs them all. After installing one, `touch build.rs` (or change PATH) to
//! look again.

use std::process::Command;

fn main() {
    for (tool, flag) in [
        ("python3", "--version"),
        ("chromium", "--version"),
        ("strace", "-V"),
        ("script", "--version"),
    ] {
        let cfg = format!("has_{tool}");
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        let found = Command::new(tool)
            .arg(flag)
            .output()
            .is_ok_and(|out| out.status.success());
        if found {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=PATH");
}
