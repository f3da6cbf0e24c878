//! `port!`: a port declared once, its forwarders derived. A port trait is
//! written as usual inside `port! { … }`, each write marked with
//! `=> "what it would do"` (an expression over its arguments); the macro
//! emits the trait, its forwarder for `Arc<P>` (every method to the port
//! inside, so `Arc<dyn Port>` is a port) and for `ReadOnly<P>` (reads passed
//! through, every write refused with `PortError::ReadOnly` naming what it
//! would have done). A new method is written once and every wrapper has it.
//!
//! ```ignore
//! port! {
//!     /// Reading and changing secrets.
//!     pub trait SecretsPort {
//!         fn describe_secret<'a>(&'a self, id: &'a str) -> PortFuture<'a, SecretInfo>;
//!         fn rotate_with_lambda<'a>(&'a self, id: &'a str) -> PortFuture<'a, String>
//!             => format!("RotateSecret {id}");
//!         fn calls(&self) -> CallCounts { CallCounts::new() }
//!     }
//! }
//! ```

macro_rules! port {
    (
        $(#[$attr:meta])*
        $vis:vis trait $port:ident {
            $(
                $(#[$method_attr:meta])*
                fn $method:ident $(<$lt:lifetime>)? (& $($self_lt:lifetime)? $this:ident $(, $arg:ident : $ty:ty)* $(,)?) -> $ret:ty
                $($default:block)?
                $(=> $refusal:expr)?
                $(;)?
            )*
        }
    ) => {
        $(#[$attr])*
        $vis trait $port: Send + Sync {
            $(
                port!(@declare
                    [$(#[$method_attr])* fn $method $(<$lt>)? (& $($self_lt)? $this $(, $arg : $ty)*) -> $ret]
                    $($default)?
                );
            )*
        }

        impl<P: $port + ?Sized> $port for std::sync::Arc<P> {
            $(
                fn $method $(<$lt>)? (& $($self_lt)? $this $(, $arg : $ty)*) -> $ret {
                    (**$this).$method($($arg),*)
                }
            )*
        }

        impl<P: $port> $port for $crate::domain::ports::ReadOnly<P> {
            $(
                // `self` is the caller's token throughout (`$this`): a body
                // can only use the `self` of its own signature's expansion.
                port!(@read_only
                    [fn $method $(<$lt>)? (& $($self_lt)? $this $(, $arg : $ty)*) -> $ret]
                    [$this] $method ($($arg),*)
                    $(=> $refusal)?
                );
            )*
        }
    };
    // A method with a default body, or without.
    (@declare [$($signature:tt)*] $default:block) => { $($signature)* $default };
    (@declare [$($signature:tt)*]) => { $($signature)*; };
    // In read-only mode: a write refused, a read passed through.
    (@read_only [$($signature:tt)*] [$this:tt] $method:ident ($($arg:ident),*) => $refusal:expr) => {
        #[allow(unused_variables)]
        $($signature)* {
            $crate::domain::ports::refuse($refusal)
        }
    };
    (@read_only [$($signature:tt)*] [$this:tt] $method:ident ($($arg:ident),*)) => {
        $($signature)* {
            $this.0.$method($($arg),*)
        }
    };
}
