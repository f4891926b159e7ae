/// Declares an open enumeration: a newtype over an integer with named associated constants.
///
/// Registries such as message numbers, disconnect reasons and SFTP status codes grow over
/// time and peers send values we have never heard of. An open newtype keeps such values
/// intact (they round-trip and compare) and `Debug` prints the name when there is one and
/// the number otherwise.
///
/// ```
/// ssh_wire::open_enum! {
///     /// RFC 4253 §11.1 disconnection reason codes (excerpt).
///     pub struct Reason(u32) {
///         /// Protocol error.
///         PROTOCOL_ERROR = 2,
///         /// MAC error.
///         MAC_ERROR = 5,
///     }
/// }
/// assert_eq!(format!("{:?}", Reason::MAC_ERROR), "MAC_ERROR");
/// assert_eq!(format!("{:?}", Reason(99)), "Reason(99)");
/// assert_eq!(Reason::from(5u32), Reason::MAC_ERROR);
/// assert_eq!(Reason::PROTOCOL_ERROR.name(), Some("PROTOCOL_ERROR"));
/// ```
#[macro_export]
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident($int:ty) {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $value:expr
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        $vis struct $name(pub $int);

        impl $name {
            $(
                $(#[$vmeta])*
                pub const $variant: Self = Self($value);
            )*

            /// The registry name of this value, if it is one we know.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $(v if v == $value => Some(stringify!($variant)),)*
                    _ => None,
                }
            }
        }

        impl ::core::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self.name() {
                    Some(name) => f.write_str(name),
                    None => write!(f, "{}({})", stringify!($name), self.0),
                }
            }
        }

        impl ::core::convert::From<$int> for $name {
            fn from(v: $int) -> Self {
                Self(v)
            }
        }

        impl ::core::convert::From<$name> for $int {
            fn from(v: $name) -> Self {
                v.0
            }
        }
    };
}
