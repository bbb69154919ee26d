//! Exception instances: `| args: tuple | dict: dict or None |`. The type carries the hierarchy
//! (single inheritance from `BaseException`); `str(e)` and `repr(e)` follow CPython.
//!
//! The second word is the instance's attribute dict (CPython's `BaseException.__dict__`),
//! created on the first attribute store ([`Thread::exception_dict`]). It holds the attributes C
//! sets (`ImportError.name`, `SyntaxError.lineno`, ...): the C API shim stores them there rather
//! than in per-class C fields, since no C code sees the payload (`PyObject` is opaque).

use pyopaque_gc::Slot;

use crate::objref::ObjRef;
use crate::thread::{Handle, Raised, Thread};
use crate::types::Kind;

impl Thread {
    /// A new exception instance of type `ty` with `args`.
    pub fn exception_with_args(&mut self, ty: ObjRef, args: Handle) -> Handle {
        let r = self.alloc_object(ty, 16);
        let a = self.get(args);
        crate::refcount::incref(self, a);
        // SAFETY: fresh 16-byte payload: the args slot, then the dict slot (no dict yet).
        unsafe {
            r.as_ptr().cast::<Option<ObjRef>>().write(Some(a));
            r.as_ptr().cast::<Option<ObjRef>>().add(1).write(None);
        }
        self.root_owned(r)
    }

    /// The attribute dict of exception instance `exc`, created (empty) when it has none yet.
    /// The exception owns the dict (an internal reference, like its args).
    pub fn exception_dict(&mut self, exc: Handle) -> Handle {
        if let Some(d) = exc_dict(self.get(exc)) {
            return self.root(d);
        }
        let d = self.dict();
        let dv = self.get(d);
        crate::refcount::incref(self, dv);
        // SAFETY: `exc` is an exception instance (callers checked its kind); the second payload
        // word is its dict slot, empty here, which takes the reference counted above. The
        // object is re-read after the allocation (it may have moved).
        unsafe {
            self.get(exc)
                .as_ptr()
                .cast::<Option<ObjRef>>()
                .add(1)
                .write(Some(dv))
        };
        d
    }

    /// A new exception instance `ty(msg)`.
    pub fn exception(&mut self, ty: ObjRef, msg: &str) -> Handle {
        self.scope_escape(|cx| {
            let m = cx.str(msg);
            let args = cx.tuple(&[m]);
            cx.exception_with_args(ty, args)
        })
    }

    /// Sets the error indicator to `ty(msg)` and returns the marker to propagate.
    pub fn raise(&mut self, ty: ObjRef, msg: &str) -> Raised {
        let m = self.mark();
        let e = self.exception(ty, msg);
        let e = self.get(e);
        self.set_error(e);
        self.release(m);
        Raised
    }

    /// Sets the error indicator to the exception instance (or type, instantiated with no args)
    /// `exc`.
    pub fn raise_object(&mut self, exc: Handle) -> Raised {
        let obj = self.get(exc);
        if self.kind_of(obj) == Kind::Type && self.is_exception_type(obj) {
            let m = self.mark();
            let args = self.tuple(&[]);
            let e = self.exception_with_args(obj, args);
            let e = self.get(e);
            self.set_error(e);
            self.release(m);
        } else {
            self.set_error(obj);
        }
        Raised
    }

    /// True when `ty` is a type deriving from BaseException.
    pub fn is_exception_type(&self, ty: ObjRef) -> bool {
        self.kind_of(ty) == Kind::Type && self.is_subtype(ty, self.rt.types.exc.base_exception)
    }

    /// True when the current exception is an instance of `ty` (or of a subclass).
    pub fn error_matches(&self, ty: ObjRef) -> bool {
        match self.error() {
            Some(e) => self.is_subtype(self.type_of(e), ty),
            None => false,
        }
    }

    /// The exception's type name and `str()`, for diagnostics (`TypeError: message`).
    pub fn describe_exception(&mut self, exc: Handle) -> String {
        let ty = self.type_of(self.get(exc));
        let name = self.type_name(ty).to_string();
        let msg = self.str_of(exc).unwrap_or_else(|_| {
            self.clear_error();
            "<str() failed>".into()
        });
        if msg.is_empty() {
            name
        } else {
            format!("{name}: {msg}")
        }
    }

    /// Runs `f` in a handle scope and keeps only the handle it returns.
    pub fn scope_escape(&mut self, f: impl FnOnce(&mut Thread) -> Handle) -> Handle {
        let m = self.mark();
        let h = f(self);
        self.escape(m, h)
    }
}

/// The args tuple of an exception instance (None while being built).
pub(crate) fn exc_args(obj: ObjRef) -> Option<ObjRef> {
    // SAFETY: callers checked the kind is Exception; the payload's first word is the args slot.
    unsafe { obj.as_ptr().cast::<Option<ObjRef>>().read() }
}

/// Replaces the args tuple without touching counts (caller transfers ownership).
pub(crate) fn set_exc_args(obj: ObjRef, args: Option<ObjRef>) {
    // SAFETY: as for `exc_args`.
    unsafe { obj.as_ptr().cast::<Option<ObjRef>>().write(args) }
}

/// The attribute dict of an exception instance (None until an attribute is stored).
pub(crate) fn exc_dict(obj: ObjRef) -> Option<ObjRef> {
    // SAFETY: callers checked the kind is Exception; the payload's second word is the dict slot.
    unsafe { obj.as_ptr().cast::<Option<ObjRef>>().add(1).read() }
}

/// Visits the args and dict slots.
pub(crate) fn scan(obj: ObjRef, visit: &mut dyn FnMut(Slot)) {
    let p = obj.as_ptr().cast::<Option<ObjRef>>();
    crate::binding::visit_slot(p, visit);
    // SAFETY: the dict slot is the second word of the 16-byte payload.
    crate::binding::visit_slot(unsafe { p.add(1) }, visit);
}

/// Collects the args tuple and the dict.
pub(crate) fn release(obj: ObjRef, children: &mut Vec<ObjRef>) {
    if let Some(a) = exc_args(obj) {
        children.push(a);
    }
    set_exc_args(obj, None);
    if let Some(d) = exc_dict(obj) {
        children.push(d);
    }
    // SAFETY: as for `exc_dict`; the reference moved to `children`.
    unsafe { obj.as_ptr().cast::<Option<ObjRef>>().add(1).write(None) };
}
