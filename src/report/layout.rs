//! Header layout per scheme, and the bytes each builtin object takes, read from the allocator's
//! GC word of real objects (not computed from type sizes), beside CPython's `sys.getsizeof` of
//! the same values (one `python3` run).

use serde_json::json;

use pyopaque_runtime::header::{header_of, HEADER_BYTES};
use pyopaque_runtime::{Config, Runtime, Scheme, Thread};

use super::Section;

/// The layout section.
pub fn section() -> Section {
    let mut md = String::from(
        "## Object layout\n\nEvery heap object is `[header][payload]`; the public reference (C's \
         `PyObject*`) points at the payload. The header is the same 32 bytes in every scheme; what \
         the two count words mean changes:\n\n\
         | offset | classic | atomic | biased | tracing |\n|---|---|---|---|---|\n\
         | -32 | GC word: size u32, flags u32 | same | same | same |\n\
         | -24 | type | type | type | type |\n\
         | -16 | count | atomic count | owner tid (hi) + local count (lo) | C-held count |\n\
         | -8 | 0 | 0 | shared count << 2, flags | 0 |\n\n\
         Bytes per object (header included), measured from allocated objects:\n\n",
    );
    let mut rows: Vec<(&str, Vec<usize>)> = Vec::new();
    for scheme in Scheme::ALL {
        let rt = Runtime::new(Config {
            scheme,
            tagging: false,
            gc_stress: false,
            ..Config::default()
        });
        let mut cx = Thread::attach(&rt).unwrap();
        let m = cx.mark();
        let objs = [
            ("int (boxed, 1000)", cx.int(1000)),
            ("int (beyond i64)", {
                let a = cx.int(i64::MAX);
                cx.binop(a, a, pyopaque_runtime::BinOp::Mul).unwrap()
            }),
            ("float", cx.float(1.5)),
            ("str 'abc'", cx.str("abc")),
            ("bytes b'abc'", cx.bytes(b"abc")),
            ("tuple (2 items)", {
                let a = cx.int(1000);
                cx.tuple(&[a, a])
            }),
            ("list (empty)", cx.list()),
            ("dict (empty)", cx.dict()),
        ];
        for (i, (name, h)) in objs.iter().enumerate() {
            let bytes = header_of(cx.get(*h)).cell_bytes();
            if rows.len() <= i {
                rows.push((name, Vec::new()));
            }
            rows[i].1.push(bytes);
        }
        cx.release(m);
    }
    let cpython = cpython_sizes();
    md.push_str("| object | classic | atomic | biased | tracing | CPython `sys.getsizeof` |\n|---|---:|---:|---:|---:|---:|\n");
    for (i, (name, v)) in rows.iter().enumerate() {
        let cp = match &cpython {
            Ok(c) => c
                .get(i)
                .map(|x| x.to_string())
                .unwrap_or_else(|| "n/a".into()),
            Err(_) => "n/a".into(),
        };
        md.push_str(&format!(
            "| {name} | {} | {} | {} | {} | {cp} |\n",
            v[0], v[1], v[2], v[3]
        ));
    }
    md.push_str(&format!(
        "\nSmall ints with tagging on take 0 heap bytes (an immediate word). Header: {HEADER_BYTES} bytes. \
         List and dict storage lives off the heap and is not included above. CPython's column is \
         `sys.getsizeof` of the same values in {}: the object's own bytes including its GC header \
         (16 bytes for tuple, list and dict), without pymalloc's rounding to 16 bytes, and for list \
         and dict without their separately allocated storage (empty here).\n",
        match &cpython {
            Ok(_) => super::machine::python_version(),
            Err(e) => format!("no CPython ({e})"),
        }
    ));
    let json_rows: serde_json::Map<String, serde_json::Value> = rows
        .iter()
        .map(|(n, v)| (n.to_string(), json!(v)))
        .collect();
    let cp_rows: serde_json::Map<String, serde_json::Value> = match &cpython {
        Ok(c) => rows
            .iter()
            .zip(c)
            .map(|((n, _), b)| (n.to_string(), json!(b)))
            .collect(),
        Err(_) => Default::default(),
    };
    Section {
        key: "layout",
        markdown: md,
        json: json!({"header_bytes": HEADER_BYTES, "bytes_per_object": json_rows,
                     "cpython_getsizeof": cp_rows}),
    }
}

/// `sys.getsizeof` in `python3` of the values of the layout table, in its row order.
fn cpython_sizes() -> Result<Vec<u64>, String> {
    let code = "import sys, json; print(json.dumps([sys.getsizeof(x) for x in \
                [1000, (2**63 - 1) * (2**63 - 1), 1.5, 'abc', b'abc', (1000, 1000), [], {}]]))";
    let out = std::process::Command::new("python3")
        .args(["-c", code])
        .output()
        .map_err(|e| format!("python3: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())
}
