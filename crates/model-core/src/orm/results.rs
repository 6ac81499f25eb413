//! What running a query gives: its rows, taken `all`, the `first`, or exactly `one`.

use crate::sql::error::{Error, Result};

/// The rows a query returned: take them `all`, the `first`, or exactly `one`.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
/// # fn demo(session: &mut Session) -> Result<()> {
/// let hero = session.exec(select::<Hero>().where_(Hero::name.eq("Deadpond")))?.one()?;
/// let maybe = session.exec(select::<Hero>())?.first();
/// for hero in session.exec(select::<Hero>())? { println!("{}", hero.name); }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Results<T>(pub(crate) Vec<T>);

impl<T> Results<T> {
    /// Every row.
    ///
    /// ```
    /// # fn demo(r: model_core::Results<i64>) { let v: Vec<i64> = r.all(); }
    /// ```
    pub fn all(self) -> Vec<T> {
        self.0
    }

    /// The first row, if any.
    ///
    /// ```
    /// # fn demo(r: model_core::Results<i64>) { let v: Option<i64> = r.first(); }
    /// ```
    pub fn first(self) -> Option<T> {
        self.0.into_iter().next()
    }

    /// Exactly one row: [`Error::NoResult`] when there is none, [`Error::MultipleResults`]
    /// when there are more.
    ///
    /// ```
    /// # fn demo(r: model_core::Results<i64>) -> model_core::Result<()> { let v: i64 = r.one()?; Ok(()) }
    /// ```
    pub fn one(self) -> Result<T> {
        let mut rows = self.0.into_iter();
        match (rows.next(), rows.next()) {
            (Some(row), None) => Ok(row),
            (None, _) => Err(Error::NoResult),
            (Some(_), Some(_)) => Err(Error::MultipleResults),
        }
    }

    /// How many rows there are.
    ///
    /// ```
    /// # fn demo(r: model_core::Results<i64>) { println!("{}", r.len()); }
    /// ```
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is no row.
    ///
    /// ```
    /// # fn demo(r: model_core::Results<i64>) { println!("{}", r.is_empty()); }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T> IntoIterator for Results<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}
