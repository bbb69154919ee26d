//! What needs an interpreter loop: evaluating code, frames, tracebacks, compiling, marshal and
//! `Py_Main`. pyopaque runs no bytecode, so nothing here is exported; this module holds their
//! verdicts (not applicable, with the reason), beside the interpreter services they belong to.

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    &[
        ("PyEval_GetFrame", Rule::NotApplicable("needs an interpreter loop: the current Python frame (pyopaque runs no Python code, so there are no frames)")),
        ("PyEval_GetFrameBuiltins", Rule::NotApplicable("needs an interpreter loop: the current Python frame (pyopaque runs no Python code, so there are no frames)")),
        ("PyEval_GetFrameGlobals", Rule::NotApplicable("needs an interpreter loop: the current Python frame (pyopaque runs no Python code, so there are no frames)")),
        ("PyEval_GetFrameLocals", Rule::NotApplicable("needs an interpreter loop: the current Python frame (pyopaque runs no Python code, so there are no frames)")),
        ("PyEval_GetGlobals", Rule::NotApplicable("needs an interpreter loop: the current Python frame (pyopaque runs no Python code, so there are no frames)")),
        ("PyEval_GetLocals", Rule::NotApplicable("needs an interpreter loop: the current Python frame (pyopaque runs no Python code, so there are no frames)")),
        ("PyEval_GetBuiltins", Rule::NotApplicable("needs an interpreter loop: the current Python frame (pyopaque runs no Python code, so there are no frames)")),
        ("PyThreadState_GetFrame", Rule::NotApplicable("needs an interpreter loop: the current Python frame (pyopaque runs no Python code, so there are no frames)")),
        ("PyFrame_GetCode", Rule::NotApplicable("needs an interpreter loop: the current Python frame (pyopaque runs no Python code, so there are no frames)")),
        ("PyFrame_GetLineNumber", Rule::NotApplicable("needs an interpreter loop: the current Python frame (pyopaque runs no Python code, so there are no frames)")),
        ("PyEval_EvalCode", Rule::NotApplicable("needs an interpreter loop: bytecode evaluation")),
        ("PyEval_EvalCodeEx", Rule::NotApplicable("needs an interpreter loop: bytecode evaluation")),
        ("PyEval_EvalFrame", Rule::NotApplicable("needs an interpreter loop: bytecode evaluation")),
        ("PyEval_EvalFrameEx", Rule::NotApplicable("needs an interpreter loop: bytecode evaluation")),
        ("Py_CompileString", Rule::NotApplicable("needs an interpreter loop: compiling Python source to bytecode")),
        ("PyTraceBack_Here", Rule::NotApplicable("needs an interpreter loop: tracebacks record Python frames")),
        ("Py_Main", Rule::NotApplicable("needs an interpreter loop: the command-line interpreter (REPL, scripts)")),
        ("Py_BytesMain", Rule::NotApplicable("needs an interpreter loop: the command-line interpreter (REPL, scripts)")),
        ("PyMarshal_ReadObjectFromString", Rule::NotApplicable("needs an interpreter loop: marshal serializes code objects for the bytecode interpreter")),
        ("PyMarshal_WriteObjectToString", Rule::NotApplicable("needs an interpreter loop: marshal serializes code objects for the bytecode interpreter")),
    ]
};
