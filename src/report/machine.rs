//! What the figures were measured on: CPU model, cores, memory, compilers, peers.

use std::process::Command;

use serde_json::json;

use super::Section;

fn first_line(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    let text = if out.stdout.is_empty() {
        out.stderr
    } else {
        out.stdout
    };
    String::from_utf8_lossy(&text)
        .lines()
        .next()
        .map(|l| l.trim().to_string())
}

/// `python3 --version`, or "CPython (version unknown)".
pub fn python_version() -> String {
    first_line("python3", &["--version"]).unwrap_or_else(|| "CPython (version unknown)".into())
}

/// The machine section.
pub fn section() -> Section {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_string())
        })
        .and_then(|kb| kb.parse::<u64>().ok())
        .map(|kb| format!("{:.1} GiB", kb as f64 / 1024.0 / 1024.0))
        .unwrap_or_else(|| "unknown".into());
    let rustc = first_line("rustc", &["--version"]).unwrap_or_else(|| "unknown".into());
    let gcc = first_line("gcc", &["--version"]).unwrap_or_else(|| "not found".into());
    let python = first_line("python3", &["--version"]).unwrap_or_else(|| "not found".into());
    let pypy = first_line("pypy3", &["--version"])
        .unwrap_or_else(|| "not found (install with `apt-get install pypy3 pypy3-dev`)".into());
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    let md = format!(
        "## Machine\n\n| | |\n|---|---|\n| CPU | {cpu} |\n| cores | {cores} |\n| memory | {mem} |\n| rustc | {rustc} |\n| build profile | {profile} |\n| gcc | {gcc} |\n| CPython | {python} |\n| PyPy | {pypy} |\n"
    );
    Section {
        key: "machine",
        markdown: md,
        json: json!({"cpu": cpu, "cores": cores, "memory": mem, "rustc": rustc, "profile": profile,
                     "gcc": gcc, "cpython": python, "pypy": pypy}),
    }
}
