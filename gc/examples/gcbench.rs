fn main() {
    for (k, v) in pyopaque_gc::bench::run(std::env::args().any(|a| a == "--quick")) {
        println!("{k} {v:.3}");
    }
}
