//! Verdict rules shared by several functions, each named for the cost or reason it states (the
//! text is what the matrix prints). Rules used once stay inline in their module's `VERDICTS`.

use super::rule::Rule;

/// `PyUnicode*Error_*` accessors: the attributes live in `args`.
pub const UNICODE_ERROR_ARGS: Rule = Rule::Cost("the attributes live in args (the runtime's exception payload holds only args): a setter replaces args by a new tuple, where CPython's leaves args unchanged");

/// `PyException_{Get,Set}{Cause,Context}`: the exception's attribute dict keeps cause and context.
pub const EXCEPTION_CHAIN_IN_DICT: Rule = Rule::Cost("__cause__, __context__ and __suppress_context__ are entries of the exception's attribute dict (the runtime's exception payload has no slot for them): they live and die with the exception, but show in e.__dict__, which CPython keeps them out of");

/// The codec registry: built-in codecs written in Rust.
pub const RUST_CODECS: Rule = Rule::Cost("built-in codecs written in Rust (utf-8, ascii, latin-1, utf-16/32, unicode-escape, raw-unicode-escape) plus search functions registered from C; no encodings package");

/// Decoders with `surrogateescape`: strings hold no lone surrogates.
pub const NO_SURROGATES: Rule = Rule::Cost("strings are UTF-8 and hold no lone surrogates: bytes that surrogateescape would map to surrogates raise UnicodeDecodeError");

/// Locale conversions: the locale encoding is UTF-8.
pub const UTF8_LOCALE: Rule = Rule::Cost("the locale encoding is UTF-8; strings hold no lone surrogates, so surrogateescape cannot map undecodable bytes");

/// UCS4 and `wchar_t` views: a copy on every call.
pub const WIDE_COPY: Rule = Rule::Cost(
    "copy: strings are stored as UTF-8, so a UCS4/wchar_t view is decoded on every call",
);

/// `bytearray`: a shim type the runtime's generic operations do not know.
pub const BYTEARRAY_SHIM_TYPE: Rule = Rule::Cost("bytearray is a shim type whose buffer is malloc'd (stable when the object moves); the runtime's generic operations (repr, ==, iteration) do not know it");

/// `complex`: a shim type the runtime's number operations do not know.
pub const COMPLEX_SHIM_TYPE: Rule = Rule::Cost(
    "complex is a shim type holding two doubles; the runtime's number operations do not know it",
);

/// Printing exceptions: no traceback, no hooks.
pub const PRINT_WITHOUT_TRACEBACK: Rule = Rule::Cost("prints `Type: message` without a traceback (no frames) and without sys.excepthook/unraisablehook");

/// Warnings: recorded and printed, no filters.
pub const WARNINGS_WITHOUT_FILTERS: Rule =
    Rule::Cost("warnings are recorded and printed; no warning filters (no warnings module)");

/// The handled exception (`sys.exc_info`): a per-thread slot only C sets.
pub const HANDLED_EXCEPTION_SLOT: Rule = Rule::Cost("the handled exception is a per-thread slot that only C sets (no interpreter loop handles exceptions); the exception is pinned while set");

/// `PyErr_SetFromErrno*`: errno and filenames stay in `args`.
pub const ERRNO_IN_ARGS: Rule = Rule::Cost("errno and filenames stay in args: OSError has no errno/strerror/filename attributes (the exception payload holds only args)");

/// `int_info`/`float_info`: plain tuples.
pub const INFO_TUPLE: Rule =
    Rule::Cost("a plain tuple, not a struct sequence: fields by index only");

/// Windows-only facilities (MBCS, code pages, `GetLastError`).
pub const WINDOWS_ONLY: Rule = Rule::NotApplicable("Windows only (MBCS, code pages, GetLastError): the facility does not exist on the POSIX platforms pyopaque runs on, as in CPython builds for them");

/// Incremental and stream codecs: Python classes.
pub const PYTHON_CODEC_CLASSES: Rule = Rule::NotApplicable("needs an interpreter loop: incremental and stream codecs are Python classes (Lib/codecs.py and the encodings package)");

/// Static type symbols (`&PyLong_Type`, ...): the translation table.
pub const TYPE_SYMBOL: Rule = Rule::Cost("translation table: a range check on every incoming PyObject* and a header read on every outgoing one (the symbol cannot carry the runtime header)");

/// Singleton symbols (`&_Py_NoneStruct`, ...): the translation table.
pub const SINGLETON_SYMBOL: Rule = Rule::Cost("translation table: the symbol's address is translated to the runtime's singleton (and back, so Py_None == &_Py_NoneStruct); it is a 16-byte cell whose count word old headers' inline Py_INCREF/Py_DECREF may write, but its ob_type word is NULL: an inline Py_TYPE from old headers does not work");

/// Weak references: the weak table's cost per collection and per deallocation.
pub const WEAK_REFERENCE: Rule = Rule::Cost("side table: one pass over the weak table per collection (entries re-keyed when referents move, cleared when they die) and one header-flag test per deallocation; callbacks run at the end of the API call that found the death");
