//! Relationship fields: `has_many`, `has_one`, `belongs_to` and `many_to_many` on a
//! `Related<...>` field.

use syn::meta::ParseNestedMeta;
use syn::{GenericArgument, Ident, PathArguments, Type};

/// How a relationship field finds its rows.
pub(crate) enum RelationKind {
    /// `has_many(Post, foreign_key = author_id [, cascade_delete] [, back_populates = author])`,
    /// or `has_one(...)` with the same options (`one`): the rows of the target whose foreign
    /// key holds this model's key, a list or at most one.
    HasMany {
        foreign_key: Ident,
        cascade: bool,
        back_populates: Option<Ident>,
        one: bool,
    },
    /// `belongs_to(User, key = author_id)`: `key` is this model's foreign key field.
    BelongsTo { key: Ident },
    /// `many_to_many(Team, link = HeroTeamLink, from = hero_id, to = team_id)`.
    ManyToMany {
        link: syn::Path,
        from: Ident,
        to: Ident,
    },
}

pub(crate) struct Relation {
    pub target: syn::Path,
    pub kind: RelationKind,
}

/// Parses a relationship key of a field's `#[model(...)]`; `Ok(None)` when the key is not one.
pub(crate) fn parse_key(meta: &ParseNestedMeta<'_>) -> syn::Result<Option<Relation>> {
    let name = match meta.path.get_ident() {
        Some(i)
            if ["has_many", "has_one", "belongs_to", "many_to_many"]
                .iter()
                .any(|n| i == n) =>
        {
            i.to_string()
        }
        _ => return Ok(None),
    };
    let mut target: Option<syn::Path> = None;
    let (mut foreign_key, mut key, mut link, mut from, mut to) = (None, None, None, None, None);
    let mut cascade = false;
    let mut back_populates = None;
    let has = name == "has_many" || name == "has_one";
    meta.parse_nested_meta(|inner| {
        let key_name = inner.path.get_ident().map(|i| i.to_string());
        match key_name.as_deref() {
            Some("foreign_key") if has => foreign_key = Some(inner.value()?.parse()?),
            Some("cascade_delete") if has => cascade = true,
            Some("back_populates") if has => back_populates = Some(inner.value()?.parse()?),
            Some("key") if name == "belongs_to" => key = Some(inner.value()?.parse()?),
            Some("link") if name == "many_to_many" => link = Some(inner.value()?.parse()?),
            Some("from") if name == "many_to_many" => from = Some(inner.value()?.parse()?),
            Some("to") if name == "many_to_many" => to = Some(inner.value()?.parse()?),
            _ if target.is_none() && !inner.input.peek(syn::Token![=]) => {
                target = Some(inner.path.clone());
            }
            _ => {
                let known: &[&str] = match name.as_str() {
                    "belongs_to" => &["key"],
                    "many_to_many" => &["link", "from", "to"],
                    _ => &["foreign_key", "cascade_delete", "back_populates"],
                };
                let key = inner
                    .path
                    .get_ident()
                    .map(|i| i.to_string())
                    .unwrap_or_default();
                return Err(inner.error(super::ctxt::unknown(
                    &format!("`{name}` option"),
                    &key,
                    known,
                )));
            }
        }
        Ok(())
    })?;
    let target = target.ok_or_else(|| {
        meta.error(format!(
            "`{name}` names the related model first: `{name}(Team, ...)`"
        ))
    })?;
    let model = target
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default();
    let missing = |what: &str| {
        let means = match what {
            "foreign_key" => format!("the column of `{model}` holding this model's key"),
            "key" => format!("this model's column holding the `{model}` key"),
            "link" => "the model whose rows link the two".to_owned(),
            "from" => "the link's column holding this model's key".to_owned(),
            _ => format!("the link's column holding the `{model}` key"),
        };
        meta.error(format!("`{name}` needs `{what} = ...`, {means}"))
    };
    let kind = match name.as_str() {
        "has_many" | "has_one" => RelationKind::HasMany {
            foreign_key: foreign_key.ok_or_else(|| missing("foreign_key"))?,
            cascade,
            back_populates,
            one: name == "has_one",
        },
        "belongs_to" => RelationKind::BelongsTo {
            key: key.ok_or_else(|| missing("key"))?,
        },
        _ => RelationKind::ManyToMany {
            link: link.ok_or_else(|| missing("link"))?,
            from: from.ok_or_else(|| missing("from"))?,
            to: to.ok_or_else(|| missing("to"))?,
        },
    };
    Ok(Some(Relation { target, kind }))
}

/// `T` of a `Related<T>` field type.
pub(crate) fn related_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Related" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    }
}
