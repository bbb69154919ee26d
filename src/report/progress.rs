//! Progress of a report run: a bar on a terminal; otherwise (CI logs, pipes) one line per step on
//! stderr, `[  12.3s] step`, and a line for a sub-step at most every 10 s so long steps show life.

use std::cell::Cell;
use std::io::IsTerminal;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

/// Where progress goes. Invariant: exactly one of the bar or the plain lines is used.
pub struct Progress {
    started: Instant,
    bar: Option<ProgressBar>,
    last_line: Cell<f64>,
}

/// `[  12.3s] message`.
pub fn line(elapsed_s: f64, message: &str) -> String {
    format!("[{elapsed_s:>6.1}s] {message}")
}

impl Progress {
    /// Starts timing; `steps` is the number of main steps (for the bar).
    pub fn new(steps: usize) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let pb = ProgressBar::new(steps as u64);
            pb.set_style(
                ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} [{elapsed}]")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            pb
        });
        Progress {
            started: Instant::now(),
            bar,
            last_line: Cell::new(f64::NEG_INFINITY),
        }
    }

    /// Seconds since the run started.
    pub fn elapsed(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// A main step begins.
    pub fn step(&self, name: &str) {
        match &self.bar {
            Some(pb) => {
                if pb.position() > 0 || !pb.message().is_empty() {
                    pb.inc(1);
                }
                pb.set_message(name.to_string());
            }
            None => {
                let t = self.elapsed();
                self.last_line.set(t);
                eprintln!("{}", line(t, name));
            }
        }
    }

    /// A sub-step of the current step.
    pub fn sub(&self, name: &str) {
        match &self.bar {
            Some(pb) => pb.set_message(name.to_string()),
            None => {
                let t = self.elapsed();
                if t - self.last_line.get() >= 10.0 {
                    self.last_line.set(t);
                    eprintln!("{}", line(t, name));
                }
            }
        }
    }

    /// The run is over.
    pub fn finish(&self) {
        match &self.bar {
            Some(pb) => pb.finish_with_message("done"),
            None => eprintln!("{}", line(self.elapsed(), "done")),
        }
    }
}
