//! Reading JSON objects whose unknown keys are kept, in order, rather than dropped.

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
                        while let Some(key) = map.next_key::<::std::borrow::Cow<'de, str>>()? {
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

pub(crate) use deserialize_keeping_unknown;
pub(crate) use read_value;
