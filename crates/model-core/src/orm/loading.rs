//! Eager loading: a `select` with relationships to load after it (SQLAlchemy's
//! `selectinload`), `select::<User>().load(User::posts)`.

use crate::orm::relationship::Load;
use crate::sql::model::Model;
use crate::sql::select::Select;

impl<M: Model> Select<M> {
    /// Loads a relationship of every model the query returns, in one batch of queries
    /// (`IN (...)`) whatever the number of rows: `select::<User>().load(User::posts)`. Chain
    /// nested loads with `then`, and further relations with `load` again. Comes last.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct User { #[model(primary_key)] id: Option<i64>,
    /// #   #[model(has_many(Post, foreign_key = author_id))] posts: Related<Vec<Post>> }
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Post { #[model(primary_key)] id: Option<i64>, #[model(foreign_key = User::id)] author_id: Option<i64> }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// let users = session.exec(select::<User>().load(User::posts))?.all(); // 2 queries
    /// # Ok(()) }
    /// ```
    pub fn load(self, relation: impl Load<M> + 'static) -> Loading<M> {
        Loading {
            query: self,
            loads: vec![Box::new(relation)],
        }
    }
}

/// A [`Select`] with relationships to load; see [`Select::load`].
pub struct Loading<M> {
    query: Select<M>,
    loads: Vec<Box<dyn Load<M>>>,
}

impl<M: Model> Loading<M> {
    /// Loads one more relationship.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Team { #[model(primary_key)] id: Option<i64> }
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>,
    /// #   #[model(foreign_key = Team::id)] team_id: Option<i64>,
    /// #   #[model(belongs_to(Team, key = team_id))] team: Related<Option<Team>>,
    /// #   #[model(has_many(Power, foreign_key = hero_id))] powers: Related<Vec<Power>> }
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Power { #[model(primary_key)] id: Option<i64>, #[model(foreign_key = Hero::id)] hero_id: Option<i64> }
    /// let q = select::<Hero>().load(Hero::team).load(Hero::powers);
    /// ```
    pub fn load(mut self, relation: impl Load<M> + 'static) -> Self {
        self.loads.push(Box::new(relation));
        self
    }
}

impl<M> Loading<M> {
    /// The query and the relationships to load after it.
    pub(crate) fn into_parts(self) -> (Select<M>, Vec<Box<dyn Load<M>>>) {
        (self.query, self.loads)
    }
}
