//! `Patch<T>`: one field of a partial update, where leaving a field out and sending `null` are
//! two different requests.

use serde::de::{Deserialize, Deserializer, Error as _};
use serde::ser::{Error as _, Serialize, Serializer};

/// One field of an update schema (the `HeroUpdate` that `#[model(update = HeroUpdate)]`
/// generates): leave the column alone, set it to NULL, or set it to a value.
///
/// SQLModel tells these apart with `model_dump(exclude_unset=True)`; here the type does. In
/// JSON, a missing field is [`Absent`](Patch::Absent), `null` is [`Null`](Patch::Null) and
/// anything else is a [`Value`](Patch::Value). The generated schemas mark every `Patch` field
/// `#[serde(default, skip_serializing_if = "Patch::is_absent")]`, and refuse `null` for a column
/// that is not an `Option` (`name: String` cannot be cleared), with an error naming the field.
///
/// ```
/// use model_core::Patch;
///
/// #[derive(serde::Deserialize)]
/// struct AgeUpdate {
///     #[serde(default)]
///     age: Patch<i32>,
/// }
///
/// let parse = |json| serde_json::from_str::<AgeUpdate>(json).unwrap().age;
/// assert_eq!(parse("{}"), Patch::Absent);
/// assert_eq!(parse(r#"{"age": null}"#), Patch::Null);
/// assert_eq!(parse(r#"{"age": 48}"#), Patch::Value(48));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Patch<T> {
    /// Not sent: the column keeps its value.
    Absent,
    /// Sent as `null`: the column becomes NULL (only for `Option` columns).
    Null,
    /// Sent with a value: the column takes it.
    Value(T),
}

impl<T> Patch<T> {
    /// True when the field was left out.
    ///
    /// ```
    /// assert!(model_core::Patch::<i32>::Absent.is_absent());
    /// ```
    pub fn is_absent(&self) -> bool {
        matches!(self, Patch::Absent)
    }

    /// True when the field was sent as `null`.
    ///
    /// ```
    /// assert!(model_core::Patch::<i32>::Null.is_null());
    /// ```
    pub fn is_null(&self) -> bool {
        matches!(self, Patch::Null)
    }

    /// The value, when one was sent.
    ///
    /// ```
    /// use model_core::Patch;
    /// assert_eq!(Patch::Value(3).value(), Some(&3));
    /// assert_eq!(Patch::<i32>::Null.value(), None);
    /// ```
    pub fn value(&self) -> Option<&T> {
        match self {
            Patch::Value(v) => Some(v),
            _ => None,
        }
    }

    /// A `Patch` of a reference to the value.
    ///
    /// ```
    /// use model_core::Patch;
    /// let name = Patch::Value(String::from("Deadpond"));
    /// assert_eq!(name.as_ref().map(|s| s.len()), Patch::Value(8));
    /// ```
    pub fn as_ref(&self) -> Patch<&T> {
        match self {
            Patch::Absent => Patch::Absent,
            Patch::Null => Patch::Null,
            Patch::Value(v) => Patch::Value(v),
        }
    }

    /// Transforms the value, keeping `Absent` and `Null` as they are.
    ///
    /// ```
    /// use model_core::Patch;
    /// assert_eq!(Patch::Value(2).map(|n| n * 10), Patch::Value(20));
    /// assert_eq!(Patch::<i32>::Null.map(|n| n * 10), Patch::Null);
    /// ```
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Patch<U> {
        match self {
            Patch::Absent => Patch::Absent,
            Patch::Null => Patch::Null,
            Patch::Value(v) => Patch::Value(f(v)),
        }
    }

    /// `None` when absent, else the new value of a NULL-able column: `Some(None)` for `Null`,
    /// `Some(Some(v))` for a value.
    ///
    /// ```
    /// use model_core::Patch;
    /// assert_eq!(Patch::<i32>::Absent.into_option(), None);
    /// assert_eq!(Patch::<i32>::Null.into_option(), Some(None));
    /// assert_eq!(Patch::Value(7).into_option(), Some(Some(7)));
    /// ```
    pub fn into_option(self) -> Option<Option<T>> {
        match self {
            Patch::Absent => None,
            Patch::Null => Some(None),
            Patch::Value(v) => Some(Some(v)),
        }
    }
}

/// [`Patch::Absent`], whatever `T` is.
impl<T> Default for Patch<T> {
    fn default() -> Self {
        Patch::Absent
    }
}

impl<T> From<T> for Patch<T> {
    /// A patch that sets the value.
    ///
    /// ```
    /// use model_core::Patch;
    /// let age: Patch<i32> = 48.into();
    /// assert_eq!(age, Patch::Value(48));
    /// ```
    fn from(value: T) -> Self {
        Patch::Value(value)
    }
}

/// `null` becomes [`Patch::Null`], anything else [`Patch::Value`]. A missing field becomes
/// [`Patch::Absent`] only through `#[serde(default)]` on the field, as the generated schemas have.
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            None => Patch::Null,
            Some(v) => Patch::Value(v),
        })
    }
}

/// `Null` as `null` and a value as itself. `Absent` cannot be written on its own: a field that
/// holds it must be left out, with `#[serde(skip_serializing_if = "Patch::is_absent")]` (the
/// generated schemas have it), since writing `null` instead would clear the column.
impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Patch::Value(v) => serializer.serialize_some(v),
            Patch::Null => serializer.serialize_none(),
            Patch::Absent => Err(S::Error::custom(
                "an absent Patch cannot be serialized: skip the field with \
                 #[serde(skip_serializing_if = \"Patch::is_absent\")]",
            )),
        }
    }
}

/// `deserialize_with` for a `Patch` of a column that is not NULL-able: a value, or an error for
/// `null`.
#[doc(hidden)]
pub fn deserialize_non_null<'de, D, T>(deserializer: D) -> Result<Patch<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    match Option::<T>::deserialize(deserializer)? {
        Some(v) => Ok(Patch::Value(v)),
        None => Err(D::Error::custom(NON_NULL)),
    }
}

pub(crate) const NON_NULL: &str =
    "null is not allowed: this field cannot be cleared (leave it out to keep its value)";
