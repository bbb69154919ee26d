//! Exception instances: `| args: tuple |`. The type carries the hierarchy (single inheritance
//! from `BaseException`); `str(e)` and `repr(e)` follow CPython.

use pyopaque_gc::Slot;

use crate::objref::ObjRef;
use crate::thread::{Handle, Raised, Thread};
use crate::types::Kind;

impl Thread {
    /// A new exception instance of type `ty` with `args`.
    pub fn exception_with_args(&mut self, ty: ObjRef, args: Handle) -> Handle {
        let r = self.alloc_object(ty, 8);
        let a = self.get(args);
        crate::refcount::incref(self, a);
        // SAFETY: fresh 8-byte payload: the args slot.
        unsafe { r.as_ptr().cast::<Option<ObjRef>>().write(Some(a)) };
        self.root_owned(r)
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

/// Visits the args slot.
pub(crate) fn scan(obj: ObjRef, visit: &mut dyn FnMut(Slot)) {
    crate::binding::visit_slot(obj.as_ptr().cast(), visit);
}

/// Collects the args tuple.
pub(crate) fn release(obj: ObjRef, children: &mut Vec<ObjRef>) {
    if let Some(a) = exc_args(obj) {
        children.push(a);
    }
    set_exc_args(obj, None);
}
