//! The exported static type symbols of the shim's own types (`PyModule_Type`, `PySet_Type`,
//! `PyListIter_Type`, ...): 16-byte placeholders that the boundary's translation table
//! ([`crate::boundary::static_symbols`]) maps to the types [`ShimTypes`] creates. The runtime's
//! own types (`PyLong_Type`, ...) and the singletons have their symbols in the boundary.

use pyopaque_runtime::ObjRef;

use crate::boundary::static_symbols::type_symbols;
use crate::types::shim_types::ShimTypes;

type_symbols! {
    SHIM_TYPE_NAMES, push_shim_types(st: &ShimTypes);
    PyModule_Type => st.module;
    PyCFunction_Type => st.cfunction;
    PyMethodDescr_Type => st.method_descr;
    PyMemberDescr_Type => st.member_descr;
    PyGetSetDescr_Type => st.getset_descr;
    PySeqIter_Type => st.seq_iter;
    PyCapsule_Type => st.capsule;
    PyByteArray_Type => st.bytearray;
    PyComplex_Type => st.complex;
    PySet_Type => st.set;
    PyFrozenSet_Type => st.frozenset;
    PySlice_Type => st.slice;
    PyMemoryView_Type => st.memoryview;
    PyDictProxy_Type => st.mappingproxy;
    Py_GenericAliasType => st.generic_alias;
    PyCallIter_Type => st.call_iter;
    PyClassMethodDescr_Type => st.classmethod_descr;
    PyListIter_Type => st.iters.list;
    PyListRevIter_Type => st.iters.list_rev;
    PyTupleIter_Type => st.iters.tuple;
    PyUnicodeIter_Type => st.iters.str_;
    PyBytesIter_Type => st.iters.bytes;
    PyByteArrayIter_Type => st.iters.bytearray;
    PySetIter_Type => st.iters.set;
    PyDictIterKey_Type => st.iters.dict_keys;
    PyDictIterValue_Type => st.iters.dict_values;
    PyDictIterItem_Type => st.iters.dict_items;
    PyDictRevIterKey_Type => st.iters.dict_rev_keys;
    PyDictRevIterValue_Type => st.iters.dict_rev_values;
    PyDictRevIterItem_Type => st.iters.dict_rev_items;
    PyDictKeys_Type => st.iters.keys_view;
    PyDictValues_Type => st.iters.values_view;
    PyDictItems_Type => st.iters.items_view;
    PyTraceBack_Type => st.instanceless("traceback");
    PyRange_Type => st.lazy.range;
    PyRangeIter_Type => st.lazy.range_iter;
    PyLongRangeIter_Type => st.instanceless("longrange_iterator");
    PyEnum_Type => st.lazy.enumerate;
    PyReversed_Type => st.lazy.reversed;
    PyFilter_Type => st.lazy.filter;
    PyMap_Type => st.lazy.map;
    PyZip_Type => st.lazy.zip;
    PySuper_Type => st.instanceless("super");
    PyProperty_Type => st.instanceless("property");
    PyModuleDef_Type => st.instanceless("moduledef");
    PyWrapperDescr_Type => st.instanceless("wrapper_descriptor");
}

/// Each symbol's address with the type it stands for (for the translation table).
pub fn entries(st: &ShimTypes) -> Vec<(usize, ObjRef)> {
    let mut v = Vec::new();
    push_shim_types(st, &mut v);
    v
}

/// The verdicts of the C API functions and data items this module answers for (collected by
/// [`crate::verdict`]; the matrix reads them).
pub(crate) const VERDICTS: &[(&str, crate::verdict::rule::Rule)] = {
    use crate::verdict::rule::Rule;
    use crate::verdict::rules;
    &[
        ("PyModule_Type", Rule::Cost("translation table: a range check on every incoming PyObject* and a header read on every outgoing one (the symbol cannot carry the runtime header)")),
        ("PyCFunction_Type", Rule::Cost("translation table: a range check on every incoming PyObject* and a header read on every outgoing one (the symbol cannot carry the runtime header)")),
        ("PyMethodDescr_Type", Rule::Cost("translation table: a range check on every incoming PyObject* and a header read on every outgoing one (the symbol cannot carry the runtime header)")),
        ("PyMemberDescr_Type", Rule::Cost("translation table: a range check on every incoming PyObject* and a header read on every outgoing one (the symbol cannot carry the runtime header)")),
        ("PyGetSetDescr_Type", Rule::Cost("translation table: a range check on every incoming PyObject* and a header read on every outgoing one (the symbol cannot carry the runtime header)")),
        ("PySeqIter_Type", Rule::Cost("translation table: a range check on every incoming PyObject* and a header read on every outgoing one (the symbol cannot carry the runtime header)")),
        ("PyCapsule_Type", Rule::Cost("translation table: a range check on every incoming PyObject* and a header read on every outgoing one (the symbol cannot carry the runtime header)")),
        ("PyDictKeys_Type", Rule::Cost("translation table: a range check on every incoming PyObject* and a header read on every outgoing one (the symbol cannot carry the runtime header)")),
        ("PyDictValues_Type", Rule::Cost("translation table: a range check on every incoming PyObject* and a header read on every outgoing one (the symbol cannot carry the runtime header)")),
        ("PyDictItems_Type", Rule::Cost("translation table: a range check on every incoming PyObject* and a header read on every outgoing one (the symbol cannot carry the runtime header)")),
        ("PyByteArray_Type", rules::TYPE_SYMBOL),
        ("PyComplex_Type", rules::TYPE_SYMBOL),
        ("PySet_Type", rules::TYPE_SYMBOL),
        ("PyFrozenSet_Type", rules::TYPE_SYMBOL),
        ("PySlice_Type", rules::TYPE_SYMBOL),
        ("PyMemoryView_Type", rules::TYPE_SYMBOL),
        ("PyDictProxy_Type", rules::TYPE_SYMBOL),
        ("Py_GenericAliasType", rules::TYPE_SYMBOL),
        ("PyCallIter_Type", rules::TYPE_SYMBOL),
        ("PyClassMethodDescr_Type", rules::TYPE_SYMBOL),
        ("PyListIter_Type", rules::TYPE_SYMBOL),
        ("PyListRevIter_Type", rules::TYPE_SYMBOL),
        ("PyTupleIter_Type", rules::TYPE_SYMBOL),
        ("PyUnicodeIter_Type", rules::TYPE_SYMBOL),
        ("PyBytesIter_Type", rules::TYPE_SYMBOL),
        ("PyByteArrayIter_Type", rules::TYPE_SYMBOL),
        ("PySetIter_Type", rules::TYPE_SYMBOL),
        ("PyDictIterKey_Type", rules::TYPE_SYMBOL),
        ("PyDictIterValue_Type", rules::TYPE_SYMBOL),
        ("PyDictIterItem_Type", rules::TYPE_SYMBOL),
        ("PyDictRevIterKey_Type", rules::TYPE_SYMBOL),
        ("PyDictRevIterValue_Type", rules::TYPE_SYMBOL),
        ("PyDictRevIterItem_Type", rules::TYPE_SYMBOL),
    ]
};
