//! Handles to staged models, and what `refresh` accepts.

use std::marker::PhantomData;

use crate::orm::session::Session;
use crate::sql::error::{Error, Result};
use crate::sql::model::Model;
use crate::sql::value::Value;

/// A model staged with [`Session::add`]; after the flush it names the stored row, so
/// [`Session::refresh`] can read it back with its generated key and defaults.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
/// # fn demo(session: &mut Session) -> Result<()> {
/// let handle: Handle<Hero> = session.add(Hero { id: None, name: "Deadpond".into() })?;
/// session.commit()?;
/// let hero = session.refresh(handle)?;
/// assert!(hero.id.is_some());
/// # Ok(()) }
/// ```
pub struct Handle<M> {
    session: u64,
    slot: usize,
    _model: PhantomData<fn() -> M>,
}

impl<M> Clone for Handle<M> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M> Copy for Handle<M> {}

impl<M> std::fmt::Debug for Handle<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Handle({})", self.slot)
    }
}

impl<M> Handle<M> {
    /// The slot of the session's models this handle names.
    pub(super) fn slot(&self) -> usize {
        self.slot
    }

    pub(super) fn new(session: &Session, slot: usize) -> Self {
        Handle {
            session: session.id,
            slot,
            _model: PhantomData,
        }
    }
}

/// What [`Session::refresh`] accepts: a [`Handle`] from `add`, or a model (by its key).
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
/// # fn demo(session: &mut Session, hero: Hero) -> Result<()> {
/// let fresh = session.refresh(&hero)?;
/// # Ok(()) }
/// ```
pub trait Identifies<M> {
    /// The key of the row, once it has one.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHandle`] for a [`Handle`] of another session, or of a model that a
    /// savepoint rollback undid.
    fn key_in(&self, session: &Session) -> Result<Option<Vec<Value>>>;
}

impl<M: Model> Identifies<M> for Handle<M> {
    fn key_in(&self, session: &Session) -> Result<Option<Vec<Value>>> {
        if self.session != session.id {
            return Err(Error::InvalidHandle(format!(
                "a handle of {} from another session",
                M::TABLE.name
            )));
        }
        let slot = session.slots.get(self.slot).ok_or_else(|| {
            Error::InvalidHandle(format!(
                "the {} model was staged inside a savepoint that was rolled back",
                M::TABLE.name
            ))
        })?;
        Ok(slot
            .as_ref()
            .and_then(|m| m.downcast_ref::<M>())
            .and_then(Model::key_values))
    }
}

impl<M: Model> Identifies<M> for &M {
    fn key_in(&self, _: &Session) -> Result<Option<Vec<Value>>> {
        Ok(self.key_values())
    }
}

impl<M: Model> Identifies<M> for M {
    fn key_in(&self, _: &Session) -> Result<Option<Vec<Value>>> {
        Ok(self.key_values())
    }
}
