//! `#[model(...)]` on the struct: table name and multi-column indexes.

use syn::{Attribute, Ident, Token, parenthesized, punctuated::Punctuated};

use super::Ctxt;
use super::ctxt::{string_value, unknown};

/// The keys of the struct's `#[model(...)]`.
pub(crate) const KEYS: &[&str] = &[
    "table",
    "unique",
    "index",
    "create",
    "public",
    "update",
    "create_field",
    "update_field",
    "public_with",
    "new",
    "no_new",
    "renamed_from",
];

#[derive(Default)]
pub(crate) struct ModelAttrs {
    pub table: Option<String>,
    /// `renamed_from = "old_table"`: the table's previous name, for a migration to rename it.
    pub renamed_from: Option<String>,
    pub indexes: Vec<(bool, Vec<Ident>)>,
    pub schemas: super::schema::Schemas,
    pub constructor: super::names::ConstructorAttr,
}

pub(crate) fn parse(cx: &Ctxt, attrs: &[Attribute]) -> ModelAttrs {
    let mut out = ModelAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("validate")) {
        cx.error(
            attr,
            "`#[validate(...)]` goes on a field: put it above the field it checks",
        );
    }
    for attr in attrs.iter().filter(|a| a.path().is_ident("model")) {
        if is_empty_list(attr) {
            cx.error(
                attr,
                "an empty `#[model()]` on the struct does nothing: remove it",
            );
            continue;
        }
        let result = attr.parse_nested_meta(|meta| {
            let key = meta.path.get_ident().map(|i| i.to_string()).unwrap_or_default();
            if meta.path.is_ident("table") {
                let name = string_value(&meta, "table = \"heroes\"")?;
                if name.value().trim().is_empty() {
                    return Err(syn::Error::new_spanned(
                        name,
                        "the table needs a name: write `table = \"heroes\"`, or drop `table` to name it after the struct",
                    ));
                }
                if out.table.is_some() {
                    cx.error(&meta.path, "`table` is already set: keep one");
                }
                out.table = Some(name.value());
            } else if meta.path.is_ident("renamed_from") {
                let name = string_value(&meta, "renamed_from = \"old_table\"")?;
                if name.value().trim().is_empty() {
                    return Err(syn::Error::new_spanned(
                        name,
                        "`renamed_from` names the table's previous name: `renamed_from = \"old_table\"`",
                    ));
                }
                out.renamed_from = Some(name.value());
            } else if meta.path.is_ident("unique") || meta.path.is_ident("index") {
                let unique = meta.path.is_ident("unique");
                if !meta.input.peek(syn::token::Paren) {
                    return Err(meta.error(format!(
                        "on the struct, `{key}` names its fields: `{key}(a, b)`; on a field, write `#[model({key})]`"
                    )));
                }
                let content;
                parenthesized!(content in meta.input);
                let idents = Punctuated::<Ident, Token![,]>::parse_terminated(&content)?;
                if idents.is_empty() {
                    cx.error(&meta.path, format!("name the fields: `{key}(a, b)`"));
                }
                for (i, ident) in idents.iter().enumerate() {
                    if idents.iter().take(i).any(|earlier| earlier == ident) {
                        cx.error(
                            ident,
                            format!("`{ident}` is already in this `{key}(...)`: name each field once"),
                        );
                    }
                }
                out.indexes.push((unique, idents.into_iter().collect()));
            } else if super::schema::parse_struct_key(cx, &meta, &mut out.schemas)?
                || super::names::parse_struct_key(cx, &meta, &mut out.constructor)?
            {
            } else if super::field::KEYS.contains(&key.as_str()) {
                return Err(meta.error(format!(
                    "`{key}` goes on a field: move it to that field's `#[model(...)]`"
                )));
            } else {
                return Err(meta.error(unknown("struct attribute", &key, KEYS)));
            }
            Ok(())
        });
        if let Err(e) = result {
            cx.push(e);
        }
    }
    out
}

/// Whether `attr` is written `#[model()]`, with nothing in its parentheses.
pub(crate) fn is_empty_list(attr: &Attribute) -> bool {
    matches!(&attr.meta, syn::Meta::List(list) if list.tokens.is_empty())
}
