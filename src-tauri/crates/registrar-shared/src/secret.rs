//! The one type that holds a secret value: an app's client secret, an admin credential, a token.
//!
//! It cannot be printed (`Debug` is redacted, there is no `Display`), cannot be serialized, is not
//! `Clone`, and wipes its memory when dropped. The value is reached only through
//! [`Secret::expose`], so every place that reads one is easy to find.

use std::fmt;

use zeroize::Zeroizing;

pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    /// The value itself. Call only where it must leave the process: an HTTP body or header, the
    /// keychain, or the one showing in the UI.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// An explicit copy, for the rare place that must keep the value in two owners.
    pub fn duplicate(&self) -> Self {
        Self::new(self.expose())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// Read straight from a server's answer into a `Secret`, so the value never sits in a plain `String`
/// field. There is deliberately no `Serialize`.
impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl Eq for Secret {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::new("hunter2-very-secret");
        let printed = format!("{secret:?} {:?}", Some(&secret));
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(printed.contains("[redacted]"));
    }

    #[test]
    fn expose_returns_the_value() {
        assert_eq!(Secret::new("abc").expose(), "abc");
        assert_eq!(Secret::new("abc").duplicate(), Secret::new("abc"));
    }
}
