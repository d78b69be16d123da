//! Reading JSON objects whose unknown keys are kept, in order, rather than dropped.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// Implements `Deserialize` for a struct with `Default` and an `extra: serde_json::Map` field:
/// each listed JSON key fills its field, every other key lands in `extra` with its value.
/// `"key" => field as Reader` reads the value as `Reader` and converts it into the field.
macro_rules! deserialize_keeping_unknown {
    ($ty:ident { $($key:literal => $field:ident $(as $via:ty)?),* $(,)? }) => {
        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct ObjectVisitor;
                impl<'de> ::serde::de::Visitor<'de> for ObjectVisitor {
                    type Value = $ty;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("an object (", stringify!($ty), ")"))
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<$ty, A::Error> {
                        let mut out = $ty::default();
                        while let Some($crate::model::object::Text(key)) = map.next_key()? {
                            match key.as_ref() {
                                $($key => out.$field = $crate::model::object::read_value!(map $(, $via)?),)*
                                _ => {
                                    let value: ::serde_json::Value = map.next_value()?;
                                    out.extra.insert(key.into_owned(), value);
                                }
                            }
                        }
                        Ok(out)
                    }
                }
                d.deserialize_map(ObjectVisitor)
            }
        }
    };
}

/// The next value of a map, read as its field's type or through a reader type.
macro_rules! read_value {
    ($map:ident) => {
        $map.next_value()?
    };
    ($map:ident, $via:ty) => {
        ::std::convert::Into::into($map.next_value::<$via>()?)
    };
}

/// A text read in place when the input allows it (a JSON string without escapes), copied
/// otherwise. Serde's own `Cow<str>` always copies, which made every key of every object read a
/// new allocation.
pub(crate) struct Text<'de>(pub Cow<'de, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text<'de>, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            // As serde's `String` says it, so that errors read the same.
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Text<'de>, E> {
                match std::str::from_utf8(v) {
                    Ok(s) => Ok(Text(Cow::Owned(s.to_owned()))),
                    Err(_) => Err(E::invalid_value(de::Unexpected::Bytes(v), &self)),
                }
            }
            fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<Text<'de>, E> {
                match std::str::from_utf8(v) {
                    Ok(s) => Ok(Text(Cow::Borrowed(s))),
                    Err(_) => Err(E::invalid_value(de::Unexpected::Bytes(v), &self)),
                }
            }
            fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Text<'de>, E> {
                match String::from_utf8(v) {
                    Ok(s) => Ok(Text(Cow::Owned(s))),
                    Err(e) => Err(E::invalid_value(
                        de::Unexpected::Bytes(&e.into_bytes()),
                        &self,
                    )),
                }
            }
        }
        d.deserialize_str(TextVisitor)
    }
}

pub(crate) use deserialize_keeping_unknown;
pub(crate) use read_value;

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::Text;
    use crate::model::Store;

    #[test]
    fn a_text_without_escapes_is_read_in_place_and_one_with_escapes_is_copied() {
        let plain: Text = serde_json::from_str(r#""start""#).expect("reads");
        assert!(matches!(plain.0, Cow::Borrowed("start")));
        let escaped: Text = serde_json::from_str(r#""st\u0061rt""#).expect("reads");
        assert!(matches!(&escaped.0, Cow::Owned(s) if s == "start"));
        let from_value =
            <Text as serde::Deserialize>::deserialize(serde_json::json!("start")).expect("reads");
        assert_eq!(from_value.0, "start");
    }

    #[test]
    fn keys_and_times_read_the_same_with_or_without_escapes() {
        let plain = r#"{"storeId":"a","openingHours":{"usual":{"1":[{"start":"09:00","end":"12:00"}]}},"note":1}"#;
        let escaped = r#"{"st\u006freId":"a","openingHours":{"usual":{"\u0031":[{"st\u0061rt":"09\u003a00","end":"12:00"}]}},"n\u006fte":1}"#;
        let a: Store = serde_json::from_str(plain).expect("reads");
        let b: Store = serde_json::from_str(escaped).expect("reads");
        assert_eq!(a, b);
        assert_eq!(b.to_json(), plain);
    }

    #[test]
    fn a_time_or_day_that_is_not_text_is_refused_as_a_string_would_be() {
        for text in [
            r#"{"openingHours":{"usual":{"1":[{"start":9}]}}}"#,
            r#"{"openingHours":{"usual":{"1":[{"end":[]}]}}}"#,
        ] {
            let error = serde_json::from_str::<Store>(text).expect_err("refused");
            assert!(
                error.to_string().contains("expected a string"),
                "{text}: {error}"
            );
        }
    }
}
