//! The attributes of a builtin function or method (`builtin_function_or_method`): `__name__`,
//! `__qualname__`, `__doc__`, `__self__`, `__module__`, `__text_signature__`, read from the
//! function's `PyMethodDef` and payload as CPython's `meth_get__*__` getters do. PyO3 names the
//! functions it adds to a module by their `__name__`. Method descriptors answer the same names
//! (with `__objclass__` instead of `__self__`): Cython tells a replaced `__reduce__` by it.

use pyopaque_runtime::binding::type_payload;
use pyopaque_runtime::{Handle, PyResult, Thread};

use crate::boundary::cx;
use crate::types::shim_types::{payload, shim_types, FuncPayload};

/// The text of `doc` after a `name(signature)\n--\n\n` prefix (the signature convention of
/// `PyMethodDef.ml_doc`), and the signature if there was one.
fn split_signature<'a>(name: &str, doc: &'a str) -> (Option<&'a str>, &'a str) {
    if doc.starts_with(name) && doc[name.len()..].starts_with('(') {
        if let Some(end) = doc.find(")\n--\n\n") {
            return (Some(&doc[name.len()..=end]), &doc[end + 6..]);
        }
    }
    (None, doc)
}

/// Attribute `name` of the builtin function `h`, if it is one of the function attributes
/// (`None` for any other name or any other object).
pub fn attr(cx: &mut Thread, h: Handle, name: &str) -> PyResult<Option<Handle>> {
    let o = cx.get(h);
    let t = cx.type_of(o);
    if t == shim_types().method_descr || t == shim_types().classmethod_descr {
        return descriptor_attr(cx, h, name);
    }
    if t != shim_types().cfunction {
        return Ok(None);
    }
    // SAFETY: a builtin function's payload.
    let p = unsafe { payload::<FuncPayload>(o) };
    let (def, self_, module) = (p.def, p.self_, p.module);
    let (ml_name, doc) = def_texts(def);
    let none = cx.rt.none;
    let v = match name {
        "__name__" => cx.str(&ml_name),
        "__qualname__" => match self_ {
            // A method bound to an instance or class: the owner's name, a dot, the method's.
            Some(s) if cx.type_of(s) != shim_types().module => {
                let owner = if cx.kind_of(s) == pyopaque_runtime::Kind::Type {
                    s
                } else {
                    cx.type_of(s)
                };
                let q = format!("{}.{ml_name}", type_payload(owner).short_name());
                cx.str(&q)
            }
            _ => cx.str(&ml_name),
        },
        "__doc__" | "__text_signature__" => doc_attr(cx, name, &ml_name, doc.as_deref()),
        "__self__" => cx.root(self_.unwrap_or(none)),
        "__module__" => cx.root(module.unwrap_or(none)),
        _ => return Ok(None),
    };
    Ok(Some(v))
}

/// The name and doc of static definition `def` (the doc None when `ml_doc` is NULL).
fn def_texts(def: *mut crate::boundary::ffi::PyMethodDef) -> (String, Option<String>) {
    // SAFETY: function and descriptor payloads point at static C definitions with a C-string
    // name and a NULL or C-string doc.
    unsafe {
        let ml_doc = (*def).ml_doc;
        (
            cx::cstr_lossy((*def).ml_name),
            (!ml_doc.is_null()).then(|| cx::cstr_lossy(ml_doc)),
        )
    }
}

/// `__doc__` (the text after a signature prefix) or `__text_signature__` of a definition whose
/// `ml_doc` is `doc`; None when there is none.
fn doc_attr(cx: &mut Thread, which: &str, ml_name: &str, doc: Option<&str>) -> Handle {
    let parts = doc.map(|d| split_signature(ml_name, d));
    let v = match which {
        "__doc__" => parts.map(|p| p.1),
        _ => parts.and_then(|p| p.0),
    };
    match v {
        Some(t) => cx.str(t),
        None => cx.root(cx.rt.none),
    }
}

/// Attribute `name` of a method descriptor (`method_descriptor`, `classmethod_descriptor`):
/// CPython's `__name__`, `__qualname__` (`Owner.name`), `__objclass__`, `__doc__` and
/// `__text_signature__`.
fn descriptor_attr(cx: &mut Thread, h: Handle, name: &str) -> PyResult<Option<Handle>> {
    let o = cx.get(h);
    // SAFETY: a method descriptor's payload.
    let p = unsafe { payload::<FuncPayload>(o) };
    let (def, cls) = (p.def, p.cls);
    let (ml_name, doc) = def_texts(def);
    let none = cx.rt.none;
    let v = match name {
        "__name__" => cx.str(&ml_name),
        "__qualname__" => match cls {
            Some(c) => {
                let q = format!("{}.{ml_name}", type_payload(c).short_name());
                cx.str(&q)
            }
            None => cx.str(&ml_name),
        },
        "__objclass__" => cx.root(cls.unwrap_or(none)),
        "__doc__" | "__text_signature__" => doc_attr(cx, name, &ml_name, doc.as_deref()),
        _ => return Ok(None),
    };
    Ok(Some(v))
}

#[cfg(test)]
mod tests {
    use super::split_signature;

    #[test]
    fn a_signature_prefix_is_split_off_the_doc() {
        assert_eq!(
            split_signature("f", "f(a, b=1)\n--\n\nAdds."),
            (Some("(a, b=1)"), "Adds.")
        );
        assert_eq!(split_signature("f", "Adds."), (None, "Adds."));
        assert_eq!(
            split_signature("f", "g(x)\n--\n\nNo."),
            (None, "g(x)\n--\n\nNo.")
        );
    }
}
