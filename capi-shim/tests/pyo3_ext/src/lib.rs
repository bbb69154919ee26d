//! Test extension for pyopaque's abi3t binary compatibility: plain PyO3 (functions, a
//! `#[pyclass]`, errors, containers), built for CPython 3.15's abi3t. Every `test_*` function
//! takes no arguments and returns None, or raises (AssertionError says which check failed).

use pyo3::exceptions::{PyAssertionError, PyKeyError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

pyo3::create_exception!(pyo3_ext, ExtError, pyo3::exceptions::PyException, "An error of ours.");

/// Fails the running test with AssertionError naming the check and its line.
macro_rules! check {
    ($cond:expr) => {
        if !$cond {
            return Err(PyAssertionError::new_err(format!(
                "line {}: {}",
                line!(),
                stringify!($cond)
            )));
        }
    };
}

#[pyfunction]
#[pyo3(signature = (a, b=10))]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

#[pyfunction]
fn join(parts: Vec<String>, sep: &str) -> String {
    parts.join(sep)
}

#[pyfunction]
fn fail(kind: &str) -> PyResult<()> {
    match kind {
        "value" => Err(PyValueError::new_err("bad value")),
        "ours" => Err(ExtError::new_err("ours failed")),
        _ => Ok(()),
    }
}

/// A counter with a Rust payload (PyO3 reaches it with `PyObject_GetTypeData`).
#[pyclass]
struct Counter {
    #[pyo3(get)]
    count: i64,
    items: Vec<Py<PyAny>>,
}

#[pymethods]
impl Counter {
    #[new]
    #[pyo3(signature = (start=0))]
    fn new(start: i64) -> Self {
        Counter {
            count: start,
            items: Vec::new(),
        }
    }

    fn inc(&mut self, by: i64) -> i64 {
        self.count += by;
        self.count
    }

    /// Keeps `item` (the traverse slot reports it to the collector).
    fn keep(&mut self, item: Py<PyAny>) -> usize {
        self.items.push(item);
        self.items.len()
    }

    fn __len__(&self) -> usize {
        self.items.len()
    }

    fn __traverse__(&self, visit: pyo3::PyVisit<'_>) -> Result<(), pyo3::PyTraverseError> {
        for i in &self.items {
            visit.call(i)?;
        }
        Ok(())
    }

    fn __clear__(&mut self) {
        self.items.clear();
    }
}

#[pyfunction]
fn test_functions(py: Python<'_>) -> PyResult<()> {
    let f = wrap_pyfunction!(add, py)?;
    check!(f.call1((2, 3))?.extract::<i64>()? == 5);
    check!(f.call1((2,))?.extract::<i64>()? == 12);
    let kw = PyDict::new(py);
    kw.set_item("b", 100)?;
    check!(f.call((1,), Some(&kw))?.extract::<i64>()? == 101);
    let j = wrap_pyfunction!(join, py)?;
    let s: String = j.call1((vec!["a", "b", "c"], "-"))?.extract()?;
    check!(s == "a-b-c");
    Ok(())
}

#[pyfunction]
fn test_class(py: Python<'_>) -> PyResult<()> {
    let ty = py.get_type::<Counter>();
    check!(ty.name()?.to_str()? == "Counter");
    let c = ty.call1((5,))?;
    check!(c.is_instance(&ty)?);
    check!(c.call_method1("inc", (2,))?.extract::<i64>()? == 7);
    check!(c.getattr("count")?.extract::<i64>()? == 7);
    let made = Bound::new(py, Counter::new(1))?;
    made.borrow_mut().inc(41);
    check!(made.borrow().count == 42);
    for i in 0..100 {
        made.call_method1("keep", (PyList::new(py, [i, i + 1])?,))?;
    }
    check!(made.len()? == 100);
    let first = made.borrow().items[0].bind(py).clone();
    check!(first.cast::<PyList>()?.get_item(1)?.extract::<i64>()? == 1);
    Ok(())
}

#[pyfunction]
fn test_errors(py: Python<'_>) -> PyResult<()> {
    let f = wrap_pyfunction!(fail, py)?;
    let e = f.call1(("value",)).unwrap_err();
    check!(e.is_instance_of::<PyValueError>(py));
    check!(e.value(py).to_string() == "bad value");
    let e = f.call1(("ours",)).unwrap_err();
    check!(e.is_instance_of::<ExtError>(py));
    check!(e.get_type(py).name()?.to_str()? == "ExtError");
    check!(f.call1(("none",)).is_ok());
    // Wrong argument type: PyO3's own TypeError.
    let add = wrap_pyfunction!(add, py)?;
    check!(add.call1(("x",)).unwrap_err().is_instance_of::<PyTypeError>(py));
    // An error from the runtime itself.
    let d = PyDict::new(py);
    let missing = d.as_any().get_item("nope").unwrap_err();
    check!(missing.is_instance_of::<PyKeyError>(py));
    check!(!PyErr::occurred(py));
    Ok(())
}

#[pyfunction]
fn test_containers(py: Python<'_>) -> PyResult<()> {
    let l = PyList::new(py, [1, 2, 3])?;
    l.append("four")?;
    check!(l.len() == 4);
    check!(l.get_item(3)?.extract::<String>()? == "four");
    let total: i64 = l.iter().take(3).map(|x| x.extract::<i64>()).sum::<PyResult<i64>>()?;
    check!(total == 6);
    let d = PyDict::new(py);
    for i in 0..50 {
        d.set_item(format!("k{i}"), i * i)?;
    }
    check!(d.len() == 50);
    check!(d.get_item("k7")?.map(|v| v.extract::<i64>()).transpose()? == Some(49));
    let mut keys = 0;
    for (k, v) in d.iter() {
        let k: String = k.extract()?;
        let v: i64 = v.extract()?;
        check!(k[1..].parse::<i64>().map(|i| i * i) == Ok(v));
        keys += 1;
    }
    check!(keys == 50);
    let t = PyTuple::new(py, [PyString::new(py, "x").into_any(), 3.5f64.into_pyobject(py)?.into_any()])?;
    check!(t.len() == 2);
    check!(t.get_item(1)?.extract::<f64>()? == 3.5);
    let b = PyBytes::new(py, b"abc\0def");
    check!(b.as_bytes() == b"abc\0def");
    let s = PyString::new(py, "h\u{e9}llo \u{1f600}");
    check!(s.to_str()?.chars().count() == 7);
    let v: Vec<i64> = PyList::new(py, [5, 6, 7])?.extract()?;
    check!(v == vec![5, 6, 7]);
    Ok(())
}

#[pymodule]
fn pyo3_ext(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Counter>()?;
    m.add("ExtError", m.py().get_type::<ExtError>())?;
    m.add_function(wrap_pyfunction!(add, m)?)?;
    m.add_function(wrap_pyfunction!(test_functions, m)?)?;
    m.add_function(wrap_pyfunction!(test_class, m)?)?;
    m.add_function(wrap_pyfunction!(test_errors, m)?)?;
    m.add_function(wrap_pyfunction!(test_containers, m)?)?;
    Ok(())
}
