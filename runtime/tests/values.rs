//! Creating, inspecting and comparing builtin values, under every scheme and with tagging on and
//! off: arithmetic across the immediate boundary, CPython's hash and equality rules, dicts,
//! exceptions, repr/str.

use pyopaque_runtime::objref::{SMALL_INT_MAX, SMALL_INT_MIN};
use pyopaque_runtime::{BinOp, CompareOp, Config, Runtime, Scheme, Thread};

/// Runs `f` under every scheme x tagging x immortal (under Miri: every scheme, with tagging and
/// immortality alternating, to keep the interpreter's time reasonable).
fn each_config(mut f: impl FnMut(&mut Thread)) {
    for (i, scheme) in Scheme::ALL.into_iter().enumerate() {
        let axis = |k: usize| {
            if cfg!(miri) {
                vec![(i >> k) & 1 == 0]
            } else {
                vec![true, false]
            }
        };
        for tagging in axis(0) {
            for immortal in axis(1) {
                let rt = Runtime::new(Config {
                    scheme,
                    tagging,
                    immortal,
                    ..Config::default()
                });
                let mut cx = Thread::attach(&rt).unwrap();
                f(&mut cx);
                assert_eq!(cx.handle_count(), 0, "test left handles rooted");
            }
        }
    }
}

fn repr(cx: &mut Thread, h: pyopaque_runtime::Handle) -> String {
    cx.repr_of(h).unwrap()
}

#[test]
fn arithmetic_across_the_immediate_boundary() {
    each_config(|cx| {
        cx.scope(|cx| {
            let max = cx.int(SMALL_INT_MAX);
            let one = cx.int(1);
            let up = cx.binop(max, one, BinOp::Add).unwrap();
            assert_eq!(repr(cx, up), (SMALL_INT_MAX as i128 + 1).to_string());
            // The boxed result is still a plain int and comes back down.
            let down = cx.binop(up, one, BinOp::Sub).unwrap();
            assert_eq!(cx.get(down).is_tagged(), cx.tagging());
            assert!(cx.eq(down, max).unwrap());
            let min = cx.int(SMALL_INT_MIN);
            let below = cx.binop(min, one, BinOp::Sub).unwrap();
            assert_eq!(repr(cx, below), (SMALL_INT_MIN as i128 - 1).to_string());
            let neg = cx.neg(min).unwrap();
            assert_eq!(repr(cx, neg), (-(SMALL_INT_MIN as i128)).to_string());
            // Beyond i64: big ints, never wrapping.
            let big = cx.int(i64::MAX);
            let sq = cx.binop(big, big, BinOp::Mul).unwrap();
            assert_eq!(
                repr(cx, sq),
                (i64::MAX as i128 * i64::MAX as i128).to_string()
            );
            let imin = cx.int(i64::MIN);
            let m1 = cx.int(-1);
            let q = cx.binop(imin, m1, BinOp::FloorDiv).unwrap();
            assert_eq!(repr(cx, q), "9223372036854775808");
            let negmin = cx.neg(imin).unwrap();
            assert!(cx.eq(q, negmin).unwrap());
            // floor division and modulo round toward negative infinity
            let a = cx.int(-7);
            let b = cx.int(2);
            let fd = cx.binop(a, b, BinOp::FloorDiv).unwrap();
            let md = cx.binop(a, b, BinOp::Mod).unwrap();
            assert_eq!((repr(cx, fd), repr(cx, md)), ("-4".into(), "1".into()));
            let z = cx.int(0);
            assert!(cx.binop(a, z, BinOp::Mod).is_err());
            assert!(cx.error_matches(cx.rt.types.exc.zero_division_error));
            assert!(cx.error_matches(cx.rt.types.exc.arithmetic_error));
            cx.clear_error();
            // comparisons across the boundary
            assert!(cx.compare(min, max, CompareOp::Lt).unwrap());
            assert!(cx.compare(below, min, CompareOp::Lt).unwrap());
            assert!(cx.compare(up, max, CompareOp::Gt).unwrap());
            assert!(cx.compare(sq, up, CompareOp::Ge).unwrap());
        });
    });
}

#[test]
fn hash_and_equality_follow_cpython() {
    each_config(|cx| {
        cx.scope(|cx| {
            let one = cx.int(1);
            let onef = cx.float(1.0);
            let t = cx.root(cx.rt.true_);
            assert!(cx.eq(one, onef).unwrap());
            assert!(cx.eq(one, t).unwrap());
            assert_eq!(cx.hash(one).unwrap(), 1);
            assert_eq!(cx.hash(onef).unwrap(), 1);
            assert_eq!(cx.hash(t).unwrap(), 1);
            let m1 = cx.int(-1);
            assert_eq!(cx.hash(m1).unwrap(), -2);
            let big = cx.int(1 << 62);
            let bigf = cx.float((1u64 << 62) as f64);
            assert_eq!(cx.hash(big).unwrap(), cx.hash(bigf).unwrap());
            assert!(cx.eq(big, bigf).unwrap());
            let s1 = cx.str("abc");
            let s2 = cx.str("abc");
            assert!(cx.eq(s1, s2).unwrap());
            assert_eq!(cx.hash(s1).unwrap(), cx.hash(s2).unwrap());
            let b = cx.bytes(b"abc");
            assert!(!cx.eq(s1, b).unwrap(), "str and bytes never compare equal");
            let t1 = cx.tuple(&[one, s1]);
            let t2 = cx.tuple(&[onef, s2]);
            assert!(cx.eq(t1, t2).unwrap());
            assert_eq!(cx.hash(t1).unwrap(), cx.hash(t2).unwrap());
            let nan = cx.float(f64::NAN);
            assert!(!cx.eq(nan, nan).unwrap());
            let l = cx.list();
            assert!(cx.hash(l).is_err());
            assert!(cx.error_matches(cx.rt.types.exc.type_error));
            cx.clear_error();
            assert!(cx.compare(s1, one, CompareOp::Lt).is_err());
            cx.clear_error();
        });
    });
}

#[test]
fn tuple_hash_is_cpythons() {
    each_config(|cx| {
        cx.scope(|cx| {
            let one = cx.int(1);
            let two = cx.int(2);
            let t = cx.tuple(&[one, two]);
            assert_eq!(cx.hash(t).unwrap(), -3550055125485641917);
            let e = cx.tuple(&[]);
            assert_eq!(cx.hash(e).unwrap(), 5740354900026072187);
        });
    });
}

#[test]
fn dict_is_insertion_ordered_and_merges_numeric_keys() {
    each_config(|cx| {
        cx.scope(|cx| {
            let d = cx.dict();
            for i in (0..100).rev() {
                let k = cx.int(i);
                let v = cx.str(&format!("v{i}"));
                cx.dict_set(d, k, v).unwrap();
            }
            assert_eq!(cx.dict_len(cx.get(d)), 100);
            let mut pos = 0;
            let (k0, _) = cx.dict_next(cx.get(d), &mut pos).unwrap();
            let k0 = cx.root(k0);
            assert_eq!(repr(cx, k0), "99");
            // 1, 1.0 and True are one key
            let onef = cx.float(1.0);
            let x = cx.str("float one");
            cx.dict_set(d, onef, x).unwrap();
            assert_eq!(cx.dict_len(cx.get(d)), 100);
            let t = cx.root(cx.rt.true_);
            let got = cx.dict_get(d, t).unwrap().unwrap();
            assert_eq!(repr(cx, got), "'float one'");
            for i in 0..50 {
                let k = cx.int(i * 2);
                assert!(cx.dict_del(d, k).unwrap());
            }
            let k = cx.int(0);
            assert!(!cx.dict_del(d, k).unwrap());
            assert_eq!(cx.dict_len(cx.get(d)), 50);
            let lst = cx.list();
            assert!(cx.dict_set(d, lst, lst).is_err(), "unhashable key");
            cx.clear_error();
            let small = cx.dict();
            let a = cx.str("a");
            let n = cx.int(1);
            cx.dict_set(small, a, n).unwrap();
            let b = cx.bytes(b"b");
            let f = cx.float(2.5);
            cx.dict_set(small, b, f).unwrap();
            assert_eq!(repr(cx, small), "{'a': 1, b'b': 2.5}");
        });
    });
}

#[test]
fn exceptions_have_cpythons_hierarchy_and_text() {
    each_config(|cx| {
        let exc = cx.rt.types.exc.clone();
        assert!(cx.is_subtype(exc.index_error, exc.lookup_error));
        assert!(cx.is_subtype(exc.key_error, exc.exception));
        assert!(cx.is_subtype(exc.zero_division_error, exc.arithmetic_error));
        assert!(cx.is_subtype(exc.unicode_decode_error, exc.value_error));
        assert!(!cx.is_subtype(exc.type_error, exc.value_error));
        assert!(!cx.is_subtype(exc.keyboard_interrupt, exc.exception));
        let r = cx.raise(exc.index_error, "list index out of range");
        assert_eq!(r, pyopaque_runtime::Raised);
        assert!(cx.error_matches(exc.lookup_error));
        let e = cx.take_error().unwrap();
        assert_eq!(
            cx.describe_exception(e),
            "IndexError: list index out of range"
        );
        assert_eq!(repr(cx, e), "IndexError('list index out of range')");
        let k = cx.str("k");
        let ke = cx.scope_escape(|cx| {
            let args = cx.tuple(&[k]);
            cx.exception_with_args(exc.key_error, args)
        });
        assert_eq!(cx.str_of(ke).unwrap(), "'k'");
        let ty = cx.root(exc.value_error);
        assert_eq!(repr(cx, ty), "<class 'ValueError'>");
        cx.raise_object(ty);
        let e2 = cx.take_error().unwrap();
        assert_eq!(repr(cx, e2), "ValueError()");
        let m = pyopaque_runtime::HandleMark::from_handle(e);
        cx.release(m);
    });
}

#[test]
fn reprs_match_cpython() {
    each_config(|cx| {
        cx.scope(|cx| {
            let n = cx.root(cx.rt.none);
            let f = cx.float(0.1);
            let s = cx.str("it's");
            let one = cx.int(1);
            let t1 = cx.tuple(&[one]);
            let l = cx.list();
            cx.list_append(l, n).unwrap();
            cx.list_append(l, f).unwrap();
            cx.list_append(l, s).unwrap();
            cx.list_append(l, t1).unwrap();
            assert_eq!(repr(cx, l), "[None, 0.1, \"it's\", (1,)]");
            let big = cx.float(1e22);
            assert_eq!(repr(cx, big), "1e+22");
        });
    });
}

#[test]
fn classic_refuses_a_second_thread() {
    let rt = Runtime::new(Config::with_scheme(Scheme::Classic));
    let _a = Thread::attach(&rt).unwrap();
    let err = std::thread::scope(|s| s.spawn(|| Thread::attach(&rt).err()).join().unwrap());
    assert!(err.unwrap().contains("single-threaded"));
    let rt = Runtime::new(Config::with_scheme(Scheme::Atomic));
    let _a = Thread::attach(&rt).unwrap();
    std::thread::scope(|s| {
        s.spawn(|| assert!(Thread::attach(&rt).is_ok()))
            .join()
            .unwrap()
    });
}

#[test]
fn stress_mode_really_collects_and_moves() {
    let rt = Runtime::new(Config {
        gc_stress: true,
        ..Config::default()
    });
    let mut cx = Thread::attach(&rt).unwrap();
    cx.scope(|cx| {
        let s = cx.str("moving");
        let before = cx.get(s);
        let _other = cx.float(1.5);
        let after = cx.get(s);
        assert_ne!(
            before, after,
            "the string moved when the float was allocated"
        );
        assert_eq!(cx.str_value(after), Some("moving"));
        let l = cx.list();
        for i in 0..50 {
            let f = cx.float(i as f64);
            cx.list_append(l, f).unwrap();
        }
        let want: Vec<String> = (0..50).map(|i| format!("{i}.0")).collect();
        assert_eq!(repr(cx, l), format!("[{}]", want.join(", ")));
    });
    assert!(
        rt.stats
            .collections
            .load(std::sync::atomic::Ordering::Relaxed)
            > 50
    );
}

#[test]
fn type_errors_use_cpythons_wording() {
    each_config(|cx| {
        cx.scope(|cx| {
            let s = cx.str("a");
            let one = cx.int(1);
            assert!(cx.compare(s, one, CompareOp::Lt).is_err());
            let e = cx.take_error().unwrap();
            assert_eq!(
                cx.describe_exception(e),
                "TypeError: '<' not supported between instances of 'str' and 'int'"
            );
            assert!(cx.binop(s, one, BinOp::Add).is_err());
            let e = cx.take_error().unwrap();
            assert_eq!(
                cx.describe_exception(e),
                "TypeError: unsupported operand type(s) for +: 'str' and 'int'"
            );
        });
    });
}

/// Regression: type attributes (methods, constants set from C) live in the heap and must be
/// roots that the collector updates, or a moved attribute value dangles.
#[test]
fn type_attributes_are_roots_that_move() {
    let rt = Runtime::new(Config {
        gc_stress: true,
        ..Config::default()
    });
    let mut cx = Thread::attach(&rt).unwrap();
    let ty = rt.new_type(pyopaque_runtime::TypeObject::new(
        "m.T",
        Some(rt.types.object),
        pyopaque_runtime::Kind::Native,
        0,
        0,
    ));
    cx.scope(|cx| {
        let v = cx.str("attribute value");
        let obj = cx.get(v);
        pyopaque_runtime::refcount::incref(cx, obj);
        pyopaque_runtime::binding::type_payload(ty)
            .attrs
            .lock()
            .push(("x".into(), obj));
    });
    let before = pyopaque_runtime::binding::type_payload(ty).attrs.lock()[0].1;
    cx.scope(|cx| {
        for i in 0..10 {
            let _ = cx.float(i as f64);
        }
    });
    let after = pyopaque_runtime::binding::type_payload(ty).attrs.lock()[0].1;
    assert_ne!(before, after, "the attribute value moved");
    cx.check(after);
    assert_eq!(cx.str_value(after), Some("attribute value"));
}

/// Forgetting to root is caught in debug builds: a raw reference held across an allocation in
/// stress mode points at the moved-from copy, and the next access panics at the caller's line.
#[test]
#[cfg(debug_assertions)]
#[should_panic(expected = "stale object reference")]
fn unrooted_reference_across_an_allocation_panics() {
    let rt = Runtime::new(Config {
        gc_stress: true,
        ..Config::default()
    });
    let mut cx = Thread::attach(&rt).unwrap();
    let s = cx.str("held without a handle");
    let raw = cx.get(s);
    let _ = cx.float(1.0); // collects and moves `s`
    let _ = cx.kind_of(raw); // stale: must panic here
}
