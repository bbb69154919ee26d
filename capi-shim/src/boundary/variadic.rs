//! Exported symbols of the variadic (and `va_list`) entry points.
//!
//! Each symbol is a Rust naked function that tail-jumps to the C implementation in `va.c`
//! (`pyopaque_va_<Name>`, hidden). A jump leaves every argument register, the stack arguments
//! and (x86-64) `%al`, the count of vector registers used, exactly as the caller set them, so
//! the C function sees the original variadic call. The symbols are Rust items, hence in the
//! cdylib's export list (symbols defined only in C objects would be hidden by it).
//!
//! [`Va`] reads the arguments of a `va_list` from Rust through the `pyopaque_va_arg_*` helpers
//! of `va.c` (one call per argument).

use std::ffi::{c_double, c_int, c_long, c_longlong, c_uint, c_ulong, c_ulonglong, c_void};

use crate::boundary::ffi::Py_ssize_t;

macro_rules! trampolines {
    ($($name:ident => $target:ident),* $(,)?) => {
        unsafe extern "C" {
            $(fn $target();)*
        }
        $(
            #[doc = concat!("`", stringify!($name), "`: tail-jumps to `", stringify!($target), "` (va.c).")]
            ///
            /// # Safety
            /// Called from C with the arguments the C API documents for this function.
            #[unsafe(no_mangle)]
            #[unsafe(naked)]
            pub unsafe extern "C" fn $name() {
                #[cfg(target_arch = "x86_64")]
                core::arch::naked_asm!("jmp {t}", t = sym $target);
                #[cfg(target_arch = "aarch64")]
                core::arch::naked_asm!("b {t}", t = sym $target);
            }
        )*
        /// Names of every variadic entry point.
        pub const VARIADIC_NAMES: &[&str] = &[$(stringify!($name)),*];
    };
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
compile_error!("pyopaque-capi's variadic trampolines support x86_64 and aarch64 only");

trampolines! {
    PyArg_ParseTuple => pyopaque_va_PyArg_ParseTuple,
    PyArg_VaParse => pyopaque_va_PyArg_VaParse,
    PyArg_Parse => pyopaque_va_PyArg_Parse,
    PyArg_ParseTupleAndKeywords => pyopaque_va_PyArg_ParseTupleAndKeywords,
    PyArg_VaParseTupleAndKeywords => pyopaque_va_PyArg_VaParseTupleAndKeywords,
    PyArg_UnpackTuple => pyopaque_va_PyArg_UnpackTuple,
    Py_BuildValue => pyopaque_va_Py_BuildValue,
    Py_VaBuildValue => pyopaque_va_Py_VaBuildValue,
    PyUnicode_FromFormat => pyopaque_va_PyUnicode_FromFormat,
    PyUnicode_FromFormatV => pyopaque_va_PyUnicode_FromFormatV,
    PyBytes_FromFormat => pyopaque_va_PyBytes_FromFormat,
    PyBytes_FromFormatV => pyopaque_va_PyBytes_FromFormatV,
    PyErr_Format => pyopaque_va_PyErr_Format,
    PyErr_FormatV => pyopaque_va_PyErr_FormatV,
    PyErr_WarnFormat => pyopaque_va_PyErr_WarnFormat,
    PyErr_ResourceWarning => pyopaque_va_PyErr_ResourceWarning,
    PyObject_CallFunction => pyopaque_va_PyObject_CallFunction,
    PyObject_CallMethod => pyopaque_va_PyObject_CallMethod,
    PyObject_CallFunctionObjArgs => pyopaque_va_PyObject_CallFunctionObjArgs,
    PyObject_CallMethodObjArgs => pyopaque_va_PyObject_CallMethodObjArgs,
    PyOS_snprintf => pyopaque_va_PyOS_snprintf,
    PyOS_vsnprintf => pyopaque_va_PyOS_vsnprintf,
    PyTuple_Pack => pyopaque_va_PyTuple_Pack,
    PySys_WriteStdout => pyopaque_va_PySys_WriteStdout,
    PySys_WriteStderr => pyopaque_va_PySys_WriteStderr,
    PySys_FormatStdout => pyopaque_va_PySys_FormatStdout,
    PySys_FormatStderr => pyopaque_va_PySys_FormatStderr,
    PySys_Audit => pyopaque_va_PySys_Audit,
    _PyArg_ParseTuple_SizeT => pyopaque_va__PyArg_ParseTuple_SizeT,
    _PyArg_VaParse_SizeT => pyopaque_va__PyArg_VaParse_SizeT,
    _PyArg_Parse_SizeT => pyopaque_va__PyArg_Parse_SizeT,
    _PyArg_ParseTupleAndKeywords_SizeT => pyopaque_va__PyArg_ParseTupleAndKeywords_SizeT,
    _PyArg_VaParseTupleAndKeywords_SizeT => pyopaque_va__PyArg_VaParseTupleAndKeywords_SizeT,
    _Py_BuildValue_SizeT => pyopaque_va__Py_BuildValue_SizeT,
    _Py_VaBuildValue_SizeT => pyopaque_va__Py_VaBuildValue_SizeT,
    _PyObject_CallFunction_SizeT => pyopaque_va__PyObject_CallFunction_SizeT,
    _PyObject_CallMethod_SizeT => pyopaque_va__PyObject_CallMethod_SizeT,
    PyEval_CallFunction => pyopaque_va_PyEval_CallFunction,
    PyEval_CallMethod => pyopaque_va_PyEval_CallMethod,
}

/// Coverage of `PyOS_snprintf` (0) and `PyOS_vsnprintf` (1), which va.c implements in C.
#[no_mangle]
pub extern "C" fn pyopaque_rs_cov_snprintf(v: std::ffi::c_int) {
    if v == 0 {
        crate::cov!("PyOS_snprintf");
    } else {
        crate::cov!("PyOS_vsnprintf");
    }
}

// ----- reading a `va_list` from Rust (the `pyopaque_va_arg_*` helpers of va.c) -----

extern "C" {
    fn pyopaque_va_arg_int(ap: *mut c_void) -> c_int;
    fn pyopaque_va_arg_uint(ap: *mut c_void) -> c_uint;
    fn pyopaque_va_arg_long(ap: *mut c_void) -> c_long;
    fn pyopaque_va_arg_ulong(ap: *mut c_void) -> c_ulong;
    fn pyopaque_va_arg_longlong(ap: *mut c_void) -> c_longlong;
    fn pyopaque_va_arg_ulonglong(ap: *mut c_void) -> c_ulonglong;
    fn pyopaque_va_arg_ssize(ap: *mut c_void) -> Py_ssize_t;
    fn pyopaque_va_arg_size(ap: *mut c_void) -> usize;
    fn pyopaque_va_arg_double(ap: *mut c_void) -> c_double;
    fn pyopaque_va_arg_ptr(ap: *mut c_void) -> *mut c_void;
}

/// A `va_list *` with typed pullers.
#[derive(Clone, Copy)]
pub struct Va(pub *mut c_void);

impl Va {
    /// Next `int`.
    ///
    /// # Safety
    /// The next variadic argument must be an `int` (or promoted to one).
    pub unsafe fn int(self) -> c_int {
        // SAFETY: caller's contract.
        unsafe { pyopaque_va_arg_int(self.0) }
    }
    /// Next `unsigned int`.
    ///
    /// # Safety
    /// The next argument must be an `unsigned int`.
    pub unsafe fn uint(self) -> c_uint {
        // SAFETY: caller's contract.
        unsafe { pyopaque_va_arg_uint(self.0) }
    }
    /// Next `long`.
    ///
    /// # Safety
    /// The next argument must be a `long`.
    pub unsafe fn long(self) -> c_long {
        // SAFETY: caller's contract.
        unsafe { pyopaque_va_arg_long(self.0) }
    }
    /// Next `unsigned long`.
    ///
    /// # Safety
    /// The next argument must be an `unsigned long`.
    pub unsafe fn ulong(self) -> c_ulong {
        // SAFETY: caller's contract.
        unsafe { pyopaque_va_arg_ulong(self.0) }
    }
    /// Next `long long`.
    ///
    /// # Safety
    /// The next argument must be a `long long`.
    pub unsafe fn longlong(self) -> c_longlong {
        // SAFETY: caller's contract.
        unsafe { pyopaque_va_arg_longlong(self.0) }
    }
    /// Next `unsigned long long`.
    ///
    /// # Safety
    /// The next argument must be an `unsigned long long`.
    pub unsafe fn ulonglong(self) -> c_ulonglong {
        // SAFETY: caller's contract.
        unsafe { pyopaque_va_arg_ulonglong(self.0) }
    }
    /// Next `Py_ssize_t`.
    ///
    /// # Safety
    /// The next argument must be a `Py_ssize_t`.
    pub unsafe fn ssize(self) -> Py_ssize_t {
        // SAFETY: caller's contract.
        unsafe { pyopaque_va_arg_ssize(self.0) }
    }
    /// Next `size_t`.
    ///
    /// # Safety
    /// The next argument must be a `size_t`.
    pub unsafe fn size(self) -> usize {
        // SAFETY: caller's contract.
        unsafe { pyopaque_va_arg_size(self.0) }
    }
    /// Next `double`.
    ///
    /// # Safety
    /// The next argument must be a `double` (or a promoted `float`).
    pub unsafe fn double(self) -> c_double {
        // SAFETY: caller's contract.
        unsafe { pyopaque_va_arg_double(self.0) }
    }
    /// Next pointer.
    ///
    /// # Safety
    /// The next argument must be a pointer.
    pub unsafe fn ptr<T>(self) -> *mut T {
        // SAFETY: caller's contract.
        unsafe { pyopaque_va_arg_ptr(self.0).cast() }
    }
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    &[
        ("PyOS_snprintf", Rule::Works),
        ("PyOS_vsnprintf", Rule::Works),
    ]
};
