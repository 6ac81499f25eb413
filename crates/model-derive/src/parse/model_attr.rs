//! `#[model(...)]` on the struct: table name and multi-column indexes.

use syn::{Attribute, Ident, LitStr, Token, parenthesized, punctuated::Punctuated};

use super::Ctxt;

#[derive(Default)]
pub(crate) struct ModelAttrs {
    pub table: Option<String>,
    pub indexes: Vec<(bool, Vec<Ident>)>,
    pub schemas: super::schema::Schemas,
}

pub(crate) fn parse(cx: &Ctxt, attrs: &[Attribute]) -> ModelAttrs {
    let mut out = ModelAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("model")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("table") {
                let name: LitStr = meta.value()?.parse()?;
                out.table = Some(name.value());
            } else if meta.path.is_ident("unique") || meta.path.is_ident("index") {
                let unique = meta.path.is_ident("unique");
                let content;
                parenthesized!(content in meta.input);
                let idents = Punctuated::<Ident, Token![,]>::parse_terminated(&content)?;
                out.indexes.push((unique, idents.into_iter().collect()));
            } else if super::schema::parse_struct_key(cx, &meta, &mut out.schemas)? {
            } else {
                return Err(meta.error(
                    "unknown model attribute; expected `table = \"...\"`, `unique(a, b)`, `index(a, b)`, `create = Name`, `public = Name`, `update = Name`, `create_field(...)`, `update_field(...)` or `public_with(Name { relationship: Type })`",
                ));
            }
            Ok(())
        });
        if let Err(e) = result {
            cx.push(e);
        }
    }
    out
}
