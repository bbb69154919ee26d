//! Set operators between sets: `a & b`, `a | b`, `a - b`, `a ^ b` when both operands are a
//! `set` or `frozenset` (CPython's `set_and`, `set_or`, `set_sub`, `set_xor`: any other right
//! operand gives NotImplemented, hence TypeError). The result has the left operand's type
//! (`frozenset() | set()` is a frozenset), as in CPython.

use pyopaque_runtime::{Handle, PyResult, Thread};

use crate::objects::dict_views::SetOp;
use crate::objects::set::{is_anyset, is_set, keys, new_set};

/// `a op b` for two sets; `None` when either operand is not a set or frozenset.
pub fn binop(cx: &mut Thread, a: Handle, b: Handle, op: SetOp) -> PyResult<Option<Handle>> {
    let (ao, bo) = (cx.get(a), cx.get(b));
    if !is_anyset(ao) || !is_anyset(bo) {
        return Ok(None);
    }
    let frozen = !is_set(ao);
    let (ad, bd) = (keys(cx, ao), keys(cx, bo));
    let r = new_set(cx, frozen, None)?;
    let rd = keys(cx, cx.get(r));
    let none = cx.root(cx.rt.none);
    // Items of `src` whose presence in `other` is `keep`.
    let add = |cx: &mut Thread, src: Handle, other: Option<(Handle, bool)>| -> PyResult<()> {
        let mut pos = 0;
        loop {
            let Some((k, _)) = cx.dict_next(cx.get(src), &mut pos) else {
                return Ok(());
            };
            let kh = cx.root(k);
            let wanted = match other {
                None => true,
                Some((o, keep)) => cx.dict_get(o, kh)?.is_some() == keep,
            };
            if wanted {
                cx.dict_set(rd, kh, none)?;
            }
        }
    };
    match op {
        SetOp::And => add(cx, ad, Some((bd, true)))?,
        SetOp::Or => {
            add(cx, ad, None)?;
            add(cx, bd, None)?;
        }
        SetOp::Sub => add(cx, ad, Some((bd, false)))?,
        SetOp::Xor => {
            add(cx, ad, Some((bd, false)))?;
            add(cx, bd, Some((ad, false)))?;
        }
    }
    Ok(Some(r))
}
