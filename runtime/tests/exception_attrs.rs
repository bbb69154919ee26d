//! Exception instances keep an attribute dict (`| args | dict |`), and type flags can be set
//! after creation (`PyType_Freeze`): both must survive collections that move every object, under
//! every counting scheme.

use pyopaque_runtime::binding::type_payload;
use pyopaque_runtime::capi_support::{exception_args, exception_dict};
use pyopaque_runtime::types::tpflags;
use pyopaque_runtime::{Config, Runtime, Scheme, Thread};

#[test]
fn exception_dict_survives_moving_collections() {
    for scheme in Scheme::ALL {
        let rt = Runtime::new(Config {
            scheme,
            gc_stress: true,
            ..Default::default()
        });
        let mut cx = Thread::attach(&rt).unwrap();
        let ty = rt.types.exc.import_error;
        let e = cx.exception(ty, "no module");
        assert!(
            exception_dict(cx.get(e)).is_none(),
            "{scheme}: no dict before a store"
        );
        let d = cx.exception_dict(e);
        let k = cx.str("name");
        let v = cx.str("mymod");
        cx.dict_set(d, k, v).unwrap();
        for _ in 0..50 {
            let _ = cx.str("churn: every allocation collects and moves under gc_stress");
        }
        let eo = cx.get(e);
        let d2 = exception_dict(eo).expect("dict kept");
        let d2 = cx.root(d2);
        let k = cx.str("name");
        let got = cx.dict_get(d2, k).unwrap().expect("attribute kept");
        assert_eq!(cx.str_value(cx.get(got)), Some("mymod"), "{scheme}");
        let args = exception_args(cx.get(e)).expect("args kept");
        assert_eq!(cx.tuple_len(args), Some(1), "{scheme}");
    }
}

#[test]
fn type_flags_can_be_added_after_creation() {
    let rt = Runtime::new(Config::default());
    let t = rt.types.exc.value_error;
    let p = type_payload(t);
    let before = p.flags();
    p.add_flags(tpflags::HEAPTYPE);
    assert_eq!(p.flags(), before | tpflags::HEAPTYPE);
    assert!(
        p.flags() & tpflags::IMMUTABLETYPE != 0,
        "builtin types are immutable"
    );
}
