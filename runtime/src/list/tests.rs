//! Unit tests: the transition table, bit-exact floats, sort stability, the box cache, accounting.

use std::sync::atomic::Ordering;

use super::Slice;
use crate::config::BorrowPolicy;
use crate::{BinOp, Config, Handle, Runtime, Thread};

fn with(tagging: bool, strategies: bool, policy: BorrowPolicy, f: impl FnOnce(&mut Thread)) {
    let rt = Runtime::new(Config {
        tagging,
        strategies,
        borrow_policy: policy,
        ..Config::default()
    });
    let mut cx = Thread::attach(&rt).unwrap();
    cx.scope(f);
    assert_eq!(cx.handle_count(), 0);
    cx.collect();
    assert_eq!(
        rt.stats.off_heap_bytes.load(Ordering::Relaxed),
        0,
        "every list's storage was released"
    );
}

fn each(f: impl Fn(&mut Thread)) {
    for tagging in [true, false] {
        for policy in [BorrowPolicy::Deoptimize, BorrowPolicy::BoxCache] {
            with(tagging, true, policy, &f);
        }
    }
}

fn strat(cx: &Thread, l: Handle) -> &'static str {
    cx.list_strategy_name(cx.get(l))
}

fn repr(cx: &mut Thread, h: Handle) -> String {
    cx.repr_of(h).unwrap()
}

#[derive(Clone, Copy, Debug)]
enum K {
    Int,
    NearInt,
    Float,
    Bool,
    Big,
    Str,
    Nil,
}

fn make(cx: &mut Thread, k: K) -> Handle {
    match k {
        K::Int => cx.int(7),
        K::NearInt => cx.int(i64::MAX - 1),
        K::Float => cx.float(2.5),
        K::Bool => cx.root(cx.rt.true_),
        K::Big => {
            let a = cx.int(i64::MAX);
            cx.binop(a, a, BinOp::Mul).unwrap()
        }
        K::Str => cx.str("s"),
        K::Nil => cx.root(cx.rt.none),
    }
}

#[test]
fn transition_table() {
    use K::*;
    // (start contents, element added, expected strategy)
    let table: &[(&[K], K, &str)] = &[
        (&[], Int, "int"),
        (&[], NearInt, "int"),
        (&[], Float, "float"),
        (&[], Bool, "object"),
        (&[], Big, "object"),
        (&[], Str, "object"),
        (&[], Nil, "object"),
        (&[Int], Int, "int"),
        (&[Int], NearInt, "int"),
        (&[Int], Float, "object"),
        (&[Int], Bool, "object"),
        (&[Int], Big, "object"),
        (&[Int], Str, "object"),
        (&[Float], Float, "float"),
        (&[Float], Int, "object"),
        (&[Float], Bool, "object"),
        (&[Float], Big, "object"),
        (&[Float], Nil, "object"),
        (&[Str], Int, "object"),
        (&[Str], Float, "object"),
    ];
    each(|cx| {
        for &(start, add, want) in table {
            for op in 0..4 {
                cx.scope(|cx| {
                    let l = cx.list();
                    for &k in start {
                        let x = make(cx, k);
                        cx.list_append(l, x).unwrap();
                    }
                    let before = repr(cx, l);
                    let x = make(cx, add);
                    let xr = repr(cx, x);
                    match op {
                        0 => cx.list_append(l, x).unwrap(),
                        1 => cx.list_insert(l, 0, x).unwrap(),
                        2 => {
                            let t = cx.tuple(&[x]);
                            cx.list_extend(l, t).unwrap()
                        }
                        _ => {
                            let src = cx.list_from(&[x]);
                            let n = cx.list_len(cx.get(l)) as isize;
                            cx.list_set_slice(l, Slice::new(Some(n), None, None), src)
                                .unwrap()
                        }
                    }
                    assert_eq!(strat(cx, l), want, "{start:?} + {add:?} via op {op}");
                    // Nothing lost, nothing reordered, True stays True, 2 stays an int.
                    let inner = before.trim_start_matches('[').trim_end_matches(']');
                    let expect = match (op, inner.is_empty()) {
                        (_, true) => format!("[{xr}]"),
                        (1, false) => format!("[{xr}, {inner}]"),
                        _ => format!("[{inner}, {xr}]"),
                    };
                    assert_eq!(repr(cx, l), expect);
                });
            }
        }
    });
}

#[test]
fn strategies_off_means_object_storage() {
    with(true, false, BorrowPolicy::Deoptimize, |cx| {
        let l = cx.list();
        assert_eq!(strat(cx, l), "object");
        let x = cx.int(1);
        cx.list_append(l, x).unwrap();
        assert_eq!(strat(cx, l), "object");
        cx.list_clear(l);
        assert_eq!(strat(cx, l), "object");
    });
}

#[test]
fn nan_and_negative_zero_are_bit_exact() {
    let weird_nan = f64::from_bits(0x7ff8_dead_beef_0001);
    let neg_nan = f64::from_bits(0xfff8_0000_0000_0000);
    let values = [
        f64::NAN,
        weird_nan,
        neg_nan,
        -0.0,
        0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e-310,
    ];
    each(|cx| {
        let l = cx.list();
        for v in values {
            let x = cx.float(v);
            cx.list_append(l, x).unwrap();
        }
        assert_eq!(strat(cx, l), "float");
        let c = cx.list_copy(l);
        cx.list_reverse(c);
        cx.list_reverse(c);
        let rep = cx.list_repeat(c, 2).unwrap();
        for (i, v) in values.iter().enumerate() {
            for list in [l, c, rep] {
                let e = cx.list_get(list, i as isize).unwrap();
                assert_eq!(cx.float_value(cx.get(e)).unwrap().to_bits(), v.to_bits());
            }
        }
        // -0.0 == 0.0 but stays -0.0; NaN is not found (unboxed NaN has no identity).
        let z = cx.float(0.0);
        assert_eq!(cx.list_index(l, z, None, None).unwrap(), 3);
        let n = cx.float(f64::NAN);
        assert!(!cx.list_contains(l, n).unwrap());
        // Widening keeps the bits.
        let s = cx.str("x");
        cx.list_append(l, s).unwrap();
        assert_eq!(strat(cx, l), "object");
        for (i, v) in values.iter().enumerate() {
            let e = cx.list_get(l, i as isize).unwrap();
            assert_eq!(cx.float_value(cx.get(e)).unwrap().to_bits(), v.to_bits());
        }
        // Sorting a float list with NaN does not panic and keeps every element.
        cx.list_sort(c, None, false).unwrap();
        let mut bits: Vec<u64> = (0..values.len())
            .map(|i| {
                let e = cx.list_get(c, i as isize).unwrap();
                cx.float_value(cx.get(e)).unwrap().to_bits()
            })
            .collect();
        bits.sort();
        let mut want: Vec<u64> = values.iter().map(|v| v.to_bits()).collect();
        want.sort();
        assert_eq!(bits, want);
    });
}

#[test]
fn int_and_float_equal_across_strategies() {
    each(|cx| {
        let l = cx.list();
        for v in [1i64, 2, 1 << 53, (1 << 53) + 1, i64::MAX] {
            let x = cx.int(v);
            cx.list_append(l, x).unwrap();
        }
        let one_f = cx.float(1.0);
        assert!(cx.list_contains(l, one_f).unwrap(), "1.0 in [1, ...]");
        let t = cx.root(cx.rt.true_);
        assert_eq!(cx.list_count(l, t).unwrap(), 1, "True == 1");
        let f53 = cx.float((1u64 << 53) as f64);
        assert_eq!(cx.list_index(l, f53, None, None).unwrap(), 2);
        let fmax = cx.float(i64::MAX as f64); // 2**63: no i64 equals it
        assert!(!cx.list_contains(l, fmax).unwrap());
        let fl = cx.list();
        for v in [1.0, 2.5, 9_223_372_036_854_775_808.0] {
            let x = cx.float(v);
            cx.list_append(fl, x).unwrap();
        }
        let one = cx.int(1);
        assert!(cx.list_contains(fl, one).unwrap());
        let big = cx.int(i64::MAX);
        let one2 = cx.int(1);
        let big = cx.binop(big, one2, BinOp::Add).unwrap(); // 2**63, a big int
        assert_eq!(cx.list_index(fl, big, None, None).unwrap(), 2);
        // [1, 2] == [1.0, 2.0] across strategies
        let a = cx.list_from(&[one, one]);
        let b = cx.list_from(&[one_f, one_f]);
        assert!(cx.list_compare(a, b, crate::CompareOp::Eq).unwrap());
        let two = cx.float(2.0);
        cx.list_set(b, 1, two).unwrap();
        assert!(cx.list_compare(a, b, crate::CompareOp::Lt).unwrap());
    });
}

#[test]
fn sort_is_stable_with_key_and_reverse() {
    each(|cx| {
        // Pairs (value, tag): key = value % 3; ties must keep insertion order.
        let vals: Vec<i64> = (0..200).map(|i| (i * 7919) % 101).collect();
        let l = cx.list();
        for &v in &vals {
            let x = cx.int(v);
            cx.list_append(l, x).unwrap();
        }
        // Make it an object list of (boxed) ints and floats: keys then decide the order.
        let f = cx.float(0.5);
        cx.list_append(l, f).unwrap();
        let three = cx.int(3);
        for reverse in [false, true] {
            let c = cx.list_copy(l);
            let mut key = |cx: &mut Thread, h: Handle| {
                let k = cx.binop(h, three, BinOp::Mod)?;
                let fl = cx.float_value_of(cx.get(k))?.unwrap();
                Ok(cx.int(fl as i64))
            };
            cx.list_sort(c, Some(&mut key), reverse).unwrap();
            let mut want: Vec<f64> = vals.iter().map(|&v| v as f64).chain([0.5]).collect();
            let k = |v: &f64| (v.rem_euclid(3.0)) as i64;
            if reverse {
                want.reverse();
                want.sort_by_key(k);
                want.reverse();
            } else {
                want.sort_by_key(k);
            }
            let got: Vec<f64> = (0..want.len())
                .map(|i| {
                    let e = cx.list_get(c, i as isize).unwrap();
                    cx.float_value_of(cx.get(e)).unwrap().unwrap()
                })
                .collect();
            assert_eq!(got, want, "reverse={reverse}");
        }
        // Int storage sorts unboxed.
        let c = cx.list();
        for &v in &vals {
            let x = cx.int(v);
            cx.list_append(c, x).unwrap();
        }
        cx.list_sort(c, None, true).unwrap();
        assert_eq!(strat(cx, c), "int");
        let mut want = vals.clone();
        want.sort_by(|a, b| b.cmp(a));
        assert_eq!(cx.list_int_slice(cx.get(c)).unwrap(), &want[..]);
    });
}

#[test]
fn stable_float_sort_keeps_signed_zeros_in_order() {
    each(|cx| {
        let l = cx.list();
        for v in [0.0, -0.0, 1.0, -0.0, 0.0] {
            let x = cx.float(v);
            cx.list_append(l, x).unwrap();
        }
        cx.list_sort(l, None, false).unwrap();
        let got: Vec<u64> = cx
            .list_float_slice(cx.get(l))
            .unwrap()
            .iter()
            .map(|f| f.to_bits())
            .collect();
        let want: Vec<u64> = [0.0, -0.0, -0.0, 0.0, 1.0f64]
            .iter()
            .map(|f| f.to_bits())
            .collect();
        assert_eq!(got, want);
    });
}

#[test]
fn incomparable_sort_raises_type_error_and_keeps_elements() {
    each(|cx| {
        let l = cx.list();
        let (a, b, c) = (cx.int(3), cx.str("x"), cx.int(1));
        for x in [a, b, c] {
            cx.list_append(l, x).unwrap();
        }
        assert!(cx.list_sort(l, None, false).is_err());
        assert!(cx.error_matches(cx.rt.types.exc.type_error));
        cx.clear_error();
        assert_eq!(repr(cx, l), "[3, 'x', 1]");
    });
}

#[test]
fn box_cache_and_deopt() {
    for tagging in [true, false] {
        with(tagging, true, BorrowPolicy::BoxCache, |cx| {
            let l = cx.list();
            for v in [1.5, 2.5, 3.5] {
                let x = cx.float(v);
                cx.list_append(l, x).unwrap();
            }
            let r1 = cx.list_borrow_item(l, 1);
            let r1b = cx.list_borrow_item(l, 1);
            assert_eq!(r1, r1b, "the cache hands out the same box");
            assert_eq!(cx.rt.stats.borrow_boxed.load(Ordering::Relaxed), 1);
            assert_eq!(strat(cx, l), "float");
            // The cache moves with its element.
            cx.list_reverse(l);
            let _ = cx.float(9.0); // collect+move in stress mode
            let r = cx.list_borrow_item(l, 1);
            assert_eq!(cx.float_value(r), Some(2.5));
            assert_eq!(cx.rt.stats.borrow_boxed.load(Ordering::Relaxed), 1);
            let x = cx.float(0.0);
            cx.list_insert(l, 0, x).unwrap();
            let r = cx.list_borrow_item(l, 2);
            assert_eq!(cx.float_value(r), Some(2.5));
            assert_eq!(cx.rt.stats.borrow_boxed.load(Ordering::Relaxed), 1);
            cx.list_sort(l, None, false).unwrap();
            let r = cx.list_borrow_item(l, 2);
            assert_eq!(cx.float_value(r), Some(2.5));
            assert_eq!(cx.rt.stats.borrow_boxed.load(Ordering::Relaxed), 1);
            // Widening reuses the cached box.
            let s = cx.str("s");
            cx.list_append(l, s).unwrap();
            let after = cx.list_borrow_item(l, 2);
            assert_eq!(cx.float_value(after), Some(2.5));
            assert_eq!(cx.rt.stats.borrow_deopts.load(Ordering::Relaxed), 0);
        });
        with(tagging, true, BorrowPolicy::Deoptimize, |cx| {
            let l = cx.list();
            for v in [1i64, 2, 3] {
                let x = cx.int(v);
                cx.list_append(l, x).unwrap();
            }
            let r = cx.list_borrow_item(l, 0);
            assert_eq!(r.is_tagged(), tagging);
            assert_eq!(strat(cx, l), if tagging { "int" } else { "object" });
            let p = cx.list_items_ptr(l);
            assert_eq!(strat(cx, l), "object");
            // SAFETY: the list has 3 elements in object storage; no allocation since the call.
            let second = unsafe { *p.add(1) };
            let h = cx.root(second);
            assert_eq!(repr(cx, h), "2");
            assert_eq!(cx.rt.stats.borrow_deopts.load(Ordering::Relaxed), 1);
        });
    }
}

#[test]
fn off_heap_bytes_follow_capacity() {
    each(|cx| {
        let base = cx.rt.stats.off_heap_bytes.load(Ordering::Relaxed);
        let l = cx.list();
        for i in 0..1000 {
            let x = cx.int(i);
            cx.list_append(l, x).unwrap();
        }
        let bytes = cx.list_storage_bytes(cx.get(l));
        assert!(bytes >= 8000);
        assert_eq!(
            cx.rt.stats.off_heap_bytes.load(Ordering::Relaxed) - base,
            bytes
        );
        let s = cx.str("x");
        cx.list_append(l, s).unwrap();
        let bytes = cx.list_storage_bytes(cx.get(l));
        assert_eq!(
            cx.rt.stats.off_heap_bytes.load(Ordering::Relaxed) - base,
            bytes
        );
        cx.list_clear(l);
        assert_eq!(cx.rt.stats.off_heap_bytes.load(Ordering::Relaxed), base);
    });
}

#[test]
fn slices_follow_cpython() {
    each(|cx| {
        let l = cx.list();
        for i in 0..10 {
            let x = cx.int(i);
            cx.list_append(l, x).unwrap();
        }
        let s = cx
            .list_get_slice(l, Slice::new(None, None, Some(-3)))
            .unwrap();
        assert_eq!(repr(cx, s), "[9, 6, 3, 0]");
        let s = cx
            .list_get_slice(l, Slice::new(Some(-3), Some(100), None))
            .unwrap();
        assert_eq!(repr(cx, s), "[7, 8, 9]");
        assert!(cx
            .list_get_slice(l, Slice::new(None, None, Some(0)))
            .is_err());
        assert!(cx.error_matches(cx.rt.types.exc.value_error));
        cx.clear_error();
        let a = cx.str("a");
        let t = cx.tuple(&[a, a]);
        assert!(cx
            .list_set_slice(l, Slice::new(None, None, Some(2)), t)
            .is_err());
        let e = cx.take_error().unwrap();
        assert_eq!(
            cx.describe_exception(e),
            "ValueError: attempt to assign sequence of size 2 to extended slice of size 5"
        );
        cx.list_set_slice(l, Slice::new(Some(5), Some(2), None), t)
            .unwrap();
        assert_eq!(repr(cx, l), "[0, 1, 2, 3, 4, 'a', 'a', 5, 6, 7, 8, 9]");
        cx.list_del_slice(l, Slice::new(Some(1), None, Some(2)))
            .unwrap();
        assert_eq!(repr(cx, l), "[0, 2, 4, 'a', 6, 8]");
        cx.list_set_slice(l, Slice::new(None, None, Some(-1)), l)
            .unwrap();
        assert_eq!(repr(cx, l), "[8, 6, 'a', 4, 2, 0]");
        let idx = cx.str("i");
        assert!(cx.list_getitem(l, idx).is_err());
        let e = cx.take_error().unwrap();
        assert_eq!(
            cx.describe_exception(e),
            "TypeError: list indices must be integers or slices, not str"
        );
    });
}

/// `sum()` gives the same value on every strategy: the unboxed float path adds left to right
/// from the int 0 (so `sum([-0.0])` is `0.0`, as in CPython), the int path is exact beyond i64,
/// and mixed object lists go through `+` without growing the handle stack.
#[test]
fn sum_agrees_across_strategies() {
    for strategies in [true, false] {
        with(true, strategies, BorrowPolicy::Deoptimize, |cx| {
            let xs = [0.1, 0.2, 0.3, 1e16, -1e16, 2.5];
            let l = cx.list();
            for x in xs {
                let f = cx.float(x);
                cx.list_append(l, f).unwrap();
            }
            let s = cx.list_sum(l).unwrap();
            let want = xs.iter().fold(0.0f64, |a, x| a + x);
            assert_eq!(cx.float_value(cx.get(s)).unwrap().to_bits(), want.to_bits());
            let z = cx.list();
            let nz = cx.float(-0.0);
            cx.list_append(z, nz).unwrap();
            let s = cx.list_sum(z).unwrap();
            assert_eq!(repr(cx, s), "0.0");
            let big = cx.list();
            for _ in 0..3 {
                let v = cx.int(i64::MAX);
                cx.list_append(big, v).unwrap();
            }
            let s = cx.list_sum(big).unwrap();
            assert_eq!(repr(cx, s), (3 * i64::MAX as i128).to_string());
            let mixed = cx.list();
            let before = cx.handle_count();
            for i in 0..100 {
                let v = if i % 2 == 0 {
                    cx.int(i)
                } else {
                    cx.float(i as f64)
                };
                cx.list_append(mixed, v).unwrap();
            }
            let grown = cx.handle_count() - before;
            let s = cx.list_sum(mixed).unwrap();
            assert_eq!(repr(cx, s), "4950.0");
            assert_eq!(
                cx.handle_count(),
                before + grown + 1,
                "sum adds only its result handle"
            );
        });
    }
}
