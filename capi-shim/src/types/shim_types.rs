//! Types the shim defines because the runtime has no equivalent: modules, builtin functions and
//! bound methods, method/member/getset descriptors, a sequence iterator, capsules, and the part
//! of CPython's exception hierarchy the runtime lacks.
//!
//! Their payloads are Rust structs allocated in the moving heap ([`Kind::Native`]). Reference
//! fields come first, as `Option<ObjRef>` slots the collector sees and updates; each holds an
//! *internal* reference. When the object dies by reference counting, the finalizer defers the
//! decrefs of those fields to the next API entry (the runtime holds `&mut Thread` while it
//! deallocates). When it dies in a collection (a garbage cycle) under a counting scheme, live
//! referents keep the count it held (they leak; see the report).

use std::ffi::{c_char, c_void, CString};
use std::sync::{Arc, OnceLock};

use pyopaque_gc::{ObjectReference, Slot};
use pyopaque_runtime::binding::{is_external, type_payload};
use pyopaque_runtime::header::header_of;
use pyopaque_runtime::refcount;
use pyopaque_runtime::types::{tpflags, EXCEPTION_HIERARCHY};
use pyopaque_runtime::{Kind, NativeHooks, ObjRef, Runtime, TypeObject};

use crate::boundary::ffi::{PyGetSetDef, PyMemberDef, PyMethodDef, PyModuleDef};

/// Handles to the shim's own types (all external, immortal).
pub struct ShimTypes {
    /// `module`.
    pub module: ObjRef,
    /// `builtin_function_or_method`.
    pub cfunction: ObjRef,
    /// `method_descriptor`.
    pub method_descr: ObjRef,
    /// `member_descriptor`.
    pub member_descr: ObjRef,
    /// `getset_descriptor`.
    pub getset_descr: ObjRef,
    /// `iterator` (`PySeqIter_New`: `seq[i]` until IndexError; the builtin containers have
    /// their own iterator types, see `iters`).
    pub seq_iter: ObjRef,
    /// `PyCapsule`.
    pub capsule: ObjRef,
    /// `memoryview` (see `buffer.rs`).
    pub memoryview: ObjRef,
    /// `slice` (see `slice.rs`).
    pub slice: ObjRef,
    /// `callable_iterator` (see `objects/iterators.rs`).
    pub call_iter: ObjRef,
    /// `set` (see `set.rs`).
    pub set: ObjRef,
    /// `frozenset`.
    pub frozenset: ObjRef,
    /// `mappingproxy` (see `proxy.rs`).
    pub mappingproxy: ObjRef,
    /// `types.GenericAlias` (see `proxy.rs`).
    pub generic_alias: ObjRef,
    /// `classmethod_descriptor` (`PyDescr_NewClassMethod`, `METH_CLASS` methods of C types).
    pub classmethod_descr: ObjRef,
    /// `bytearray` (see `bytearray.rs`).
    pub bytearray: ObjRef,
    /// `complex` (see `complex.rs`).
    pub complex: ObjRef,
    /// Types whose exported symbol our headers declare but whose objects the runtime cannot
    /// make (yet): `traceback` (no frames, see `python/traceback.rs`), the iterator and
    /// descriptor types of builtins the runtime lacks (`range`, `map`, `property`, ...), and
    /// the two CPython cannot give an opaque header (`moduledef`, `wrapper_descriptor`).
    /// They have no instances, so a type test against them is false for every object and a
    /// module referring to the symbol still loads. See [`INSTANCELESS_TYPES`].
    pub instanceless: Vec<(&'static str, ObjRef)>,
    /// The builtin containers' iterator types and the dict views (see `objects/iterators.rs`).
    pub iters: crate::objects::iterators::IterTypes,
    /// `range`, `enumerate`, `zip`, `map`, `filter`, `reversed` (see `objects/lazy_iters.rs`).
    pub lazy: crate::objects::lazy_iters::LazyTypes,
    /// Every exception type by name (the runtime's plus the shim's).
    pub exc: Vec<(&'static str, ObjRef)>,
}

// SAFETY: ObjRefs of external immortal types: plain addresses shared read-only.
unsafe impl Send for ShimTypes {}
// SAFETY: as above.
unsafe impl Sync for ShimTypes {}

/// Names of the types in [`ShimTypes::instanceless`].
pub const INSTANCELESS_TYPES: &[&str] = &[
    "traceback",
    "longrange_iterator",
    "super",
    "property",
    "moduledef",
    "wrapper_descriptor",
];

/// Exception types CPython has and the runtime does not: (name, base).
const EXTRA_EXCEPTIONS: &[(&str, &str)] = &[
    ("BaseExceptionGroup", "BaseException"),
    ("GeneratorExit", "BaseException"),
    ("ConnectionError", "OSError"),
    ("BlockingIOError", "OSError"),
    ("BrokenPipeError", "ConnectionError"),
    ("ChildProcessError", "OSError"),
    ("ConnectionAbortedError", "ConnectionError"),
    ("ConnectionRefusedError", "ConnectionError"),
    ("ConnectionResetError", "ConnectionError"),
    ("FileExistsError", "OSError"),
    ("FileNotFoundError", "OSError"),
    ("InterruptedError", "OSError"),
    ("IsADirectoryError", "OSError"),
    ("NotADirectoryError", "OSError"),
    ("PermissionError", "OSError"),
    ("ProcessLookupError", "OSError"),
    ("TimeoutError", "OSError"),
    ("BytesWarning", "Warning"),
    ("EncodingWarning", "Warning"),
    ("FutureWarning", "Warning"),
    ("ImportWarning", "Warning"),
    ("PendingDeprecationWarning", "Warning"),
    ("ResourceWarning", "Warning"),
    ("SyntaxWarning", "Warning"),
    ("UnicodeWarning", "Warning"),
    ("EOFError", "Exception"),
    ("FloatingPointError", "ArithmeticError"),
    ("ModuleNotFoundError", "ImportError"),
    ("RecursionError", "RuntimeError"),
    ("ReferenceError", "Exception"),
    ("StopAsyncIteration", "Exception"),
    ("SyntaxError", "Exception"),
    ("IndentationError", "SyntaxError"),
    ("TabError", "IndentationError"),
    ("UnboundLocalError", "NameError"),
    ("UnicodeTranslateError", "UnicodeError"),
];

impl ShimTypes {
    /// Creates the shim's types in `rt`.
    pub fn new(rt: &Arc<Runtime>) -> Self {
        let object = rt.types.object;
        let mk = |name: &str, hooks: &'static NativeHooks| {
            let mut t =
                TypeObject::new(name, Some(object), Kind::Native, 0, tpflags::IMMUTABLETYPE);
            t.hooks = Some(hooks);
            rt.new_type(t)
        };
        // Subclassable builtins (as `lazy_native_type` made them).
        let mk_base = |name: &str, hooks: &'static NativeHooks| {
            let mut t = TypeObject::new(name, Some(object), Kind::Native, 0, tpflags::BASETYPE);
            t.hooks = Some(hooks);
            rt.new_type(t)
        };
        let mut exc: Vec<(&'static str, ObjRef)> = Vec::new();
        let e = &rt.types.exc;
        for (name, _) in EXCEPTION_HIERARCHY {
            let t = match *name {
                "BaseException" => e.base_exception,
                "Exception" => e.exception,
                "TypeError" => e.type_error,
                "ValueError" => e.value_error,
                "LookupError" => e.lookup_error,
                "IndexError" => e.index_error,
                "KeyError" => e.key_error,
                "AttributeError" => e.attribute_error,
                "ArithmeticError" => e.arithmetic_error,
                "OverflowError" => e.overflow_error,
                "ZeroDivisionError" => e.zero_division_error,
                "MemoryError" => e.memory_error,
                "SystemError" => e.system_error,
                "RuntimeError" => e.runtime_error,
                "NotImplementedError" => e.not_implemented_error,
                "UnicodeError" => e.unicode_error,
                "UnicodeDecodeError" => e.unicode_decode_error,
                "UnicodeEncodeError" => e.unicode_encode_error,
                "AssertionError" => e.assertion_error,
                "StopIteration" => e.stop_iteration,
                "BufferError" => e.buffer_error,
                "ImportError" => e.import_error,
                "OSError" => e.os_error,
                "NameError" => e.name_error,
                "KeyboardInterrupt" => e.keyboard_interrupt,
                "SystemExit" => e.system_exit,
                "Warning" => e.warning,
                "DeprecationWarning" => e.deprecation_warning,
                "RuntimeWarning" => e.runtime_warning,
                "UserWarning" => e.user_warning,
                other => panic!("runtime exception {other} unknown to the shim"),
            };
            exc.push((name, t));
        }
        for (name, base) in EXTRA_EXCEPTIONS {
            let b = exc
                .iter()
                .find(|x| x.0 == *base)
                .expect("base defined first")
                .1;
            let t = rt.new_type(TypeObject::new(
                name,
                Some(b),
                Kind::Exception,
                0,
                tpflags::BASETYPE | tpflags::BASE_EXC_SUBCLASS | tpflags::HAVE_GC,
            ));
            exc.push((name, t));
        }
        let st = ShimTypes {
            module: mk("module", &MODULE_HOOKS),
            cfunction: mk("builtin_function_or_method", &FUNC_HOOKS),
            method_descr: mk("method_descriptor", &FUNC_HOOKS),
            member_descr: mk("member_descriptor", &DESCR_HOOKS),
            getset_descr: mk("getset_descriptor", &DESCR_HOOKS),
            seq_iter: mk("iterator", &ITER_HOOKS),
            capsule: mk("PyCapsule", &CAPSULE_HOOKS),
            memoryview: mk("memoryview", &crate::r#abstract::buffer::MEMORYVIEW_HOOKS),
            slice: mk("slice", &crate::objects::slice::SLICE_HOOKS),
            call_iter: mk(
                "callable_iterator",
                &crate::objects::iterators::CALL_ITER_HOOKS,
            ),
            set: mk("set", &crate::objects::set::SET_HOOKS),
            frozenset: mk("frozenset", &crate::objects::set::SET_HOOKS),
            mappingproxy: mk("mappingproxy", &crate::objects::proxy::PAIR_HOOKS),
            generic_alias: mk("types.GenericAlias", &crate::objects::proxy::PAIR_HOOKS),
            classmethod_descr: mk("classmethod_descriptor", &FUNC_HOOKS),
            bytearray: mk_base("bytearray", &crate::objects::bytearray::HOOKS),
            complex: mk_base("complex", &crate::objects::complex::HOOKS),
            instanceless: INSTANCELESS_TYPES
                .iter()
                .map(|n| (*n, mk(n, &DESCR_HOOKS)))
                .collect(),
            iters: crate::objects::iterators::IterTypes::new(rt),
            lazy: crate::objects::lazy_iters::LazyTypes::new(rt),
            exc,
        };
        crate::boundary::static_symbols::set_exceptions(&|name| st.exc_named(name));
        // Instances that accept weak references, as in CPython (see `weakref.rs`).
        for t in [st.module, st.cfunction, st.set, st.frozenset] {
            type_payload(t).add_flags(tpflags::MANAGED_WEAKREF);
        }
        st
    }

    /// The instanceless type called `name` (one of [`INSTANCELESS_TYPES`]).
    pub fn instanceless(&self, name: &str) -> ObjRef {
        self.instanceless
            .iter()
            .find(|e| e.0 == name)
            .unwrap_or_else(|| panic!("no instanceless type {name}"))
            .1
    }

    /// The exception type called `name`.
    pub fn exc_named(&self, name: &str) -> ObjRef {
        self.exc
            .iter()
            .find(|e| e.0 == name)
            .unwrap_or_else(|| panic!("no exception {name}"))
            .1
    }
}

static TYPES: OnceLock<ShimTypes> = OnceLock::new();

/// The shim's types, created when the runtime starts (by [`start`], which the crate root hands
/// the boundary as [`Layers::start`](crate::boundary::cx::Layers)); the first call starts the
/// runtime if nothing has.
#[inline]
pub fn shim_types() -> &'static ShimTypes {
    match TYPES.get() {
        Some(t) => t,
        None => {
            let _ = crate::boundary::cx::global();
            TYPES
                .get()
                .expect("the runtime's start creates the shim types")
        }
    }
}

/// Creates the shim's types for `rt` (once per process) and returns their static type symbols
/// with the type each stands for.
pub fn start(rt: &Arc<Runtime>) -> Vec<(usize, ObjRef)> {
    let st = TYPES.get_or_init(|| ShimTypes::new(rt));
    crate::types::static_types::entries(st)
}

// ----- payloads -----

/// Payload of a module.
#[repr(C)]
pub struct ModulePayload {
    /// The module's `__dict__` (a runtime dict).
    pub dict: Option<ObjRef>,
    /// The definition it was created from (NULL for `PyModule_New`).
    pub def: *mut PyModuleDef,
    /// Per-module state (`m_size` bytes, zeroed, malloc'd: never moves).
    pub state: *mut c_void,
    /// `__name__` as a C string (for `PyModule_GetName`).
    pub name: *mut c_char,
}

/// Payload of a builtin function, bound method or method descriptor.
#[repr(C)]
pub struct FuncPayload {
    /// `__self__` (module for module functions, instance for bound methods; None: unbound).
    pub self_: Option<ObjRef>,
    /// `__module__` object, if any.
    pub module: Option<ObjRef>,
    /// Defining class (METH_METHOD), an external type.
    pub cls: Option<ObjRef>,
    /// The C definition (static in the extension).
    pub def: *mut PyMethodDef,
}

/// Payload of a member or getset descriptor.
#[repr(C)]
pub struct DescrPayload {
    /// Owning type (external).
    pub owner: Option<ObjRef>,
    /// `*mut PyMemberDef` or `*mut PyGetSetDef`.
    pub def: *mut c_void,
}

/// Payload of a sequence iterator.
#[repr(C)]
pub struct IterPayload {
    /// The sequence (None once exhausted).
    pub seq: Option<ObjRef>,
    /// Next index.
    pub index: usize,
}

/// Payload of a capsule.
#[repr(C)]
pub struct CapsulePayload {
    /// The pointer.
    pub pointer: *mut c_void,
    /// Its name (may be NULL), owned by C.
    pub name: *const c_char,
    /// Context pointer.
    pub context: *mut c_void,
    /// Destructor, run when the capsule dies.
    pub destructor: Option<unsafe extern "C" fn(*mut crate::boundary::ffi::PyObject)>,
}

/// Typed view of a payload.
///
/// # Safety
/// `obj` must be a live heap object whose payload is a `T`.
pub unsafe fn payload<'a, T>(obj: ObjRef) -> &'a mut T {
    // SAFETY: caller's contract; payloads are 8-aligned and T's alignment is <= 8.
    unsafe { &mut *obj.as_ptr().cast::<T>() }
}

/// Allocates an object of shim type `ty` holding `value`, returning it rooted.
pub fn alloc<T>(
    cx: &mut pyopaque_runtime::Thread,
    ty: ObjRef,
    value: T,
) -> pyopaque_runtime::Handle {
    let r = cx.alloc_object(ty, std::mem::size_of::<T>());
    // SAFETY: fresh payload of size_of::<T>() bytes, 8-aligned (T has no larger alignment).
    unsafe { r.as_ptr().cast::<T>().write(value) };
    cx.root_owned(r)
}

pub fn visit_opt(slot: &mut Option<ObjRef>, visit: &mut dyn FnMut(Slot)) {
    if let Some(r) = *slot {
        if !r.is_tagged() && !is_external(r) {
            let p = std::ptr::NonNull::from(slot).cast::<ObjectReference>();
            // SAFETY: `slot` is a field of a live payload that holds a heap reference; it stays
            // at this address for the whole collection (payloads move as a whole; the collector
            // rewrites the slots of the copy it scans). Option<ObjRef> has ObjRef's layout.
            visit(unsafe { Slot::new(p) });
        }
    }
}

/// True when `obj` dies by reference counting (count zero, counting scheme), false when it dies
/// in a collection.
pub fn dies_by_count(obj: ObjRef) -> bool {
    let g = crate::boundary::cx::global();
    g.rt.config.scheme.counts_internal() && {
        // SAFETY (no unsafe): reading counts of an object being finalized (memory intact).
        let cx_scheme_total = total_count_raw(obj, g.rt.config.scheme);
        cx_scheme_total == 0
    }
}

fn total_count_raw(obj: ObjRef, scheme: pyopaque_runtime::Scheme) -> i64 {
    let h = header_of(obj);
    use std::sync::atomic::Ordering::Acquire;
    match scheme {
        pyopaque_runtime::Scheme::Biased => {
            (h.rc_a().load(Acquire) & 0xffff_ffff) as i64 + (h.rc_b().load(Acquire) >> 2)
        }
        _ => h.rc_a().load(Acquire) as i64,
    }
}

pub fn release_fields(obj: ObjRef, fields: &[Option<ObjRef>]) {
    if dies_by_count(obj) {
        for f in fields.iter().flatten() {
            if !f.is_tagged() {
                crate::boundary::cx::defer_decref(*f, false);
            }
        }
    }
    let _ = refcount::incref;
}

fn module_trace(obj: ObjRef, visit: &mut dyn FnMut(Slot)) {
    // SAFETY: hooks of the module type: the payload is a ModulePayload.
    let p = unsafe { payload::<ModulePayload>(obj) };
    visit_opt(&mut p.dict, visit);
}

fn module_finalize(obj: ObjRef) {
    // SAFETY: as above; runs once.
    let p = unsafe { payload::<ModulePayload>(obj) };
    release_fields(obj, &[p.dict]);
    if !p.state.is_null() {
        // SAFETY: the module def's m_free and the state pointer belong to this module.
        unsafe {
            if !p.def.is_null() {
                if let Some(free) = (*p.def).m_free {
                    let me = crate::boundary::cx::to_c(obj);
                    crate::boundary::cx::run_finalizer(!dies_by_count(obj), || free(me.cast()));
                }
            }
            libc::free(p.state);
        }
        p.state = std::ptr::null_mut();
    }
    if !p.name.is_null() {
        // SAFETY: made by CString::into_raw in module creation; freed once.
        drop(unsafe { CString::from_raw(p.name) });
        p.name = std::ptr::null_mut();
    }
}

fn func_trace(obj: ObjRef, visit: &mut dyn FnMut(Slot)) {
    // SAFETY: hooks of function types: the payload is a FuncPayload.
    let p = unsafe { payload::<FuncPayload>(obj) };
    visit_opt(&mut p.self_, visit);
    visit_opt(&mut p.module, visit);
    visit_opt(&mut p.cls, visit);
}

fn func_finalize(obj: ObjRef) {
    // SAFETY: as above.
    let p = unsafe { payload::<FuncPayload>(obj) };
    release_fields(obj, &[p.self_, p.module, p.cls]);
}

fn descr_trace(_obj: ObjRef, _visit: &mut dyn FnMut(Slot)) {}
fn descr_finalize(_obj: ObjRef) {}

fn iter_trace(obj: ObjRef, visit: &mut dyn FnMut(Slot)) {
    // SAFETY: hooks of the iterator type.
    let p = unsafe { payload::<IterPayload>(obj) };
    visit_opt(&mut p.seq, visit);
}

fn iter_finalize(obj: ObjRef) {
    // SAFETY: as above.
    let p = unsafe { payload::<IterPayload>(obj) };
    release_fields(obj, &[p.seq]);
}

fn capsule_finalize(obj: ObjRef) {
    // SAFETY: hooks of the capsule type.
    let p = unsafe { payload::<CapsulePayload>(obj) };
    if let Some(d) = p.destructor.take() {
        let me = crate::boundary::cx::to_c(obj);
        // SAFETY: the destructor C registered for this capsule, called once with the capsule.
        crate::boundary::cx::run_finalizer(!dies_by_count(obj), || unsafe { d(me) });
    }
}

static MODULE_HOOKS: NativeHooks = NativeHooks {
    trace: module_trace,
    finalize: module_finalize,
    c_layout: false,
};
static FUNC_HOOKS: NativeHooks = NativeHooks {
    trace: func_trace,
    finalize: func_finalize,
    c_layout: false,
};
static DESCR_HOOKS: NativeHooks = NativeHooks {
    trace: descr_trace,
    finalize: descr_finalize,
    c_layout: false,
};
static ITER_HOOKS: NativeHooks = NativeHooks {
    trace: iter_trace,
    finalize: iter_finalize,
    c_layout: false,
};
static CAPSULE_HOOKS: NativeHooks = NativeHooks {
    trace: descr_trace,
    finalize: capsule_finalize,
    c_layout: false,
};

/// True when `obj`'s type is `ty` (no subclassing for shim types).
pub fn is_exactly(obj: ObjRef, ty: ObjRef) -> bool {
    !obj.is_tagged() && header_of(obj).ty() == ty
}

/// The type's name for messages.
pub fn type_name(ty: ObjRef) -> &'static str {
    type_payload(ty).short_name()
}

/// Keeps descriptor definitions' types in scope for docs.
pub type _Defs = (PyMemberDef, PyGetSetDef);

/// A shim-side builtin type (`bytearray`, `complex`, ...), created once per process on first
/// use: an immortal external type object deriving from `object`, its payload described by
/// `hooks`. The reference is kept as an `ObjRef` (a pointer with provenance, never an integer).
pub fn lazy_native_type(
    cell: &'static std::sync::OnceLock<pyopaque_runtime::ObjRef>,
    name: &str,
    hooks: &'static pyopaque_runtime::NativeHooks,
) -> pyopaque_runtime::ObjRef {
    *cell.get_or_init(|| {
        let rt = &crate::boundary::cx::global().rt;
        let mut t = pyopaque_runtime::TypeObject::new(
            name,
            Some(rt.types.object),
            pyopaque_runtime::Kind::Native,
            0,
            pyopaque_runtime::types::tpflags::BASETYPE,
        );
        t.hooks = Some(hooks);
        rt.new_type(t)
    })
}
