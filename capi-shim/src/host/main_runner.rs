//! `pyopaque_capi_run_main`: run a compiled program's top level as the main module.
//!
//! A Cython-compiled program is an extension module whose exec slot is the program's top-level
//! code. Running it as a program means: `sys.argv` set, the module initialised under the spec
//! name `"__main__"` (Cython's module creation takes `__name__` from the spec, so
//! `if __name__ == "__main__":` holds), and the outcome turned into an exit status as CPython's
//! `python3 FILE.py` does: 0 after a normal end; `SystemExit` gives its code (None: 0, an int:
//! that int, anything else: printed to stderr, 1); any other uncaught exception is printed to
//! stderr (its chain of causes and contexts first, then `Type: message`; there are no frames,
//! so no traceback lines) and gives 1.

use std::ffi::{c_char, c_int, CStr};
use std::io::Write;

use pyopaque_runtime::{Handle, Thread};

use crate::boundary::cx;

/// `int pyopaque_capi_run_main(const char *so_path, const char *module, int argc,
/// const char **argv)`: sets `sys.argv` to `argv`, initialises `PyInit_<module>` from
/// `so_path` as `__main__`, and returns the program's exit status (see the module docs); 120
/// when the module cannot be loaded (message on stderr). The runtime must be started
/// (`pyopaque_capi_init`).
///
/// # Safety
/// `so_path` and `module` C strings; `argv` holds `argc` C strings.
#[no_mangle]
pub unsafe extern "C" fn pyopaque_capi_run_main(
    so_path: *const c_char,
    module: *const c_char,
    argc: c_int,
    argv: *const *const c_char,
) -> c_int {
    if so_path.is_null() || module.is_null() || (argc > 0 && argv.is_null()) {
        return 120;
    }
    // SAFETY: caller's contract.
    let (so, m) = unsafe {
        (
            CStr::from_ptr(so_path).to_string_lossy().into_owned(),
            CStr::from_ptr(module).to_string_lossy().into_owned(),
        )
    };
    let args: Vec<String> = (0..argc.max(0) as usize)
        .map(|i| {
            // SAFETY: argv holds argc C strings (caller's contract).
            unsafe { CStr::from_ptr(*argv.add(i)) }
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let r = std::panic::catch_unwind(|| run_main(&so, &m, &args));
    let status = match r {
        Ok(Ok(status)) => status,
        Ok(Err(e)) => {
            eprintln!("pyopaque: {e}");
            120
        }
        Err(_) => {
            eprintln!("pyopaque: internal error (panic) while running {m}");
            120
        }
    };
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: flushing every C stdio stream (NULL) has no precondition.
    unsafe { libc::fflush(std::ptr::null_mut()) };
    status
}

fn run_main(so: &str, module: &str, args: &[String]) -> Result<c_int, String> {
    set_argv(args)?;
    crate::host::runner::with_module_as(so, module, "__main__", |cx, inited| match inited {
        Ok(_) => 0,
        Err(_) => match cx.take_error() {
            Some(e) => exit_status(cx, e),
            None => 1,
        },
    })
}

fn set_argv(args: &[String]) -> Result<(), String> {
    let p = cx::thread_ptr().ok_or("cannot attach the thread")?;
    // SAFETY: this thread's Thread; no API entry is active (the host calls this first).
    let cx = unsafe { &mut *p };
    let base = cx.mark();
    let r = (|| {
        let items: Vec<Handle> = args.iter().map(|a| cx.str(a)).collect();
        let l = cx.list_from(&items);
        let m = crate::python::sys::sys_module(cx)?;
        crate::r#abstract::object::setattr(cx, m, "argv", Some(l))
    })();
    let out = r.map_err(|_| {
        let d = cx.take_error().map(|e| cx.describe_exception(e));
        format!("cannot set sys.argv: {}", d.unwrap_or_default())
    });
    cx.release(base);
    out
}

/// The exit status for the uncaught exception `e`, printing it as CPython does.
fn exit_status(cx: &mut Thread, e: Handle) -> c_int {
    let system_exit = cx.rt.types.exc.system_exit;
    if cx.is_instance(cx.get(e), system_exit) {
        let code = exit_code(cx, e);
        let status = match code {
            None => 0,
            Some(c) => {
                let co = cx.get(c);
                if co == cx.rt.none {
                    0
                } else if let Some(v) = cx.int_value(co) {
                    match v {
                        // The OS keeps the low byte, as for CPython's exit(long).
                        pyopaque_runtime::objects::int::IntValue::Small(v) => v as c_int,
                        pyopaque_runtime::objects::int::IntValue::Big(_) => -1,
                    }
                } else {
                    let s = cx.str_of(c).unwrap_or_default();
                    cx.clear_error();
                    let _ = std::io::stdout().flush();
                    eprintln!("{s}");
                    1
                }
            }
        };
        return status;
    }
    let _ = std::io::stdout().flush();
    // SAFETY: flushing every C stdio stream has no precondition (print() may write through C).
    unsafe { libc::fflush(std::ptr::null_mut()) };
    eprint!("{}", format_chain(cx, e, 0));
    1
}

/// `SystemExit.code`: None for no arguments, the argument for one, the args tuple otherwise.
fn exit_code(cx: &mut Thread, e: Handle) -> Option<Handle> {
    let args = pyopaque_runtime::capi_support::exception_args(cx.get(e))?;
    let a = cx.root(args);
    let ao = cx.get(a);
    match cx.tuple_len(ao) {
        Some(0) | None => None,
        Some(1) => {
            let item = pyopaque_runtime::objects::tuple::tuple_item(ao, 0)?;
            Some(cx.root(item))
        }
        Some(_) => Some(a),
    }
}

/// The printed form of `e` and its chain: the cause (or, unless suppressed, the context)
/// first, then `Type: message`, as CPython's traceback printing orders them.
fn format_chain(cx: &mut Thread, e: Handle, depth: usize) -> String {
    let mut out = String::new();
    if depth < 32 {
        let cause = chained(cx, e, "__cause__");
        let context = chained(cx, e, "__context__");
        let suppressed = crate::r#abstract::object::getattr(cx, e, "__suppress_context__")
            .ok()
            .is_some_and(|s| cx.get(s) == cx.rt.true_);
        cx.clear_error();
        if let Some(c) = cause {
            out.push_str(&format_chain(cx, c, depth + 1));
            out.push_str(
                "\nThe above exception was the direct cause of the following exception:\n\n",
            );
        } else if let (Some(c), false) = (context, suppressed) {
            out.push_str(&format_chain(cx, c, depth + 1));
            out.push_str(
                "\nDuring handling of the above exception, another exception occurred:\n\n",
            );
        }
    }
    out.push_str(&format_exception_only(cx, e));
    out.push('\n');
    out
}

fn chained(cx: &mut Thread, e: Handle, attr: &str) -> Option<Handle> {
    let r = crate::r#abstract::object::getattr(cx, e, attr).ok();
    cx.clear_error();
    r.filter(|h| cx.get(*h) != cx.rt.none)
}

/// `module.Qualname: message` (the module omitted for `builtins` and `__main__`), as
/// `traceback.format_exception_only` writes it.
fn format_exception_only(cx: &mut Thread, e: Handle) -> String {
    let t = cx.type_of(cx.get(e));
    let th = cx.root(t);
    let text_attr = |cx: &mut Thread, attr: &str| -> Option<String> {
        let v = crate::r#abstract::object::getattr(cx, th, attr).ok();
        let s = v.and_then(|v| cx.str_value(cx.get(v)).map(str::to_string));
        cx.clear_error();
        s
    };
    let qual = text_attr(cx, "__qualname__").unwrap_or_else(|| cx.type_name(t).to_string());
    let name = match text_attr(cx, "__module__") {
        Some(m) if m != "builtins" && m != "__main__" => format!("{m}.{qual}"),
        _ => qual,
    };
    let msg = cx
        .str_of(e)
        .unwrap_or_else(|_| "<exception str() failed>".into());
    cx.clear_error();
    if msg.is_empty() {
        name
    } else {
        format!("{name}: {msg}")
    }
}

/// `int pyopaque_capi_preload_module(const char *so_path, const char *module)`: initialises
/// `PyInit_<module>` from `so_path` and registers it in the module table under `module` (when
/// its init did not already), so that a program run afterwards imports it. 0, or 1 with the
/// failure on stderr. The runtime must be started.
///
/// # Safety
/// Both arguments C strings.
#[no_mangle]
pub unsafe extern "C" fn pyopaque_capi_preload_module(
    so_path: *const c_char,
    module: *const c_char,
) -> c_int {
    if so_path.is_null() || module.is_null() {
        return 1;
    }
    // SAFETY: caller's contract.
    let (so, m) = unsafe {
        (
            CStr::from_ptr(so_path).to_string_lossy().into_owned(),
            CStr::from_ptr(module).to_string_lossy().into_owned(),
        )
    };
    let r = std::panic::catch_unwind(|| {
        crate::host::runner::with_module(&so, &m, |cx, h| {
            let modules = crate::python::import::modules(cx);
            let k = cx.str(&m);
            match cx.dict_get(modules, k) {
                Ok(Some(_)) => Ok(()),
                Ok(None) => cx.dict_set(modules, k, h),
                Err(e) => Err(e),
            }
            .map_err(|_| {
                let d = cx.take_error().map(|e| cx.describe_exception(e));
                format!("cannot register {m}: {}", d.unwrap_or_default())
            })
        })
    });
    match r {
        Ok(Ok(Ok(()))) => 0,
        Ok(Ok(Err(e))) | Ok(Err(e)) => {
            eprintln!("pyopaque: {e}");
            1
        }
        Err(_) => {
            eprintln!("pyopaque: internal error (panic) while loading {m}");
            1
        }
    }
}
