//! `pyopaque_capi_run_tests`: load an extension, initialise its module (single- or
//! multi-phase), call every module-level `test_*` function in definition order, and print one
//! line per test.
//!
//! Tests named `test_exits_<N>_*` or `test_exits_abort_*` end the process (`Py_Exit`,
//! `Py_FatalError`): each runs in a forked child, and passes when the child exits with status N
//! or dies of SIGABRT ([`run_exit_test`]).
//!
//! The result lines go to stdout ([`pyopaque_capi_run_tests`](crate::pyopaque_capi_run_tests))
//! or, for `pyopaque run-ext`, to a protocol file descriptor of their own
//! ([`pyopaque_capi_run_tests_with`]), so that whatever the extension prints passes through
//! untouched. On that channel the runner also announces `START m.t` before each test and ends
//! with `DONE`, so a parent can name the test that crashed or hung, and can start a fresh
//! process after it (`start_after`).

use std::ffi::{c_char, c_int, CStr, CString};

use pyopaque_runtime::{Handle, Thread};

use crate::boundary::cx::{self, new_ref_h};
use crate::boundary::ffi::*;
use crate::types::shim_types::shim_types;
use crate::types::shim_types::{payload, ModulePayload};

/// Outcome of one test.
pub struct TestResult {
    /// `test_*` name.
    pub name: String,
    /// `None` on success, else `Type: message`.
    pub failure: Option<String>,
}

fn describe_current(cx: &mut Thread) -> String {
    match cx.take_error() {
        Some(e) => cx.describe_exception(e),
        None => "SystemError: no exception".into(),
    }
}

/// Where the runner writes its result lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// `PASS m.t` / `FAIL m.t: ...` lines on stdout, mixed with the extension's output.
    Stdout,
    /// The lines of [`Protocol::Stdout`] plus `START m.t` before each test, `ERROR message`
    /// when the module cannot be loaded, and `DONE` at the end, written to this inherited file
    /// descriptor one whole line per `write`.
    Fd(c_int),
}

impl Protocol {
    /// Writes one line. C's and Rust's stdout are flushed first, so that what a test printed
    /// precedes its result wherever both end up.
    fn line(self, text: &str) {
        use std::io::Write;
        // SAFETY: fflush(NULL) flushes every C stdio output stream; no stream is locked here.
        unsafe { libc::fflush(std::ptr::null_mut()) };
        let _ = std::io::stdout().flush();
        match self {
            Protocol::Stdout => println!("{text}"),
            Protocol::Fd(fd) => {
                let line = format!("{text}\n");
                let mut rest = line.as_bytes();
                while !rest.is_empty() {
                    // SAFETY: writes from a live buffer of `rest.len()` bytes to a descriptor
                    // the parent opened for us; a bad descriptor fails with EBADF.
                    let n = unsafe { libc::write(fd, rest.as_ptr().cast(), rest.len()) };
                    if n <= 0 {
                        if n < 0
                            && std::io::Error::last_os_error().kind()
                                == std::io::ErrorKind::Interrupted
                        {
                            continue;
                        }
                        return;
                    }
                    rest = &rest[n as usize..];
                }
            }
        }
    }

    /// Whether the START/ERROR/DONE lines are written (only on a channel of its own).
    fn announces(self) -> bool {
        matches!(self, Protocol::Fd(_))
    }
}

/// How one run goes.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Run only the tests after this one (`test_x` or `module.test_x`), in definition order: a
    /// parent restarting after a test that crashed or hung.
    pub start_after: Option<String>,
    /// Where result lines go.
    pub protocol: Protocol,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            start_after: None,
            protocol: Protocol::Stdout,
        }
    }
}

/// Loads `so_path`, runs `PyInit_<module>`, and calls each test. Returns the results, or an
/// error string when the module could not be loaded or initialised.
pub fn run(so_path: &str, module: &str) -> Result<(String, Vec<TestResult>), String> {
    run_with(so_path, module, &RunOptions::default())
}

/// [`run`] with options: which tests, and where the result lines go.
pub fn run_with(
    so_path: &str,
    module: &str,
    opts: &RunOptions,
) -> Result<(String, Vec<TestResult>), String> {
    line_buffer_c_stdout();
    let r = with_module(so_path, module, |cx, m| run_tests(cx, m, module, opts))
        .and_then(|t| t)
        .map(|t| (module.to_string(), t));
    if opts.protocol.announces() {
        if let Err(e) = &r {
            opts.protocol
                .line(&format!("ERROR {}", e.replace('\n', " ")));
        }
        opts.protocol.line("DONE");
    }
    r
}

extern "C" {
    /// C's standard output stream (a glibc and musl data symbol).
    static mut stdout: *mut libc::FILE;
}

/// Makes C's stdout line-buffered even when it is a pipe or a file, so that the lines an
/// extension prints before it crashes are not lost in the buffer. Done once per process,
/// before the first extension is loaded (C allows setvbuf only before other use of a stream).
fn line_buffer_c_stdout() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    // SAFETY: setvbuf on the process's stdout stream, once, before any extension runs; a NULL
    // buffer lets the C library allocate its own. Reading the `stdout` pointer is a plain load
    // of a C global that is set before main.
    ONCE.call_once(|| unsafe {
        let out = std::ptr::addr_of!(stdout).read();
        if !out.is_null() {
            libc::setvbuf(
                out,
                std::ptr::null_mut(),
                libc::_IOLBF,
                libc::BUFSIZ as usize,
            );
        }
    });
}

/// `int pyopaque_capi_run_tests_with(const char *so_path, const char *module_name,
/// const char *start_after, int protocol_fd)`: as `pyopaque_capi_run_tests`, but the result
/// lines (and `START`/`ERROR`/`DONE`) go to `protocol_fd` (stdout when it is negative), and
/// with a non-NULL `start_after` only the tests after that one run. Returns the number of
/// failures (-1 when the module could not be loaded or initialised).
///
/// # Safety
/// `so_path` and `module_name` are C strings; `start_after` is NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn pyopaque_capi_run_tests_with(
    so_path: *const c_char,
    module_name: *const c_char,
    start_after: *const c_char,
    protocol_fd: c_int,
) -> c_int {
    if so_path.is_null() || module_name.is_null() {
        return -1;
    }
    // SAFETY: caller's contract: C strings (start_after may be NULL).
    let (so, m, after) = unsafe {
        (
            CStr::from_ptr(so_path).to_string_lossy().into_owned(),
            CStr::from_ptr(module_name).to_string_lossy().into_owned(),
            (!start_after.is_null())
                .then(|| CStr::from_ptr(start_after).to_string_lossy().into_owned()),
        )
    };
    let opts = RunOptions {
        start_after: after,
        protocol: if protocol_fd >= 0 {
            Protocol::Fd(protocol_fd)
        } else {
            Protocol::Stdout
        },
    };
    match std::panic::catch_unwind(|| run_with(&so, &m, &opts)) {
        Ok(Ok((_, v))) => v.iter().filter(|t| t.failure.is_some()).count() as c_int,
        Ok(Err(e)) => {
            if !opts.protocol.announces() {
                opts.protocol.line(&format!("FAIL {e}"));
            }
            -1
        }
        Err(_) => {
            opts.protocol.line(&format!(
                "ERROR {m}: internal error (panic) in the test runner"
            ));
            -1
        }
    }
}

/// Loads `so_path` (RTLD_NOW, kept loaded for the life of the process), initialises the module
/// `PyInit_<module>` (single- or multi-phase), or through its PEP 793 export hook
/// `PyModExport_<module>` when it has no `PyInit_`, inside a native-call frame, and runs `f`
/// with it.
pub fn with_module<R>(
    so_path: &str,
    module: &str,
    f: impl FnOnce(&mut Thread, Handle) -> R,
) -> Result<R, String> {
    with_module_as(so_path, module, module, |cx, m| match m {
        Ok(m) => Ok(f(cx, m)),
        Err(e) => Err(e.describe(cx)),
    })?
}

/// A module's initialisation raised (`PyInit_<module>` or an exec slot); the exception is
/// still set when `f` of [`with_module_as`] receives this.
pub struct InitFailure {
    /// What failed, e.g. `multi-phase init of m`.
    pub what: String,
}

impl InitFailure {
    /// `what failed: Type: message` (takes the exception).
    pub fn describe(self, cx: &mut Thread) -> String {
        format!("{} failed: {}", self.what, describe_current(cx))
    }
}

/// As [`with_module`], with the module's spec named `spec_name` (a multi-phase module takes
/// its `__name__` from it: `"__main__"` runs a program's top level as the main module), and
/// `f` called with the initialisation's outcome inside the native-call frame, so it can look
/// at the exception an initialisation left.
pub fn with_module_as<R>(
    so_path: &str,
    module: &str,
    spec_name: &str,
    f: impl FnOnce(&mut Thread, Result<Handle, InitFailure>) -> R,
) -> Result<R, String> {
    // A name without a slash would be searched on the library path, not in the current
    // directory: `run-ext m.so` means the file here.
    let so_path = &if so_path.contains('/') {
        so_path.to_string()
    } else {
        format!("./{so_path}")
    };
    // SAFETY: loading a C extension runs its constructors; that is the purpose of this entry.
    let lib = unsafe {
        libloading::os::unix::Library::open(Some(so_path), libc::RTLD_NOW | libc::RTLD_LOCAL)
    }
    .map_err(|e| format!("cannot load {so_path}: {e}"))?;
    let sym = format!("PyInit_{module}");
    // SAFETY: PyInit_<name> has this signature by the extension ABI.
    let init: Option<unsafe extern "C" fn() -> *mut PyObject> =
        unsafe { lib.get(sym.as_bytes()) }.ok().map(|s| *s);
    // Without PyInit_<name>, the PEP 793 export hook (abi3t extensions have only that).
    let export = format!("PyModExport_{module}");
    // SAFETY: PyModExport_<name> has this signature by PEP 793.
    let hook: Option<crate::python::module_export::ExportHook> =
        unsafe { lib.get(export.as_bytes()) }.ok().map(|s| *s);
    if init.is_none() && hook.is_none() {
        return Err(format!("neither {sym} nor {export} found in {so_path}"));
    }
    // The library stays loaded for the life of the process (objects refer into it).
    std::mem::forget(lib);
    let p = cx::thread_ptr().ok_or("cannot attach the thread")?;
    // SAFETY: this thread's Thread; the runner is the outermost user (no entry is active).
    let cx = unsafe { &mut *p };
    cx.enter_runtime();
    let base = cx.mark();
    cx.begin_native_call();
    let inited = match (init, hook) {
        (Some(init), _) => init_module(cx, init, module, spec_name),
        // SAFETY: the extension's export hook, found above.
        (None, Some(hook)) => unsafe { crate::python::module_export::load(cx, hook, module) }
            .map_err(|_| InitFailure { what: export }),
        (None, None) => unreachable!("checked above"),
    };
    let out = f(cx, inited);
    cx.end_native_call();
    cx.release(base);
    cx::drain_deferred(cx);
    cx.leave_runtime();
    Ok(out)
}

fn init_module(
    cx: &mut Thread,
    init: unsafe extern "C" fn() -> *mut PyObject,
    name: &str,
    spec_name: &str,
) -> Result<Handle, InitFailure> {
    // SAFETY: calling the extension's init function.
    let p = cx::publish(cx, || unsafe { init() });
    let is_def = cx::global()
        .module_defs
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .contains(&(p as usize));
    if is_def {
        let def = p.cast::<PyModuleDef>();
        let r = (|| {
            let spec = crate::python::module::new_module(cx, "spec", std::ptr::null_mut())?;
            let n = cx.str(spec_name);
            crate::r#abstract::object::setattr(cx, spec, "name", Some(n))?;
            // SAFETY: a module definition flagged by PyModuleDef_Init.
            let m = unsafe { crate::python::module::from_def_and_spec(cx, def, spec) }?;
            // SAFETY: as above.
            unsafe { crate::python::module::exec_def(cx, m, def) }?;
            Ok(m)
        })();
        return r.map_err(|_: pyopaque_runtime::Raised| InitFailure {
            what: format!("multi-phase init of {name}"),
        });
    }
    // SAFETY: PyInit returns a new reference or NULL.
    unsafe { cx::take_result(cx, p, &format!("PyInit_{name}")) }.map_err(|_| InitFailure {
        what: format!("PyInit_{name}"),
    })
}

fn run_tests(
    cx: &mut Thread,
    m: Handle,
    module: &str,
    opts: &RunOptions,
) -> Result<Vec<TestResult>, String> {
    let mo = cx.get(m);
    if cx.type_of(mo) != shim_types().module {
        let failure = "TypeError: PyInit did not return a module".to_string();
        if opts.protocol.announces() {
            return Err(format!("PyInit_{module}: {failure}"));
        }
        return Ok(vec![TestResult {
            name: "<init>".into(),
            failure: Some(failure),
        }]);
    }
    // Tests in definition order: walk the module's PyMethodDef array, then any other test_*
    // attribute (functions added by exec slots) in dict order.
    let mut names: Vec<String> = Vec::new();
    // SAFETY: module payload.
    let def = unsafe { payload::<ModulePayload>(mo) }.def;
    if !def.is_null() {
        // SAFETY: a valid module definition.
        let mut f = unsafe { (*def).m_methods };
        while !f.is_null() {
            // SAFETY: NULL-name terminated array.
            let d = unsafe { &*f };
            if d.ml_name.is_null() {
                break;
            }
            // SAFETY: C string.
            let n = unsafe { cx::cstr_lossy(d.ml_name) };
            if n.starts_with("test_") {
                names.push(n);
            }
            // SAFETY: not at the terminator.
            f = unsafe { f.add(1) };
        }
    }
    // SAFETY: module payload.
    if let Some(d) = unsafe { payload::<ModulePayload>(mo) }.dict {
        let dh = cx.root(d);
        let mut pos = 0;
        while let Some((k, _)) = cx.dict_next(cx.get(dh), &mut pos) {
            if let Some(s) = cx.str_value(k) {
                if s.starts_with("test_") && !names.iter().any(|n| n == s) {
                    names.push(s.to_string());
                }
            }
        }
    }
    if let Some(after) = &opts.start_after {
        let bare = after
            .strip_prefix(module)
            .and_then(|r| r.strip_prefix('.'))
            .unwrap_or(after);
        let at = names
            .iter()
            .position(|n| n == bare)
            .ok_or_else(|| format!("{module} has no test {bare} to start after"))?;
        names.drain(..=at);
    }
    let mut out = Vec::new();
    for n in names {
        if opts.protocol.announces() {
            opts.protocol.line(&format!("START {module}.{n}"));
        }
        let mark = cx.mark();
        cx.clear_error();
        let failure = match crate::r#abstract::object::getattr(cx, m, &n) {
            Err(_) => Some(describe_current(cx)),
            Ok(f) => {
                let fo = cx.get(f);
                if !crate::r#abstract::call::is_callable(cx, fo) {
                    Some(format!("TypeError: {n} is not callable"))
                } else if let Some(expect) = exit_expectation(&n) {
                    run_exit_test(cx, f, expect)
                } else {
                    cx.begin_native_call();
                    let r = crate::r#abstract::call::call(cx, f, &[], &[]);
                    cx.end_native_call();
                    cx::drain_deferred(cx);
                    match r {
                        Ok(v) => {
                            let _ = new_ref_h;
                            let _ = v;
                            if cx.error().is_some() {
                                Some(format!(
                                    "SystemError: {n} returned a result with an exception set ({})",
                                    describe_current(cx)
                                ))
                            } else {
                                None
                            }
                        }
                        Err(_) => Some(describe_current(cx)),
                    }
                }
            }
        };
        cx.release(mark);
        cx::drain_deferred(cx);
        let line = match &failure {
            None => format!("PASS {module}.{n}"),
            Some(f) => format!("FAIL {module}.{n}: {}", f.replace('\n', " ")),
        };
        opts.protocol.line(&line);
        out.push(TestResult { name: n, failure });
    }
    Ok(out)
}

// ----- exit tests -----

/// How a `test_exits_*` test must end its process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ExitExpect {
    /// `test_exits_<N>_...`: exit status N.
    Status(i32),
    /// `test_exits_abort_...`: killed by SIGABRT.
    Abort,
}

/// The expectation a test's name states, for `test_exits_<N>_*` and `test_exits_abort_*`.
fn exit_expectation(name: &str) -> Option<ExitExpect> {
    let rest = name.strip_prefix("test_exits_")?;
    let word = rest.split('_').next()?;
    if word == "abort" {
        return Some(ExitExpect::Abort);
    }
    word.parse().ok().map(ExitExpect::Status)
}

/// Runs a test that ends the process (`Py_Exit`, `Py_FatalError`) in a forked child and checks
/// how the child ended. The child writes its coverage record to a file before it ends (see
/// `errors_f::flush_coverage_before_exit`); the parent merges it into its own. A child whose test
/// returns writes the outcome to a second file and leaves with `_exit`.
fn run_exit_test(cx: &mut Thread, f: Handle, expect: ExitExpect) -> Option<String> {
    use std::io::Write;
    static SEQ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let base = std::env::temp_dir().join(format!("pyopaque-exit-{}-{seq}", std::process::id()));
    let cov_path = base.with_extension("cov");
    let ret_path = base.with_extension("ret");
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: fork in a process whose only thread is this one (the runtime starts no threads;
    // a test that started threads joined them). The child runs the test and ends with `_exit`
    // or the exit/abort under test; it never returns into the parent's caller.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Some("OSError: fork failed".into());
    }
    if pid == 0 {
        // The forked test dies with the runner: a parent that kills the runner (a test that
        // hangs) leaves no orphan behind.
        // SAFETY: prctl(PR_SET_PDEATHSIG) takes a signal number and changes only this process.
        unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) };
        *crate::python::lifecycle::EXIT_COVERAGE_PATH
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(cov_path.display().to_string());
        cx.begin_native_call();
        let r = crate::r#abstract::call::call(cx, f, &[], &[]);
        cx.end_native_call();
        let outcome = match r {
            Ok(_) => "the test returned".to_string(),
            Err(_) => format!("the test raised {}", describe_current(cx)),
        };
        let _ = std::fs::write(&ret_path, outcome);
        crate::python::lifecycle::flush_coverage_before_exit();
        // SAFETY: ends the child at once, without the parent's exit handlers.
        unsafe { libc::_exit(0) }
    }
    let mut status: libc::c_int = 0;
    // SAFETY: waiting for the child forked above.
    let w = unsafe { libc::waitpid(pid, &mut status, 0) };
    if let Ok(names) = std::fs::read_to_string(&cov_path) {
        for n in names.lines().filter(|l| !l.is_empty()) {
            // The coverage set holds static names; a handful per exit test.
            cx::record_hit(Box::leak(n.to_string().into_boxed_str()));
        }
    }
    let returned = std::fs::read_to_string(&ret_path).ok();
    let _ = std::fs::remove_file(&cov_path);
    let _ = std::fs::remove_file(&ret_path);
    if w != pid {
        return Some("OSError: waitpid failed".into());
    }
    if let Some(r) = returned {
        return Some(format!(
            "AssertionError: expected the process to end ({expect:?}); {r}"
        ));
    }
    let got = if libc::WIFEXITED(status) {
        ExitExpect::Status(libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == libc::SIGABRT {
        ExitExpect::Abort
    } else {
        return Some(format!(
            "AssertionError: the process ended with wait status {status}"
        ));
    };
    (got != expect)
        .then(|| format!("AssertionError: expected {expect:?}, the process ended with {got:?}"))
}

/// Converts the runner's result into the C return value (number of failures, -1 on load error).
pub fn failures(r: &Result<(String, Vec<TestResult>), String>) -> c_int {
    match r {
        Ok((_, v)) => v.iter().filter(|t| t.failure.is_some()).count() as c_int,
        Err(e) => {
            println!("FAIL {e}");
            -1
        }
    }
}

/// Keeps CString in scope for path conversions.
pub fn c(s: &str) -> CString {
    CString::new(s).unwrap_or_default()
}
