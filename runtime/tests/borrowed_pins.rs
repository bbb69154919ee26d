//! Borrowed references handed to C (`Thread::note_borrowed`): an object borrowed twice in a row
//! during one native call is recorded once (one count, one entry), and it stays pinned (same
//! address across a collection) and alive until the call ends, under every scheme.

use pyopaque_runtime::{refcount, Config, Runtime, Scheme, Thread};

#[test]
fn repeated_borrows_pin_once_until_the_call_ends() {
    for scheme in [
        Scheme::Classic,
        Scheme::Atomic,
        Scheme::Biased,
        Scheme::Tracing,
    ] {
        let rt = Runtime::new(Config {
            scheme,
            gc_stress: false,
            ..Config::default()
        });
        let mut cx = Thread::attach(&rt).unwrap();
        let a = cx.str("borrowed-a");
        let b = cx.str("borrowed-b");
        let (ao, bo) = (cx.get(a), cx.get(b));
        let before = refcount::total_count(&cx, ao);

        cx.begin_native_call();
        cx.note_borrowed(ao);
        let once = refcount::total_count(&cx, ao);
        // The same object again, and again after another one: already pinned for this call.
        cx.note_borrowed(ao);
        cx.note_borrowed(bo);
        cx.note_borrowed(ao);
        assert_eq!(refcount::total_count(&cx, ao), once, "{scheme:?}");
        if scheme.counts_internal() {
            assert_eq!(once, before + 1, "{scheme:?}");
        }

        // Pinned: a collection leaves it where C saw it, with its value.
        let addr = ao.as_ptr().addr();
        cx.collect();
        assert_eq!(cx.get(a).as_ptr().addr(), addr, "{scheme:?}");
        assert_eq!(cx.str_value(cx.get(a)), Some("borrowed-a"), "{scheme:?}");

        // A nested call's borrow of an object the outer call already pinned is not repeated,
        // and the outer pin still holds after the nested call ends.
        cx.begin_native_call();
        cx.note_borrowed(ao);
        cx.end_native_call();
        assert_eq!(refcount::total_count(&cx, ao), once, "{scheme:?}");

        cx.end_native_call();
        assert_eq!(refcount::total_count(&cx, ao), before, "{scheme:?}");
        assert_eq!(cx.str_value(cx.get(b)), Some("borrowed-b"), "{scheme:?}");
    }
}
