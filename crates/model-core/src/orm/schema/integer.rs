//! Integers as JSON Schema counts them: `3` and also `3.0`, which serde refuses for an integer
//! type but which the OpenAPI document's `"type": "integer"` allows (and pydantic takes). The
//! generated API schemas deserialize their integer fields through these functions.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, Visitor};

use crate::orm::schema::Patch;

/// An integer type a JSON number may become.
#[doc(hidden)]
pub trait Integer: Sized + TryFrom<i128> {
    const NAME: &'static str;
}

macro_rules! integer {
    ($($t:ty),*) => {$(
        impl Integer for $t {
            const NAME: &'static str = stringify!($t);
        }
    )*};
}
integer!(i8, i16, i32, i64, u8, u16, u32, u64);

/// An integer read from `3` or `3.0`.
struct Lax<T>(T);

impl<'de, T: Integer> Deserialize<'de> for Lax<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_i64(LaxVisitor(PhantomData))
    }
}

struct LaxVisitor<T>(PhantomData<T>);

impl<T: Integer> LaxVisitor<T> {
    fn fit<E: de::Error>(v: i128, unexpected: de::Unexpected<'_>) -> Result<Lax<T>, E> {
        T::try_from(v)
            .map(Lax)
            .map_err(|_| E::invalid_value(unexpected, &Self(PhantomData)))
    }
}

impl<T: Integer> Visitor<'_> for LaxVisitor<T> {
    type Value = Lax<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an integer that fits {}", T::NAME)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Lax<T>, E> {
        Self::fit(v.into(), de::Unexpected::Signed(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Lax<T>, E> {
        Self::fit(v.into(), de::Unexpected::Unsigned(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Lax<T>, E> {
        // Within i128's range every whole f64 converts exactly.
        if v.fract() == 0.0 && v.abs() < 1e38 {
            Self::fit(v as i128, de::Unexpected::Float(v))
        } else {
            Err(E::invalid_value(de::Unexpected::Float(v), &self))
        }
    }
}

/// `deserialize_with` for an integer field.
#[doc(hidden)]
pub fn integer<'de, D: Deserializer<'de>, T: Integer>(deserializer: D) -> Result<T, D::Error> {
    Lax::deserialize(deserializer).map(|v| v.0)
}

/// `deserialize_with` for an `Option` of an integer.
#[doc(hidden)]
pub fn integer_option<'de, D: Deserializer<'de>, T: Integer>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    Option::<Lax<T>>::deserialize(deserializer).map(|v| v.map(|v| v.0))
}

/// `deserialize_with` for a `Patch` of a NULL-able integer column.
#[doc(hidden)]
pub fn integer_patch<'de, D: Deserializer<'de>, T: Integer>(
    deserializer: D,
) -> Result<Patch<T>, D::Error> {
    Ok(match integer_option(deserializer)? {
        Some(v) => Patch::Value(v),
        None => Patch::Null,
    })
}

/// `deserialize_with` for a `Patch` of an integer column that cannot be NULL.
#[doc(hidden)]
pub fn integer_patch_non_null<'de, D: Deserializer<'de>, T: Integer>(
    deserializer: D,
) -> Result<Patch<T>, D::Error> {
    match integer_option(deserializer)? {
        Some(v) => Ok(Patch::Value(v)),
        None => Err(de::Error::custom(crate::orm::schema::NON_NULL)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Row {
        #[serde(deserialize_with = "integer")]
        age: i32,
        #[serde(default, deserialize_with = "integer_patch")]
        level: Patch<i16>,
    }

    #[test]
    fn whole_floats_are_integers() {
        let row: Row = serde_json::from_str(r#"{"age": 3658.0, "level": null}"#).unwrap();
        assert_eq!((row.age, row.level), (3658, Patch::Null));
        let row: Row = serde_json::from_str(r#"{"age": -2, "level": 7.0}"#).unwrap();
        assert_eq!((row.age, row.level), (-2, Patch::Value(7)));
        let row: Row = serde_json::from_str(r#"{"age": 1}"#).unwrap();
        assert_eq!(row.level, Patch::Absent);
        for bad in [
            r#"{"age": 1.5}"#,
            r#"{"age": 1e300}"#,
            r#"{"age": 3000000000}"#,
            r#"{"age": "1"}"#,
        ] {
            assert!(serde_json::from_str::<Row>(bad).is_err(), "{bad}");
        }
        let error = serde_json::from_str::<Row>(r#"{"age": 1, "level": 40000}"#)
            .err()
            .unwrap();
        assert!(error.to_string().contains("fits i16"), "{error}");
    }
}
