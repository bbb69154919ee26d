//! # objects: the concrete types (CPython's `Objects/*object.c`)
//!
//! One module per type, holding that type's `Py<Type>_*` functions, its shim type hooks (for
//! types the runtime does not have) and its verdicts: `bool_`, `bytearray`, `bytes`, `capsule`,
//! `complex`, `dict` (+ `dict_views`), `exceptions` (exception objects, `PyException_*`,
//! `PyUnicode*Error_*`, instance attributes), `file` (`PyFile_*`), `float`, `iterators`,
//! `lazy_iters` (`range`, `enumerate`, `zip`, `map`, `filter`, `reversed`),
//! `list`, `long` (int), `proxy` (`mappingproxy`, `types.GenericAlias`, the old buffer API),
//! `set` (+ `set_algebra`: `& | - ^` between sets), `slice`, `tuple`, `type_methods` (the Python-visible methods of list, dict, str, set),
//! `unicode` (str, a folder), `weakref`.
//!
//! **May import:** `boundary/`, `types/`, `abstract/`, `python/` and each other (a type's
//! operations call the protocols and raise through the error indicator).

pub mod bool_;
pub mod bytearray;
pub mod bytearray_items;
pub mod bytes;
pub mod capsule;
pub mod complex;
pub mod complex_values;
pub mod dict;
pub mod dict_string_keys;
pub mod dict_views;
pub mod exceptions;
pub mod file;
pub mod float;
pub mod float_text;
pub mod iterators;
pub mod lazy_iters;
pub mod list;
pub mod long;
pub mod object_methods;
pub mod proxy;
pub mod set;
pub mod set_algebra;
pub mod set_size;
pub mod slice;
pub mod tuple;
pub mod type_methods;
pub mod unicode;
pub mod unicode_kinds;
pub mod weakref;
