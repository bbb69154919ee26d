//! The form of an entry point that always raises: the facility it serves does not exist in
//! pyopaque (bytecode, frames, Windows, Python-source modules), so the function is exported
//! (an extension referring to it still loads) and each call raises an exception saying why.

/// Defines `extern "C"` functions that ignore their arguments and raise `$exc` (a raising
/// helper of [`crate::boundary::cx`], e.g. `not_implemented`) with `$msg`, returning the C error value
/// of their return type.
macro_rules! raising_fns {
    ($( $(#[$doc:meta])* $lit:literal $name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty
        => $exc:ident($msg:expr); )*) => {$(
        $(#[$doc])*
        #[no_mangle]
        pub extern "C" fn $name($($arg: $ty),*) -> $ret {
            $(let _ = $arg;)*
            $crate::capi!($lit, |cx| Err($crate::boundary::cx::$exc(cx, $msg)))
        }
    )*};
}
pub(crate) use raising_fns;
