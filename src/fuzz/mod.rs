//! `pyopaque fuzz`: the differential fuzzer (design: docs/design.md, "Differential fuzzer").
//!
//! * [`spec`]: the function table from the reference data and both header sets.
//! * [`build`]: the C harness (`harness.c` + generated `fuzz_table.h`) compiled twice.
//! * [`run`]: one batch (seed, calls) in a child process with a timeout.
//! * [`compare`]: log comparison and classification.
//!
//! Flow per seed: CPython first, until the batch completes; a call that crashes or hangs
//! CPython adds its key (function, NULL mask, category of the first object argument) to the
//! exclusion list, shared by every later batch and by both runtimes. Then the same batch with
//! the same exclusions under each configuration; differences are grouped and classified;
//! crashes, hangs, leaks and unclassified differences fail the run and are shrunk to the
//! shortest call sequence that reproduces them.

mod build;
mod compare;
mod run;
mod spec;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use clap::Args;
use serde::Serialize;
use serde_json::json;

use compare::{Call, Divergence};
use run::{Batch, Runtime};

/// Options of `pyopaque fuzz`.
#[derive(Args, Debug)]
pub struct FuzzArgs {
    /// Seeds: `A..B` (inclusive) or a comma list.
    #[arg(long, default_value = "1..4")]
    pub seeds: String,
    /// Calls per seed.
    #[arg(long, default_value_t = 20000)]
    pub calls: usize,
    /// default (classic+imm+tag+strat) | classic | atomic | biased | tracing | all (the four
    /// schemes, each with immortal objects, tagging and strategies on).
    #[arg(long, default_value = "default")]
    pub config: String,
    /// Collect and move at every allocation (use fewer calls).
    #[arg(long)]
    pub gc_stress: bool,
    /// Debug mode: the last call of each batch receives an object C has just released, which
    /// must be reported, never crash.
    #[arg(long)]
    pub debug: bool,
    /// Run only these call indices of the (single) seed: a replay of a shrunk sequence.
    #[arg(long)]
    pub only: Option<String>,
    /// Parallel batches.
    #[arg(long, default_value_t = 2)]
    pub jobs: usize,
    /// Seconds before a batch counts as hung.
    #[arg(long, default_value_t = 120)]
    pub timeout: u64,
    /// Do not shrink failures.
    #[arg(long)]
    pub no_shrink: bool,
    /// Print one JSON object (the report's figures) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Print the functions excluded by rule, with the rule, and exit.
    #[arg(long)]
    pub list_excluded: bool,
}

fn parse_seeds(s: &str) -> Result<Vec<u64>, String> {
    if let Some((a, b)) = s.split_once("..") {
        let a: u64 = a
            .trim()
            .parse()
            .map_err(|_| format!("bad seed range {s:?}"))?;
        let b: u64 = b
            .trim()
            .parse()
            .map_err(|_| format!("bad seed range {s:?}"))?;
        return Ok((a..=b).collect());
    }
    s.split(',')
        .map(|x| x.trim().parse().map_err(|_| format!("bad seed {x:?}")))
        .collect()
}

/// (label, init string) of the configurations requested.
fn configs(args: &FuzzArgs) -> Result<Vec<(String, String)>, String> {
    let schemes: Vec<&str> = match args.config.as_str() {
        "default" | "classic" => vec!["classic"],
        "atomic" | "biased" | "tracing" => vec![args.config.as_str()],
        "all" => vec!["classic", "atomic", "biased", "tracing"],
        x => {
            return Err(format!(
                "--config takes default|classic|atomic|biased|tracing|all, not {x:?}"
            ))
        }
    };
    let stress = if args.gc_stress { "on" } else { "off" };
    Ok(schemes
        .into_iter()
        .map(|s| {
            let mut label = format!("{s}+imm+tag+strat");
            if args.gc_stress {
                label.push_str("+stress");
            }
            if args.debug {
                label.push_str("+debug");
            }
            (
                label,
                format!("scheme={s},immortal=on,tagging=on,strategies=on,gc_stress={stress},borrow=deopt"),
            )
        })
        .collect())
}

/// A call CPython crashed or hung on, excluded from then on.
#[derive(Clone, Debug, Serialize)]
struct Excluded {
    function: String,
    mask: String,
    category: String,
    what: String,
    seed: u64,
    index: usize,
    args: String,
}

/// The CPython side of one seed: its final log and the exclusions in force.
struct Reference {
    seed: u64,
    log: Vec<String>,
    exclude_file: PathBuf,
}

/// Runs `seed` under CPython until it completes, learning exclusions.
fn reference(
    seed: u64,
    args: &FuzzArgs,
    cpy_dir: &Path,
    dir: &Path,
    excluded: &Mutex<Vec<Excluded>>,
    only: Option<Vec<usize>>,
) -> Result<Reference, String> {
    let exclude_file = dir.join(format!("exclude-{seed}.txt"));
    for _ in 0..3000 {
        let text: String = excluded
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|e| format!("{} {} {}\n", e.function, e.mask, e.category))
            .collect();
        std::fs::write(&exclude_file, text).map_err(|e| e.to_string())?;
        let batch = Batch {
            seed,
            calls: args.calls,
            exclude: Some(exclude_file.clone()),
            only: only.clone(),
            freed_at: None,
        };
        let out = run::run(
            &Runtime::CPython(cpy_dir.to_path_buf()),
            &batch,
            dir,
            Duration::from_secs(args.timeout),
        )?;
        if out.complete() {
            // shapes the run's own probes found crashing (`E name mask category what line`)
            let mut ex = excluded.lock().unwrap_or_else(|e| e.into_inner());
            let mut extra = String::new();
            for l in out.log.iter().filter_map(|l| l.strip_prefix("E ")) {
                let f: Vec<&str> = l.splitn(5, ' ').collect();
                if f.len() < 5 {
                    continue;
                }
                extra.push_str(&format!("{} {} {}\n", f[0], f[1], f[2]));
                if ex
                    .iter()
                    .any(|e| e.function == f[0] && e.mask == f[1] && e.category == f[2])
                {
                    continue;
                }
                let call = compare::parse_call(&format!("{} -> {}", f[4], f[3]));
                ex.push(Excluded {
                    function: f[0].into(),
                    mask: f[1].into(),
                    category: f[2].into(),
                    what: f[3].into(),
                    seed,
                    index: call.as_ref().map_or(0, |c| c.index),
                    args: call.map_or_else(String::new, |c| c.args),
                });
            }
            let mut text = std::fs::read_to_string(&exclude_file).unwrap_or_default();
            text.push_str(&extra);
            std::fs::write(&exclude_file, text).map_err(|e| e.to_string())?;
            return Ok(Reference {
                seed,
                log: out.log,
                exclude_file,
            });
        }
        let Some(c) = compare::fatal_call(&out.log) else {
            return Err(format!(
                "CPython batch of seed {seed} ended without a result or a crash line{}:\n{}\nlog ends: {}",
                if out.timed_out { " (timed out)" } else { "" },
                out.stderr,
                out.log.iter().rev().take(3).cloned().collect::<Vec<_>>().join(" | ")
            ));
        };
        let (mask, mut category) = c.key.clone().unwrap_or_default();
        if mask.contains('N') {
            // a NULL argument CPython does not check: whatever the other arguments are
            category = "*".into();
        }
        let mut ex = excluded.lock().unwrap_or_else(|e| e.into_inner());
        if ex
            .iter()
            .any(|e| e.function == c.name && e.mask == mask && e.category == category)
        {
            // another seed learned it meanwhile
            continue;
        }
        ex.push(Excluded {
            function: c.name.clone(),
            mask,
            category,
            what: c.outcome.clone(),
            seed,
            index: c.index,
            args: c.args.clone(),
        });
    }
    Err(format!(
        "seed {seed}: CPython kept crashing after 3000 exclusions"
    ))
}

/// One configuration's totals.
#[derive(Default)]
struct Totals {
    calls: usize,
    in_contract: usize,
    agreed: usize,
    functions: BTreeSet<String>,
    diffs: Vec<(u64, Call, String, bool)>,
    pool_diffs: Vec<(u64, String, String)>,
    /// Pool objects pyopaque documents it cannot build: (CPython's line, pyopaque's), once each.
    pool_unavailable: BTreeSet<(String, String)>,
    unavailable_calls: usize,
    leaks: Vec<(u64, String, String, String)>,
    count_after_divergence: usize,
    fatal: Vec<(u64, String)>,
    debug_reports: usize,
    debug_unreported: Vec<(u64, String)>,
}

/// Does the `only` subset of `seed` still show the failure at `index`?
#[allow(clippy::too_many_arguments)]
fn reproduces(
    seed: u64,
    index: usize,
    subset: &[usize],
    args: &FuzzArgs,
    cpy_dir: &Path,
    ours: &Runtime,
    dir: &Path,
    exclude: &Path,
    crash: bool,
) -> bool {
    let batch = Batch {
        seed,
        calls: index + 1,
        exclude: Some(exclude.to_path_buf()),
        only: Some(subset.to_vec()),
        freed_at: None,
    };
    let t = Duration::from_secs(args.timeout);
    let Ok(o) = run::run(ours, &batch, dir, t) else {
        return false;
    };
    let at = |log: &[String]| {
        log.iter()
            .filter_map(|l| compare::parse_call(l))
            .find(|c| c.index == index)
            .map(|c| c.outcome)
    };
    let mine = at(&o.log);
    if crash {
        return mine.is_none_or(|m| m.starts_with("CRASH") || m.starts_with("HANG"));
    }
    let Ok(c) = run::run(&Runtime::CPython(cpy_dir.to_path_buf()), &batch, dir, t) else {
        return false;
    };
    c.complete() && o.complete() && at(&c.log) != mine
}

/// The shortest subsequence (greedy chunk removal, at most `budget` runs) of the calls before
/// `index` that still reproduces the failure at `index`.
#[allow(clippy::too_many_arguments)]
fn shrink(
    seed: u64,
    index: usize,
    args: &FuzzArgs,
    cpy_dir: &Path,
    ours: &Runtime,
    dir: &Path,
    exclude: &Path,
    crash: bool,
) -> Vec<usize> {
    let test = |s: &[usize]| reproduces(seed, index, s, args, cpy_dir, ours, dir, exclude, crash);
    if test(&[index]) {
        return vec![index];
    }
    let mut cur: Vec<usize> = (0..=index).collect();
    let mut budget = 60;
    let mut chunk = cur.len() / 2;
    while chunk >= 1 && budget > 0 {
        let mut start = 0;
        while start + 1 < cur.len() && budget > 0 {
            let end = (start + chunk).min(cur.len() - 1);
            let cand: Vec<usize> = cur[..start].iter().chain(&cur[end..]).copied().collect();
            budget -= 1;
            if cand.len() < cur.len() && test(&cand) {
                cur = cand;
            } else {
                start = end;
            }
        }
        chunk /= 2;
    }
    cur
}

/// Entry of `pyopaque fuzz`.
pub fn run(args: FuzzArgs) -> Result<ExitCode, String> {
    let started = Instant::now();
    let dir = std::env::temp_dir().join(format!("pyopaque-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let built = build::build(&dir)?;
    if args.list_excluded {
        let mut by_rule: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (n, r) in &built.spec.excluded {
            by_rule.entry(r.as_str()).or_default().push(n);
        }
        for (r, names) in by_rule {
            println!("{} excluded: {r}\n    {}", names.len(), names.join(" "));
        }
        println!("{} functions in the table", built.spec.entries.len());
        let _ = std::fs::remove_dir_all(&dir);
        return Ok(ExitCode::SUCCESS);
    }
    let seeds = parse_seeds(&args.seeds)?;
    let only: Option<Vec<usize>> = match &args.only {
        Some(s) => Some(
            s.split(',')
                .map(|x| {
                    x.trim()
                        .parse()
                        .map_err(|_| format!("bad --only index {x:?}"))
                })
                .collect::<Result<_, String>>()?,
        ),
        None => None,
    };
    let cfgs = configs(&args)?;
    let cpy_dir = built
        .cpython_so
        .parent()
        .ok_or("no directory")?
        .to_path_buf();
    let excluded: Mutex<Vec<Excluded>> = Mutex::new(Vec::new());
    let totals: Vec<Mutex<Totals>> = cfgs.iter().map(|_| Mutex::new(Totals::default())).collect();
    let refs: Mutex<Vec<Reference>> = Mutex::new(Vec::new());
    let queue = Mutex::new(seeds.clone());
    let errors: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let tracing: Vec<bool> = cfgs.iter().map(|(l, _)| l.starts_with("tracing")).collect();
    std::thread::scope(|s| {
        for _ in 0..args.jobs.max(1) {
            s.spawn(|| loop {
                let Some(seed) = queue.lock().unwrap_or_else(|e| e.into_inner()).pop() else {
                    break;
                };
                let r = match reference(seed, &args, &cpy_dir, &dir, &excluded, only.clone()) {
                    Ok(r) => r,
                    Err(e) => {
                        errors.lock().unwrap_or_else(|e| e.into_inner()).push(e);
                        continue;
                    }
                };
                for (k, (_, init)) in cfgs.iter().enumerate() {
                    let batch = Batch {
                        seed,
                        calls: args.calls,
                        exclude: Some(r.exclude_file.clone()),
                        only: only.clone(),
                        freed_at: args.debug.then(|| args.calls.saturating_sub(1)),
                    };
                    let rt = Runtime::Ours(init.clone(), built.ours_so.clone(), args.debug);
                    let out = match run::run(&rt, &batch, &dir, Duration::from_secs(args.timeout)) {
                        Ok(o) => o,
                        Err(e) => {
                            errors.lock().unwrap_or_else(|e| e.into_inner()).push(e);
                            continue;
                        }
                    };
                    let mut cmp = compare::compare(&r.log, &out.log, tracing[k]);
                    // progress on stderr, one line per batch (stdout holds the result)
                    eprintln!(
                        "fuzz: seed {seed} [{}]: {} calls compared, {} agree{} ({:.0} s)",
                        cfgs[k].0,
                        cmp.in_contract,
                        cmp.agreed,
                        if cmp.fatal.is_some() {
                            ", CRASH/HANG"
                        } else {
                            ""
                        },
                        started.elapsed().as_secs_f64()
                    );
                    let mut t = totals[k].lock().unwrap_or_else(|e| e.into_inner());
                    if args.debug {
                        // the last call used a released object: it must have been reported
                        let reported = out.stderr.contains("pyopaque debug:");
                        if reported {
                            t.debug_reports += 1;
                        }
                        if let Some(f) = cmp.fatal.take() {
                            if !reported {
                                t.debug_unreported.push((seed, f));
                            }
                        }
                        cmp.diffs.retain(|(c, _)| c.index + 1 != args.calls);
                    }
                    t.calls += cmp.in_contract + cmp.excluded + cmp.unavailable_calls;
                    t.in_contract += cmp.in_contract;
                    t.agreed += cmp.agreed;
                    t.functions.extend(cmp.functions);
                    let had_diffs = !cmp.diffs.is_empty() || !cmp.pool_diffs.is_empty();
                    for (n, (c, o)) in cmp.diffs.into_iter().enumerate() {
                        t.diffs.push((seed, c, o, n == 0));
                    }
                    for (p, o) in cmp.pool_diffs {
                        t.pool_diffs.push((seed, p, o));
                    }
                    t.pool_unavailable.extend(cmp.pool_unavailable);
                    t.unavailable_calls += cmp.unavailable_calls;
                    if had_diffs {
                        t.count_after_divergence += cmp.count_diffs.len();
                    } else {
                        for (k, c, o) in cmp.count_diffs {
                            t.leaks.push((seed, k, c, o));
                        }
                    }
                    if let Some(f) = cmp.fatal {
                        let f = if out.timed_out {
                            format!("{f} (timed out)")
                        } else {
                            f
                        };
                        t.fatal.push((seed, format!("{f}\n{}", out.stderr)));
                    }
                }
                refs.lock().unwrap_or_else(|e| e.into_inner()).push(r);
            });
        }
    });
    let errors = errors.into_inner().unwrap_or_else(|e| e.into_inner());
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    let excluded = excluded.into_inner().unwrap_or_else(|e| e.into_inner());
    let refs = refs.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut failed = false;
    let mut config_json = Vec::new();
    let mut text = String::new();
    for (k, (label, init)) in cfgs.iter().enumerate() {
        let t = totals[k].lock().unwrap_or_else(|e| e.into_inner());
        let verdicts = compare::load_verdicts(
            label
                .split('+')
                .take(4)
                .collect::<Vec<_>>()
                .join("+")
                .as_str(),
        );
        let groups: Vec<Divergence> = compare::group(&t.diffs, &verdicts);
        let bugs: Vec<&Divergence> = groups.iter().filter(|g| g.class == "bug").collect();
        let unclassified_calls: usize = bugs.iter().map(|g| g.count).sum();
        let agreement = if t.in_contract > 0 {
            t.agreed as f64 / t.in_contract as f64
        } else {
            0.0
        };
        let bad = !t.fatal.is_empty()
            || !t.leaks.is_empty()
            || !bugs.is_empty()
            || !t.pool_diffs.is_empty()
            || !t.debug_unreported.is_empty();
        failed |= bad;
        text.push_str(&format!(
            "[{label}] {} calls ({} in contract, {} excluded after crashing CPython, {} not compared: \
             they use a pool object pyopaque cannot build), {} distinct functions, \
             agreement {:.3}% ({} differ: {} unclassified), {} crashes/hangs, {} leaks{}\n",
            t.calls,
            t.in_contract,
            t.calls - t.in_contract - t.unavailable_calls,
            t.unavailable_calls,
            t.functions.len(),
            agreement * 100.0,
            t.in_contract - t.agreed,
            unclassified_calls,
            t.fatal.len(),
            t.leaks.len(),
            if args.debug {
                format!(", {} misuse reports, {} unreported", t.debug_reports, t.debug_unreported.len())
            } else {
                String::new()
            }
        ));
        for g in &groups {
            text.push_str(&format!(
                "    {:>6}x {} {} -> CPython {} / pyopaque {} [{}{}] (seed {} call {})\n",
                g.count,
                g.function,
                g.args,
                g.cpython,
                g.pyopaque,
                g.class,
                if g.reason.is_empty() {
                    String::new()
                } else {
                    format!(": {}", g.reason)
                },
                g.seed,
                g.index
            ));
        }
        for (p, o) in &t.pool_unavailable {
            text.push_str(&format!(
                "    pool object not built (documented limitation): CPython {p} / pyopaque {o}\n"
            ));
        }
        for (seed, p, o) in &t.pool_diffs {
            text.push_str(&format!(
                "    pool differs (seed {seed}): CPython {p} / pyopaque {o}\n"
            ));
        }
        for (seed, key, c, o) in &t.leaks {
            text.push_str(&format!(
                "    LEAK seed {seed}: pool object {key} count change CPython {c}, pyopaque {o}\n"
            ));
        }
        for (seed, f) in &t.fatal {
            text.push_str(&format!("    CRASH seed {seed}: {f}\n"));
        }
        // shrink the failures: crashes first, then unclassified differences (first examples)
        let mut shrunk = Vec::new();
        if bad && !args.no_shrink && only.is_none() {
            let rt = Runtime::Ours(init.clone(), built.ours_so.clone(), args.debug);
            let mut targets: Vec<(u64, usize, bool)> = Vec::new();
            for (seed, f) in t.fatal.iter().take(3) {
                if let Some(c) = f.split_whitespace().next().and_then(|x| x.parse().ok()) {
                    targets.push((*seed, c, true));
                }
            }
            for g in bugs.iter().take(5) {
                targets.push((g.seed, g.index, false));
            }
            for (seed, index, crash) in targets {
                let Some(r) = refs.iter().find(|r| r.seed == seed) else {
                    continue;
                };
                let seq = shrink(
                    seed,
                    index,
                    &args,
                    &cpy_dir,
                    &rt,
                    &dir,
                    &r.exclude_file,
                    crash,
                );
                let line = format!(
                    "    shortest sequence ({}): pyopaque fuzz --config {} --seeds {seed} --calls {} --only {}{}",
                    if crash { "crash" } else { "divergence" },
                    label.split('+').next().unwrap_or("default"),
                    index + 1,
                    seq.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(","),
                    if args.gc_stress { " --gc-stress" } else { "" }
                );
                let calls: Vec<String> = r
                    .log
                    .iter()
                    .filter_map(|l| compare::parse_call(l))
                    .filter(|c| seq.contains(&c.index))
                    .map(|c| format!("        {} {}{} -> {}", c.index, c.name, c.args, c.outcome))
                    .collect();
                text.push_str(&line);
                text.push('\n');
                text.push_str(&calls.join("\n"));
                text.push('\n');
                shrunk.push(json!({"seed": seed, "index": index, "crash": crash, "sequence": seq}));
            }
        }
        config_json.push(json!({
            "label": label,
            "calls": t.calls,
            "in_contract": t.in_contract,
            "agreed": t.agreed,
            "agreement": agreement,
            "distinct_functions": t.functions.len(),
            "crashes_and_hangs": t.fatal.iter().map(|(s, f)| json!({"seed": s, "what": f})).collect::<Vec<_>>(),
            "leaks": t.leaks.iter().map(|(s, k, c, o)| json!({"seed": s, "object": k, "cpython": c, "pyopaque": o})).collect::<Vec<_>>(),
            "count_differences_after_divergence": t.count_after_divergence,
            "pool_differences": t.pool_diffs.len(),
            "pool_unavailable": t.pool_unavailable.iter().map(|(c, o)| json!({"cpython": c, "pyopaque": o})).collect::<Vec<_>>(),
            "calls_not_compared": t.unavailable_calls,
            "divergences": groups,
            "unclassified_calls": unclassified_calls,
            "debug_reports": t.debug_reports,
            "debug_unreported": t.debug_unreported.len(),
            "shrunk": shrunk,
        }));
    }
    if std::env::var_os("PYOPAQUE_FUZZ_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let mut rules: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, r) in &built.spec.excluded {
        *rules.entry(r.as_str()).or_default() += 1;
    }
    if args.json {
        let v = json!({
            "seeds": seeds,
            "calls_per_seed": args.calls,
            "gc_stress": args.gc_stress,
            "debug": args.debug,
            "table_functions": built.spec.entries.len(),
            "excluded_by_rule": rules,
            "excluded_after_crashing_cpython": excluded,
            "configurations": config_json,
            "seconds": started.elapsed().as_secs_f64(),
            "ok": !failed,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?
        );
    } else {
        println!(
            "pyopaque fuzz: {} functions in the table ({} candidates excluded by rule), seeds {}, {} calls each",
            built.spec.entries.len(),
            built.spec.excluded.len(),
            args.seeds,
            args.calls
        );
        println!(
            "{} call shapes excluded after crashing or hanging CPython:",
            excluded.len()
        );
        for e in &excluded {
            println!(
                "    {} [{} {}] {} (seed {} call {} {})",
                e.function, e.mask, e.category, e.what, e.seed, e.index, e.args
            );
        }
        print!("{text}");
        println!("{:.1} s", started.elapsed().as_secs_f64());
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
