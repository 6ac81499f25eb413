//! Reading a relationship of one model, and staging link rows of many-to-many relationships.

use crate::orm::flush::Pending;
use crate::orm::relationship::{Link, Relation, Target, key_column};
use crate::orm::session::{Cascade, Session};
use crate::sql::error::{Error, Result};
use crate::sql::model::Model;
use crate::sql::table::Table;
use crate::sql::value::Value;

impl Session {
    /// Reads a relationship of one model now: `session.related(&user, User::posts)`.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct User { #[model(primary_key)] id: Option<i64>,
    /// #   #[model(has_many(Post, foreign_key = author_id))] posts: Related<Vec<Post>> }
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Post { #[model(primary_key)] id: Option<i64>, #[model(foreign_key = User::id)] author_id: Option<i64> }
    /// # fn demo(session: &mut Session, alice: User) -> Result<()> {
    /// let posts: Vec<Post> = session.related(&alice, User::posts)?;
    /// # Ok(()) }
    /// ```
    pub fn related<P: Model, C: Model + Clone, T: Target<C>>(
        &mut self,
        parent: &P,
        relation: Relation<P, C, T>,
    ) -> Result<T> {
        self.autoflush()?;
        relation.fetch_one(self, parent)
    }

    /// Stages the deletion of every row a relationship holds (and, through their own
    /// `cascade_delete` relationships, theirs): what `#[model(has_many(..., cascade_delete))]`
    /// runs when its model is deleted, for schemas whose database does not cascade.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct User { #[model(primary_key)] id: Option<i64>,
    /// #   #[model(has_many(Post, foreign_key = author_id))] posts: Related<Vec<Post>> }
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Post { #[model(primary_key)] id: Option<i64>, #[model(foreign_key = User::id)] author_id: Option<i64> }
    /// # fn demo(session: &mut Session, alice: User) -> Result<()> {
    /// session.delete_related(&alice, User::posts)?;
    /// # Ok(()) }
    /// ```
    pub fn delete_related<P: Model, C: Cascade + Clone>(
        &mut self,
        parent: &P,
        relation: Relation<P, C, Vec<C>>,
    ) -> Result<()> {
        for child in self.related(parent, relation)? {
            self.delete(&child)?;
        }
        Ok(())
    }

    /// Stages a row of a many-to-many relationship's link table joining `parent` and `target`
    /// (its other columns take NULL).
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Team { #[model(primary_key)] id: Option<i64> }
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct HeroTeam { #[model(primary_key, foreign_key = Hero::id)] hero_id: i64,
    /// #   #[model(primary_key, foreign_key = Team::id)] team_id: i64 }
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>,
    /// #   #[model(many_to_many(Team, link = HeroTeam, from = hero_id, to = team_id))] teams: Related<Vec<Team>> }
    /// # fn demo(session: &mut Session, hero: Hero, team: Team) -> Result<()> {
    /// session.link(&hero, Hero::teams, &team)?;
    /// session.commit()?;
    /// # Ok(()) }
    /// ```
    pub fn link<P: Model, C: Model>(
        &mut self,
        parent: &P,
        relation: Relation<P, C, Vec<C>>,
        target: &C,
    ) -> Result<()> {
        let (table, values) = link_row(parent, relation, target)?;
        self.stage_row(table, values, Vec::new());
        Ok(())
    }

    /// Stages the deletion of the link row joining `parent` and `target`.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Team { #[model(primary_key)] id: Option<i64> }
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct HeroTeam { #[model(primary_key, foreign_key = Hero::id)] hero_id: i64,
    /// #   #[model(primary_key, foreign_key = Team::id)] team_id: i64 }
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>,
    /// #   #[model(many_to_many(Team, link = HeroTeam, from = hero_id, to = team_id))] teams: Related<Vec<Team>> }
    /// # fn demo(session: &mut Session, hero: Hero, team: Team) -> Result<()> {
    /// session.unlink(&hero, Hero::teams, &team)?;
    /// session.commit()?;
    /// # Ok(()) }
    /// ```
    pub fn unlink<P: Model, C: Model>(
        &mut self,
        parent: &P,
        relation: Relation<P, C, Vec<C>>,
        target: &C,
    ) -> Result<()> {
        let (table, values) = link_row(parent, relation, target)?;
        let key = table
            .primary_key
            .iter()
            .map(|&i| values[i].clone())
            .collect();
        self.pending.push(Pending::Delete {
            table,
            key,
            version: None,
            values,
            stored: Vec::new(),
        });
        Ok(())
    }
}

/// The link table row joining two models through a many-to-many relationship.
fn link_row<P: Model, C: Model>(
    parent: &P,
    relation: Relation<P, C, Vec<C>>,
    target: &C,
) -> Result<(&'static Table, Vec<Value>)> {
    let Link::ManyToMany { link, from, to } = relation.link() else {
        return Err(Error::Statement(format!(
            "{} is not a many-to-many relationship",
            relation.name()
        )));
    };
    let table = link();
    let parent_key = parent.column_value(key_column::<P>()?);
    let target_key = target.column_value(key_column::<C>()?);
    if parent_key.is_null() || target_key.is_null() {
        return Err(Error::Statement(
            "link models that are stored (have keys) first".into(),
        ));
    }
    let mut values = vec![Value::Null; table.columns.len()];
    values[from] = parent_key;
    values[to] = target_key;
    Ok((table, values))
}
