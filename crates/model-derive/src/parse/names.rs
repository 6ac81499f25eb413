//! The names of the inherent items the derive adds to the model, which share the type's
//! namespace with the user's own: a handle per column and per relationship (`Hero::name`, named
//! after the field, as SQLModel's class attributes are) and the constructor (`Hero::new`).
//! `#[model(handle = "...")]` on a field and `#[model(new = "...")]` or `#[model(no_new)]` on
//! the struct rename them or leave the constructor out, so that they need not clash.

use syn::meta::ParseNestedMeta;
use syn::{Expr, ExprLit, Ident, Lit};

use super::{Ctxt, Field, Model};

/// The struct's `new = "..."` and `no_new`, as written.
#[derive(Default)]
pub(crate) struct ConstructorAttr {
    name: Option<Ident>,
    no_new: Option<Ident>,
}

impl ConstructorAttr {
    /// The constructor's name, `new` unless renamed; `None` for `no_new`.
    pub fn name(self) -> Option<Ident> {
        if self.no_new.is_some() {
            return None;
        }
        Some(
            self.name
                .unwrap_or_else(|| Ident::new("new", proc_macro2::Span::call_site())),
        )
    }
}

/// Reads a struct-level key naming the constructor; `Ok(false)` when the key is not one.
pub(crate) fn parse_struct_key(
    cx: &Ctxt,
    meta: &ParseNestedMeta<'_>,
    out: &mut ConstructorAttr,
) -> syn::Result<bool> {
    if meta.path.is_ident("no_new") {
        if meta.input.peek(syn::Token![=]) || meta.input.peek(syn::token::Paren) {
            return Err(meta.error("`no_new` takes no value: write `no_new` alone"));
        }
        let key = meta.path.get_ident().cloned();
        if out.no_new.is_some() {
            cx.error(&meta.path, "`no_new` is already set: keep one");
        } else if out.name.is_some() {
            cx.error(&meta.path, CONTRADICTION);
        }
        out.no_new = key;
    } else if meta.path.is_ident("new") {
        let name = ident_value(meta, "new", "the constructor", "new = \"create\"")?;
        if out.name.is_some() {
            cx.error(
                &name,
                "the constructor is already named: keep one `new = \"...\"`",
            );
        } else if out.no_new.is_some() {
            cx.error(&name, CONTRADICTION);
        }
        out.name = Some(name);
    } else {
        return Ok(false);
    }
    Ok(true)
}

const CONTRADICTION: &str = "`no_new` and `new = \"...\"` contradict each other: keep `no_new` for no constructor, or `new = \"...\"` to name it";

/// Reads a field's `handle = "name_col"`.
pub(crate) fn parse_handle(meta: &ParseNestedMeta<'_>) -> syn::Result<Ident> {
    ident_value(
        meta,
        "handle",
        "the field's handle",
        "handle = \"name_col\"",
    )
}

/// The identifier in the string of `key = "..."`; `what` is what it names and `example` shows
/// the attribute written right.
fn ident_value(
    meta: &ParseNestedMeta<'_>,
    key: &str,
    what: &str,
    example: &str,
) -> syn::Result<Ident> {
    let takes = format!("`{key}` takes the name of {what} as a string: write `{example}`");
    if !meta.input.peek(syn::Token![=]) {
        return Err(meta.error(takes));
    }
    let lit = match meta.value()?.parse::<Expr>()? {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => s,
        other => return Err(syn::Error::new_spanned(other, takes)),
    };
    let value = lit.value();
    match syn::parse_str::<Ident>(&value) {
        Ok(ident) => Ok(Ident::new(&ident.to_string(), lit.span())),
        Err(_) => Err(syn::Error::new_spanned(
            &lit,
            format!("`{value}` is not a Rust identifier: `{key}` names {what}, as in `{example}`"),
        )),
    }
}

/// Each handle names one item: a handle on a field that has none, and two handles of one name,
/// are refused.
pub(crate) fn check(cx: &Ctxt, model: &Model) {
    for f in model
        .fields
        .iter()
        .filter(|f| f.skip && f.relation.is_none())
    {
        if let Some(handle) = &f.handle {
            cx.error(
                handle,
                "a `skip` field is neither a column nor a relationship and has no handle: drop `handle`",
            );
        }
    }
    let handled: Vec<&Field> = model
        .fields
        .iter()
        .filter(|f| !f.skip || f.relation.is_some())
        .collect();
    for (i, f) in handled.iter().enumerate() {
        let handle = f.handle();
        if let Some(g) = handled[..i].iter().find(|g| g.handle() == handle) {
            cx.error(
                handle,
                format!(
                    "`{}::{handle}` is already the handle of `{}`: give one of them another name with `handle = \"...\"`",
                    model.ident, g.ident
                ),
            );
        }
    }
}

impl Model {
    /// The handle of the column field `field` (a relationship's `key`), or `field` itself when
    /// no column has that name.
    pub fn handle_of<'a>(&'a self, field: &'a Ident) -> &'a Ident {
        self.columns()
            .find(|f| f.ident == *field)
            .map_or(field, |f| f.handle())
    }
}
