//! Header layout per scheme, and the bytes each builtin object takes, read from the allocator's
//! GC word of real objects (not computed from type sizes).

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
    md.push_str("| object | classic | atomic | biased | tracing |\n|---|---:|---:|---:|---:|\n");
    for (name, v) in &rows {
        md.push_str(&format!(
            "| {name} | {} | {} | {} | {} |\n",
            v[0], v[1], v[2], v[3]
        ));
    }
    md.push_str(&format!(
        "\nSmall ints with tagging on take 0 heap bytes (an immediate word). Header: {HEADER_BYTES} bytes. \
         List and dict storage lives off the heap and is not included above.\n"
    ));
    let json_rows: serde_json::Map<String, serde_json::Value> = rows
        .iter()
        .map(|(n, v)| (n.to_string(), json!(v)))
        .collect();
    Section {
        key: "layout",
        markdown: md,
        json: json!({"header_bytes": HEADER_BYTES, "bytes_per_object": json_rows}),
    }
}
