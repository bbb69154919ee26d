//! Process-level `Py_*` functions that make sense without an interpreter loop: version strings,
//! `Py_Initialize` (starts the runtime), `Py_AtExit`, the recursion guard, pending calls, and
//! the `PyOS_*` string and signal helpers.

use std::cell::Cell;
use std::ffi::{c_char, c_double, c_int, c_long, c_ulong, c_void, CStr};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Mutex;

use crate::boundary::cx;
use crate::boundary::ffi::PyObject;
use crate::{capi, cov};
use std::io::Write;

macro_rules! cstr_fn {
    ($($name:ident, $lit:literal => $val:expr;)*) => {$(
        #[doc = concat!("`", $lit, "`: a static string.")]
        #[no_mangle]
        pub extern "C" fn $name() -> *const c_char {
            cov!($lit);
            concat!($val, "\0").as_ptr().cast()
        }
    )*};
}

cstr_fn! {
    Py_GetVersion, "Py_GetVersion" => "3.15.0a0 (pyopaque runtime, opaque PyObject)";
    Py_GetPlatform, "Py_GetPlatform" => "linux";
    Py_GetCompiler, "Py_GetCompiler" => "[rustc]";
    Py_GetBuildInfo, "Py_GetBuildInfo" => "pyopaque";
    Py_GetCopyright, "Py_GetCopyright" => "pyopaque: a research runtime; no CPython code";
}

/// `Py_Initialize`: starts the runtime with the default configuration (no-op when running).
#[no_mangle]
pub extern "C" fn Py_Initialize() {
    cov!("Py_Initialize");
    let _ = cx::global();
}

/// `Py_InitializeEx`: as `Py_Initialize` (the runtime installs no signal handlers either way).
#[no_mangle]
pub extern "C" fn Py_InitializeEx(_initsigs: c_int) {
    cov!("Py_InitializeEx");
    let _ = cx::global();
}

/// `Py_IsFinalizing`: the runtime is never finalized while the process runs.
#[no_mangle]
pub extern "C" fn Py_IsFinalizing() -> c_int {
    cov!("Py_IsFinalizing");
    0
}

static AT_EXIT: Mutex<Vec<extern "C" fn()>> = Mutex::new(Vec::new());

extern "C" fn run_at_exit() {
    let fs = std::mem::take(&mut *AT_EXIT.lock().unwrap_or_else(|e| e.into_inner()));
    for f in fs.into_iter().rev() {
        f();
    }
}

/// `Py_AtExit`: registers `f` to run at process exit (last registered first; at most 32, as
/// in CPython). 0 or -1.
#[no_mangle]
pub extern "C" fn Py_AtExit(f: Option<extern "C" fn()>) -> c_int {
    cov!("Py_AtExit");
    let Some(f) = f else { return -1 };
    let mut v = AT_EXIT.lock().unwrap_or_else(|e| e.into_inner());
    if v.len() >= 32 {
        return -1;
    }
    if v.is_empty() {
        static ONCE: std::sync::Once = std::sync::Once::new();
        // SAFETY: registering a plain extern "C" function with the C library.
        ONCE.call_once(|| unsafe {
            libc::atexit(run_at_exit);
        });
    }
    v.push(f);
    0
}

// ----- recursion guard -----

static RECURSION_LIMIT: AtomicI32 = AtomicI32::new(1000);
thread_local! {
    static DEPTH: Cell<i32> = const { Cell::new(0) };
}

/// `Py_GetRecursionLimit`.
#[no_mangle]
pub extern "C" fn Py_GetRecursionLimit() -> c_int {
    cov!("Py_GetRecursionLimit");
    RECURSION_LIMIT.load(Ordering::Relaxed)
}

/// `Py_SetRecursionLimit`.
#[no_mangle]
pub extern "C" fn Py_SetRecursionLimit(n: c_int) {
    cov!("Py_SetRecursionLimit");
    RECURSION_LIMIT.store(n, Ordering::Relaxed);
}

/// `Py_EnterRecursiveCall`: counts native recursion per thread; past the limit raises
/// `RecursionError("maximum recursion depth exceeded<where>")` and returns -1.
///
/// # Safety
/// `where_` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn Py_EnterRecursiveCall(where_: *const c_char) -> c_int {
    capi!("Py_EnterRecursiveCall", |cx| {
        let d = DEPTH.with(|d| d.get()) + 1;
        if d > RECURSION_LIMIT.load(Ordering::Relaxed) {
            // SAFETY: caller's contract.
            let w = unsafe { cx::cstr_lossy(where_) };
            let t = crate::types::shim_types::shim_types().exc_named("RecursionError");
            return Err(cx.raise(t, &format!("maximum recursion depth exceeded{w}")));
        }
        DEPTH.with(|c| c.set(d));
        Ok(0)
    })
}

/// `Py_LeaveRecursiveCall`.
#[no_mangle]
pub extern "C" fn Py_LeaveRecursiveCall() {
    cov!("Py_LeaveRecursiveCall");
    DEPTH.with(|d| d.set((d.get() - 1).max(0)));
}

// ----- pending calls -----

type PendingFn = unsafe extern "C" fn(*mut c_void) -> c_int;
static PENDING: Mutex<Vec<(PendingFn, usize)>> = Mutex::new(Vec::new());

/// `Py_AddPendingCall`: queues `f(arg)`; it runs at the next `Py_MakePendingCalls` on any
/// thread (there is no evaluation loop to run it by itself). 0, or -1 when 32 calls are queued.
#[no_mangle]
pub extern "C" fn Py_AddPendingCall(f: Option<PendingFn>, arg: *mut c_void) -> c_int {
    cov!("Py_AddPendingCall");
    let Some(f) = f else { return -1 };
    let mut q = PENDING.lock().unwrap_or_else(|e| e.into_inner());
    if q.len() >= 32 {
        return -1;
    }
    q.push((f, arg as usize));
    0
}

/// `Py_MakePendingCalls`: runs the queued calls in order; stops at the first that returns -1
/// (its exception stays set) and returns -1.
#[no_mangle]
pub extern "C" fn Py_MakePendingCalls() -> c_int {
    cov!("Py_MakePendingCalls");
    loop {
        let next = {
            let mut q = PENDING.lock().unwrap_or_else(|e| e.into_inner());
            if q.is_empty() {
                return 0;
            }
            q.remove(0)
        };
        // SAFETY: the function and argument C registered.
        if unsafe { (next.0)(next.1 as *mut c_void) } < 0 {
            return -1;
        }
    }
}

// ----- PyOS string helpers -----

/// `PyOS_mystricmp`: ASCII case-insensitive compare.
///
/// # Safety
/// C strings.
#[no_mangle]
pub unsafe extern "C" fn PyOS_mystricmp(a: *const c_char, b: *const c_char) -> c_int {
    cov!("PyOS_mystricmp");
    // SAFETY: caller's contract.
    unsafe { libc::strcasecmp(a, b) }
}

/// `PyOS_mystrnicmp`.
///
/// # Safety
/// C strings.
#[no_mangle]
pub unsafe extern "C" fn PyOS_mystrnicmp(a: *const c_char, b: *const c_char, n: isize) -> c_int {
    cov!("PyOS_mystrnicmp");
    if n <= 0 {
        return 0;
    }
    // SAFETY: caller's contract.
    unsafe { libc::strncasecmp(a, b, n as usize) }
}

/// `PyOS_strtoul`: like C `strtoul` (base 0 understands 0x/0o/0b), errno ERANGE on overflow.
///
/// # Safety
/// `s` a C string, `end` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn PyOS_strtoul(
    s: *const c_char,
    end: *mut *mut c_char,
    base: c_int,
) -> c_ulong {
    cov!("PyOS_strtoul");
    // SAFETY: caller's contract.
    unsafe { strto(s, end, base, false) as c_ulong }
}

/// `PyOS_strtol`.
///
/// # Safety
/// As `PyOS_strtoul`.
#[no_mangle]
pub unsafe extern "C" fn PyOS_strtol(
    s: *const c_char,
    end: *mut *mut c_char,
    base: c_int,
) -> c_long {
    cov!("PyOS_strtol");
    // SAFETY: caller's contract.
    unsafe { strto(s, end, base, true) as c_long }
}

/// Shared parser: returns the value bits (signed results two's complement).
///
/// # Safety
/// As `PyOS_strtoul`.
unsafe fn strto(s: *const c_char, end: *mut *mut c_char, base: c_int, signed: bool) -> u64 {
    // SAFETY: caller's contract.
    let bytes = unsafe { CStr::from_ptr(s) }.to_bytes();
    let set_end = |i: usize| {
        if !end.is_null() {
            // SAFETY: `i` is within the string (or 0); `end` writable.
            unsafe { *end = s.add(i) as *mut c_char };
        }
    };
    let mut i = 0;
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    let mut neg = false;
    if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
        neg = bytes[i] == b'-';
        i += 1;
    }
    let mut base = base as u32;
    let lower = |j: usize| bytes.get(j).map(|b| b.to_ascii_lowercase());
    if (base == 0 || base == 16) && lower(i) == Some(b'0') && lower(i + 1) == Some(b'x') {
        base = 16;
        i += 2;
    } else if (base == 0 || base == 8) && lower(i) == Some(b'0') && lower(i + 1) == Some(b'o') {
        base = 8;
        i += 2;
    } else if (base == 0 || base == 2) && lower(i) == Some(b'0') && lower(i + 1) == Some(b'b') {
        base = 2;
        i += 2;
    } else if base == 0 {
        base = 10;
    }
    if !(2..=36).contains(&base) {
        set_end(0);
        return 0;
    }
    let start = i;
    let mut v: u128 = 0;
    let mut overflow = false;
    while i < bytes.len() {
        let Some(d) = (bytes[i] as char).to_digit(base) else {
            break;
        };
        v = v * base as u128 + d as u128;
        if v > u64::MAX as u128 {
            overflow = true;
            v = u64::MAX as u128;
        }
        i += 1;
    }
    if i == start {
        set_end(0);
        return 0;
    }
    set_end(i);
    let errno = || {
        // SAFETY: the thread's errno location.
        unsafe { *libc::__errno_location() = libc::ERANGE };
    };
    if signed {
        let lim = if neg { 1u128 << 63 } else { (1u128 << 63) - 1 };
        if overflow || v > lim {
            errno();
            return if neg {
                i64::MIN as u64
            } else {
                i64::MAX as u64
            };
        }
        let x = v as i128;
        (if neg { -x } else { x }) as i64 as u64
    } else {
        if overflow {
            errno();
            return u64::MAX;
        }
        if neg {
            (v as u64).wrapping_neg()
        } else {
            v as u64
        }
    }
}

/// `PyOS_string_to_double`: parses a float (no leading whitespace). With `endptr` NULL the whole
/// string must parse (else `ValueError`); overflow raises `overflow_exception` if given, else
/// returns ±inf.
///
/// # Safety
/// `s` a C string; `endptr` NULL or writable; `overflow_exception` NULL or an exception type.
#[no_mangle]
pub unsafe extern "C" fn PyOS_string_to_double(
    s: *const c_char,
    endptr: *mut *mut c_char,
    overflow_exception: *mut PyObject,
) -> c_double {
    capi!("PyOS_string_to_double", |cx| {
        // SAFETY: caller's contract.
        let text = unsafe { cx::cstr_lossy(s) };
        let first_ws = text.bytes().next().is_some_and(|b| b.is_ascii_whitespace());
        let mut end: *mut c_char = std::ptr::null_mut();
        // SAFETY: C string; errno is thread-local.
        let v = unsafe {
            *libc::__errno_location() = 0;
            libc::strtod(s, &mut end)
        };
        // SAFETY: as above.
        let erange = unsafe { *libc::__errno_location() } == libc::ERANGE;
        let consumed = end as usize - s as usize;
        let bad = first_ws || consumed == 0 || (endptr.is_null() && consumed != text.len());
        if bad {
            if !endptr.is_null() {
                // SAFETY: writable per contract.
                unsafe { *endptr = s as *mut c_char };
            }
            return Err(cx::value_error(
                cx,
                &format!("could not convert string to float: '{text:.200}'"),
            ));
        }
        if !endptr.is_null() {
            // SAFETY: as above.
            unsafe { *endptr = end };
        }
        if erange && v.is_infinite() && !overflow_exception.is_null() {
            // SAFETY: an exception type per contract.
            let t = unsafe { cx::arg(cx, overflow_exception) }?;
            return Err(cx.raise(
                t,
                &format!("value too large to convert to float: '{text:.200}'"),
            ));
        }
        Ok(v)
    })
}

/// `PyOS_double_to_string`: formats with code `e E f F g G r` (r: repr, precision 0), flags
/// `Py_DTSF_*`; returns a `PyMem_Malloc`'d string (NULL and ValueError for a bad code).
///
/// # Safety
/// `ptype` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn PyOS_double_to_string(
    val: c_double,
    code: c_char,
    precision: c_int,
    flags: c_int,
    ptype: *mut c_int,
) -> *mut c_char {
    capi!("PyOS_double_to_string", |cx| {
        let code = code as u8;
        let upper = code.is_ascii_uppercase();
        let mut s = if val.is_nan() {
            "nan".to_string()
        } else if val.is_infinite() {
            if val < 0.0 { "-inf" } else { "inf" }.to_string()
        } else {
            match code.to_ascii_lowercase() {
                b'r' if !upper => {
                    if precision != 0 {
                        return Err(cx::bad_internal_call(cx));
                    }
                    let h = cx.float(val);
                    let r = crate::r#abstract::object::repr(cx, h)?;
                    cx.str_value(cx.get(r)).unwrap_or("").to_string()
                }
                c @ (b'e' | b'f' | b'g') => {
                    let alt = if flags & 4 != 0 { "#" } else { "" };
                    let fmt = format!("%{alt}.*{}\0", code as char);
                    let mut buf = vec![0u8; 512];
                    // SAFETY: bounded snprintf into `buf` with a format taking (int, double).
                    let n = unsafe {
                        libc::snprintf(
                            buf.as_mut_ptr().cast(),
                            buf.len(),
                            fmt.as_ptr().cast(),
                            precision,
                            val,
                        )
                    };
                    buf.truncate((n.max(0) as usize).min(511));
                    let _ = c;
                    String::from_utf8_lossy(&buf).into_owned()
                }
                _ => return Err(cx::bad_internal_call(cx)),
            }
        };
        let finite = val.is_finite();
        if finite && flags & 2 != 0 && !s.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) {
            s.push_str(".0");
        }
        if flags & 8 != 0 && s.starts_with('-') && s[1..].bytes().all(|b| matches!(b, b'0' | b'.'))
        {
            s.remove(0);
        }
        if flags & 1 != 0 && !s.starts_with('-') {
            s.insert(0, '+');
        }
        if upper {
            s = s.to_ascii_uppercase();
        }
        if !ptype.is_null() {
            // SAFETY: writable per contract.
            unsafe {
                *ptype = if val.is_nan() {
                    2
                } else if val.is_infinite() {
                    1
                } else {
                    0
                }
            };
        }
        let p = crate::python::memory::PyMem_Malloc(s.len() + 1).cast::<u8>();
        if p.is_null() {
            let t = cx.rt.types.exc.memory_error;
            return Err(cx.raise(t, ""));
        }
        // SAFETY: `p` has s.len()+1 bytes.
        unsafe {
            std::ptr::copy_nonoverlapping(s.as_ptr(), p, s.len());
            *p.add(s.len()) = 0;
        }
        Ok(p.cast::<c_char>())
    })
}

/// `PyOS_InterruptOccurred`: 0 — the runtime installs no SIGINT handler, so no interrupt is
/// ever recorded.
#[no_mangle]
pub extern "C" fn PyOS_InterruptOccurred() -> c_int {
    cov!("PyOS_InterruptOccurred");
    0
}

/// `PyOS_BeforeFork`: nothing to lock (the runtime has no import lock).
#[no_mangle]
pub extern "C" fn PyOS_BeforeFork() {
    cov!("PyOS_BeforeFork");
}

/// `PyOS_AfterFork_Parent`.
#[no_mangle]
pub extern "C" fn PyOS_AfterFork_Parent() {
    cov!("PyOS_AfterFork_Parent");
}

/// `PyOS_AfterFork_Child`: only the forking thread survives; its state stays valid.
#[no_mangle]
pub extern "C" fn PyOS_AfterFork_Child() {
    cov!("PyOS_AfterFork_Child");
}

/// `PyOS_AfterFork`: the old name of `PyOS_AfterFork_Child`.
#[no_mangle]
pub extern "C" fn PyOS_AfterFork() {
    cov!("PyOS_AfterFork");
}

/// `PyOS_getsig`: the current handler of `sig` (SIG_ERR on error).
#[no_mangle]
pub extern "C" fn PyOS_getsig(sig: c_int) -> libc::sighandler_t {
    cov!("PyOS_getsig");
    // SAFETY: sigaction with a NULL new action only reads.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        if libc::sigaction(sig, std::ptr::null(), &mut old) != 0 {
            return libc::SIG_ERR;
        }
        old.sa_sigaction
    }
}

/// `PyOS_setsig`: installs `handler` for `sig` (SA_ONSTACK), returns the previous one.
#[no_mangle]
pub extern "C" fn PyOS_setsig(sig: c_int, handler: libc::sighandler_t) -> libc::sighandler_t {
    cov!("PyOS_setsig");
    // SAFETY: installing a handler C gave us; the old action is read back.
    unsafe {
        let mut new: libc::sigaction = std::mem::zeroed();
        new.sa_sigaction = handler;
        new.sa_flags = libc::SA_ONSTACK;
        libc::sigemptyset(&mut new.sa_mask);
        let mut old: libc::sigaction = std::mem::zeroed();
        if libc::sigaction(sig, &new, &mut old) != 0 {
            return libc::SIG_ERR;
        }
        old.sa_sigaction
    }
}

/// `PyOS_FSPath`: str and bytes pass through; otherwise `type(o).__fspath__(o)`, which must
/// return str or bytes (TypeError otherwise).
///
/// # Safety
/// `o` a valid object pointer.
#[no_mangle]
pub unsafe extern "C" fn PyOS_FSPath(o: *mut PyObject) -> *mut PyObject {
    capi!("PyOS_FSPath", |cx| {
        // SAFETY: caller's contract.
        let h = unsafe { cx::harg(cx, o) }?;
        let is_path = |cx: &mut pyopaque_runtime::Thread, h| {
            let ob = cx.get(h);
            let (s, b) = (cx.rt.types.str_, cx.rt.types.bytes);
            cx.is_instance(ob, s) || cx.is_instance(ob, b)
        };
        if is_path(cx, h) {
            return Ok(cx::new_ref_h(cx, h));
        }
        let tn = cx::tname(cx, cx.get(h));
        let m = match crate::r#abstract::object::getattr_opt(cx, h, "__fspath__")? {
            Some(m) => m,
            None => {
                return Err(cx::type_error(
                    cx,
                    &format!("expected str, bytes or os.PathLike object, not {tn}"),
                ))
            }
        };
        let r = crate::r#abstract::call::call(cx, m, &[], &[])?;
        if !is_path(cx, r) {
            let rn = cx::tname(cx, cx.get(r));
            return Err(cx::type_error(
                cx,
                &format!("expected {tn}.__fspath__() to return str or bytes, not {rn}"),
            ));
        }
        Ok(cx::new_ref_h(cx, r))
    })
}

/// `Py_IsInitialized`.
#[no_mangle]
pub extern "C" fn Py_IsInitialized() -> c_int {
    cov!("Py_IsInitialized");
    cx::initialised() as c_int
}

/// `Py_Version` data: the hex version our headers claim (`PY_VERSION_HEX` of `patchlevel.h`,
/// 3.15.0a0). An `unsigned long`, as the headers declare it.
#[no_mangle]
pub static Py_Version: std::ffi::c_ulong = 0x030F00A0;

// ----- ending the process -----

/// The coverage file of a forked exit test (set in the child by the test runner).
pub static EXIT_COVERAGE_PATH: Mutex<Option<String>> = Mutex::new(None);

/// Writes the coverage record before the process ends (the host reads it from a file): to the
/// runner's per-test file when set, else to `PYOPAQUE_CAPI_COVERAGE` when set.
pub fn flush_coverage_before_exit() {
    let path = EXIT_COVERAGE_PATH
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
        .or_else(|| std::env::var("PYOPAQUE_CAPI_COVERAGE").ok());
    if let Some(p) = path {
        let mut s = String::new();
        for n in cx::coverage() {
            s.push_str(n);
            s.push('\n');
        }
        let _ = std::fs::write(p, s);
    }
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
}

/// `Py_FatalError(message)`: prints `Fatal Python error: <message>` (and the current exception,
/// if one is set) to stderr, writes the coverage record and aborts the process.
///
/// # Safety
/// `message` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn Py_FatalError(message: *const c_char) -> ! {
    cov!("Py_FatalError");
    let msg = if message.is_null() {
        String::from("(no message)")
    } else {
        // SAFETY: caller's contract.
        unsafe { cx::cstr_lossy(message) }
    };
    let mut out = format!("Fatal Python error: {msg}\nPython runtime state: initialized\n");
    let described = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let p = cx::thread_ptr()?;
        // SAFETY: this thread's Thread; no other reference is in use while the process ends
        // (the caller is C, which called us outside any shim body or through `publish`).
        let cx = unsafe { &mut *p };
        let e = cx.take_error()?;
        Some(cx.describe_exception(e))
    }));
    if let Ok(Some(d)) = described {
        out.push_str(&d);
        out.push('\n');
    }
    eprint!("{out}");
    flush_coverage_before_exit();
    std::process::abort()
}

/// `Py_Exit(status)`: finalizes what this runtime has to finalize (the `Py_AtExit` callbacks run,
/// last registered first, through the C library's exit handlers; stdout and stderr are
/// flushed; the coverage record is written), then exits with `status`. The runtime's objects are
/// not torn down: no interpreter state outlives the process.
#[no_mangle]
pub extern "C" fn Py_Exit(status: c_int) -> ! {
    cov!("Py_Exit");
    flush_coverage_before_exit();
    std::process::exit(status)
}

/// `Py_PACK_FULL_VERSION`.
#[no_mangle]
pub extern "C" fn Py_PACK_FULL_VERSION(
    x: c_int,
    y: c_int,
    z: c_int,
    level: c_int,
    serial: c_int,
) -> u32 {
    cov!("Py_PACK_FULL_VERSION");
    ((x as u32 & 0xff) << 24)
        | ((y as u32 & 0xff) << 16)
        | ((z as u32 & 0xff) << 8)
        | ((level as u32 & 0xf) << 4)
        | (serial as u32 & 0xf)
}

/// `Py_PACK_VERSION`.
#[no_mangle]
pub extern "C" fn Py_PACK_VERSION(x: c_int, y: c_int) -> u32 {
    cov!("Py_PACK_VERSION");
    ((x as u32 & 0xff) << 24) | ((y as u32 & 0xff) << 16)
}

/// `_Py_CheckRecursiveCall(tstate, where)`: 0 below the recursion limit, else RecursionError.
///
/// # Safety
/// `where_` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn _Py_CheckRecursiveCall(
    _tstate: *mut std::ffi::c_void,
    where_: *const c_char,
) -> c_int {
    cov!("_Py_CheckRecursiveCall");
    // SAFETY: forwarded contract.
    let r = unsafe { crate::python::lifecycle::Py_EnterRecursiveCall(where_) };
    if r == 0 {
        crate::python::lifecycle::Py_LeaveRecursiveCall();
    }
    r
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    &[
        ("PyOS_AfterFork_Parent", Rule::Works),
        ("PyOS_BeforeFork", Rule::Works),
        ("PyOS_FSPath", Rule::Works),
        ("PyOS_double_to_string", Rule::Works),
        ("PyOS_getsig", Rule::Works),
        ("PyOS_mystricmp", Rule::Works),
        ("PyOS_mystrnicmp", Rule::Works),
        ("PyOS_setsig", Rule::Works),
        ("PyOS_string_to_double", Rule::Works),
        ("PyOS_strtol", Rule::Works),
        ("PyOS_strtoul", Rule::Works),
        ("Py_EnterRecursiveCall", Rule::Works),
        ("Py_LeaveRecursiveCall", Rule::Works),
        ("Py_GetRecursionLimit", Rule::Works),
        ("Py_SetRecursionLimit", Rule::Works),
        ("Py_GetBuildInfo", Rule::Works),
        ("Py_GetCompiler", Rule::Works),
        ("Py_GetCopyright", Rule::Works),
        ("Py_GetPlatform", Rule::Works),
        ("Py_GetVersion", Rule::Works),
        ("Py_IsFinalizing", Rule::Works),
        ("Py_IsInitialized", Rule::Works),
        ("Py_AtExit", Rule::Works),
        ("Py_AddPendingCall", Rule::Cost("no evaluation loop: queued calls run only at an explicit Py_MakePendingCalls")),
        ("Py_MakePendingCalls", Rule::Cost("no evaluation loop: queued calls run only at an explicit Py_MakePendingCalls")),
        ("PyOS_InterruptOccurred", Rule::Cost("the runtime installs no SIGINT handler, so no interrupt is ever recorded (always 0)")),
        ("Py_Initialize", Rule::Cost("starts the runtime with the default configuration; there is no interpreter to initialise (no site, no __main__)")),
        ("Py_InitializeEx", Rule::Cost("starts the runtime with the default configuration; there is no interpreter to initialise (no site, no __main__)")),
        ("Py_Finalize", Rule::NotApplicable("needs an interpreter loop: finalization tears down the interpreter's modules and frames; the pyopaque runtime lives until the process exits")),
        ("Py_FinalizeEx", Rule::NotApplicable("needs an interpreter loop: finalization tears down the interpreter's modules and frames; the pyopaque runtime lives until the process exits")),
        ("Py_SetProgramName", Rule::NotApplicable("needs an interpreter loop: path configuration locates the standard library's Python source")),
        ("Py_SetPythonHome", Rule::NotApplicable("needs an interpreter loop: path configuration locates the standard library's Python source")),
        ("Py_GetProgramName", Rule::NotApplicable("needs an interpreter loop: path configuration locates the standard library's Python source")),
        ("Py_GetPythonHome", Rule::NotApplicable("needs an interpreter loop: path configuration locates the standard library's Python source")),
        ("Py_GetPath", Rule::NotApplicable("needs an interpreter loop: path configuration locates the standard library's Python source")),
        ("Py_GetPrefix", Rule::NotApplicable("needs an interpreter loop: path configuration locates the standard library's Python source")),
        ("Py_GetExecPrefix", Rule::NotApplicable("needs an interpreter loop: path configuration locates the standard library's Python source")),
        ("Py_GetProgramFullPath", Rule::NotApplicable("needs an interpreter loop: path configuration locates the standard library's Python source")),
        ("Py_SetPath", Rule::NotApplicable("needs an interpreter loop: path configuration locates the standard library's Python source")),
        ("Py_GetArgcArgv", Rule::NotApplicable("needs an interpreter loop: the command line the interpreter was started with (pyopaque is a library in another program)")),
        ("Py_PACK_FULL_VERSION", Rule::Works),
        ("Py_PACK_VERSION", Rule::Works),
        ("_Py_CheckRecursiveCall", Rule::Works),
        ("PyOS_CheckStack", Rule::NotApplicable("Windows-only: CPython defines it only with USE_STACKCHECK (Windows builds); on Linux the OS guards the stack")),
        ("PyOS_AfterFork_Child", Rule::Cost("nothing to reinitialise: no GIL and no import lock; runtime threads other than the caller do not survive fork, as in CPython")),
        ("PyOS_AfterFork", Rule::Cost("nothing to reinitialise: no GIL and no import lock; runtime threads other than the caller do not survive fork, as in CPython")),
        ("Py_FatalError", Rule::Works),
        ("Py_Exit", Rule::Cost("no interpreter to finalize: Py_AtExit callbacks run and output is flushed, but objects still alive are not deallocated before exit")),
        ("Py_Version", Rule::Works),
    ]
};
