//! What needs an interpreter loop and is not exported: marshal (the verdicts, not applicable,
//! with the reason). The loop's other entry points are exported, each giving the documented
//! no-frame result or raising why it cannot work: evaluation and frames in [`super::ceval`],
//! compiling in [`super::compile`], tracebacks in [`super::traceback`], `Py_Main` and
//! finalization in [`super::embedding`].

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    &[
        ("PyMarshal_ReadObjectFromString", Rule::NotApplicable("needs an interpreter loop: marshal serializes code objects for the bytecode interpreter")),
        ("PyMarshal_WriteObjectToString", Rule::NotApplicable("needs an interpreter loop: marshal serializes code objects for the bytecode interpreter")),
    ]
};
