//! Embeds the C API headers (`capi-shim/include/*.h`) into the `pyopaque` executable, so that an
//! installed copy, far from the source tree, can still hand them to a compiler
//! (`capi_lib::include_dir` extracts them to a cache directory). Nothing here builds or links
//! the shim library: the CLI loads it at run time.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let dir = Path::new(&root).join("capi-shim").join("include");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=capi-shim/include");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("capi-shim/include")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| n.ends_with(".h"))
        .collect();
    names.sort();
    // FNV-1a over names and contents: names the extraction directory, so that two builds with
    // different headers never share one.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for &b in bytes {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    let mut table = String::new();
    for n in &names {
        let path = dir.join(n);
        feed(n.as_bytes());
        feed(&std::fs::read(&path).expect("header"));
        writeln!(
            table,
            "    ({n:?}, include_bytes!({:?})),",
            path.display().to_string()
        )
        .expect("write to a String");
    }
    let code = format!(
        "/// The C API headers, embedded at build time: (file name, contents).\n\
         pub const EMBEDDED_HEADERS: &[(&str, &[u8])] = &[\n{table}];\n\
         /// FNV-1a hash of the embedded headers' names and contents.\n\
         pub const EMBEDDED_HEADERS_HASH: &str = \"{hash:016x}\";\n"
    );
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("embedded_headers.rs");
    std::fs::write(out, code).expect("write embedded_headers.rs");
}
