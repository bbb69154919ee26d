//! The codec registry's class-based entries: incremental and stream codecs are Python classes
//! (`Lib/codecs.py` and the `encodings` package), which pyopaque cannot run; each call raises
//! NotImplementedError. The function-based codec entries (`PyCodec_Encode`, ...) work.

use std::ffi::c_char;

use super::raising::raising_fns;
use crate::boundary::ffi::PyObject;
use crate::verdict::Rule;

const PY_CODECS: Rule = Rule::NotApplicable("needs an interpreter loop: incremental and stream codecs are Python classes (Lib/codecs.py and the encodings package); exported raising NotImplementedError");

/// Verdicts of this module's functions.
pub(crate) const VERDICTS: &[(&str, Rule)] = &[
    ("PyCodec_IncrementalEncoder", PY_CODECS),
    ("PyCodec_IncrementalDecoder", PY_CODECS),
    ("PyCodec_StreamReader", PY_CODECS),
    ("PyCodec_StreamWriter", PY_CODECS),
];

const MSG: &str = "incremental and stream codecs are Python classes (the codecs module), which pyopaque does not run";

raising_fns! {
    /// `PyCodec_IncrementalEncoder`: raises NotImplementedError.
    "PyCodec_IncrementalEncoder" PyCodec_IncrementalEncoder(encoding: *const c_char, errors: *const c_char) -> *mut PyObject
        => not_implemented(MSG);
    /// `PyCodec_IncrementalDecoder`: raises NotImplementedError.
    "PyCodec_IncrementalDecoder" PyCodec_IncrementalDecoder(encoding: *const c_char, errors: *const c_char) -> *mut PyObject
        => not_implemented(MSG);
    /// `PyCodec_StreamReader`: raises NotImplementedError.
    "PyCodec_StreamReader" PyCodec_StreamReader(encoding: *const c_char, stream: *mut PyObject, errors: *const c_char) -> *mut PyObject
        => not_implemented(MSG);
    /// `PyCodec_StreamWriter`: raises NotImplementedError.
    "PyCodec_StreamWriter" PyCodec_StreamWriter(encoding: *const c_char, stream: *mut PyObject, errors: *const c_char) -> *mut PyObject
        => not_implemented(MSG);
}
