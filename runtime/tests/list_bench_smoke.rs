//! Smoke test of the list benchmark code (tiny run in debug; the numbers are checked by
//! `cargo test --release -- --ignored list_bench_targets`).

#[test]
#[ignore]
fn list_bench_targets() {
    let r = pyopaque_runtime::list::bench::run(std::env::var("QUICK").is_ok());
    for (k, v) in &r {
        eprintln!("{k}: {v:.3}");
    }
    let get = |k: &str| r.iter().find(|(n, _)| *n == k).unwrap().1;
    if !cfg!(debug_assertions) {
        assert!(
            get("int_sum_ns_per_elem") <= 1.5 * get("raw_sum_ns_per_elem"),
            "sum within 1.5x of raw"
        );
        assert!(
            get("object_boxed_bytes_per_elem") >= 4.0 * get("int_bytes_per_elem"),
            ">= 4x less memory"
        );
        assert!(
            get("object_sort_ns_per_elem") >= 3.0 * get("int_sort_ns_per_elem"),
            "sort >= 3x faster"
        );
    }
    if std::env::var("TABLE").is_ok() {
        eprintln!("{}", pyopaque_runtime::list::bench::table(true));
    }
}
