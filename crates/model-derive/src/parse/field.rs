//! One field of the struct: its column settings from `#[model(...)]` and its `#[validate]` rules.

use syn::{
    Expr, ExprLit, ExprPath, ExprUnary, GenericArgument, Ident, Lit, LitStr, PathArguments, Type,
    UnOp,
};

use super::Ctxt;
use super::rules::{self, Rule};

/// A field's default: a literal (also written into the DDL) or a function called by `new`.
pub(crate) enum Default {
    Literal(Expr),
    Factory(ExprPath),
}

pub(crate) struct ForeignKey {
    /// The referenced model type.
    pub model: syn::Path,
    /// The referenced field (its column handle).
    pub field: Ident,
    pub on_delete: Ident,
    pub on_update: Ident,
}

pub(crate) struct Field {
    pub ident: Ident,
    pub vis: syn::Visibility,
    pub ty: Type,
    /// The type inside `Option<...>`, when the field is an `Option`.
    pub inner: Option<Type>,
    pub column: String,
    pub skip: bool,
    pub primary_key: bool,
    /// A primary key the database generates (`Option<integer>`).
    pub generated: bool,
    pub unique: bool,
    pub index: bool,
    /// The optimistic-concurrency version column.
    pub version: bool,
    pub default: Option<Default>,
    pub foreign_key: Option<ForeignKey>,
    pub rules: Vec<Rule>,
    /// A relationship (not a column), see `relation.rs`.
    pub relation: Option<super::relation::Relation>,
    /// Which API schemas leave the field out (see `schema.rs`).
    pub schemas: super::schema::FieldSchemas,
}

const ACTIONS: &[&str] = &["cascade", "set_null", "restrict", "no_action"];
const INTEGERS: &[&str] = &["i16", "i32", "i64"];
const NUMBERS: &[&str] = &[
    "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64",
];

impl Field {
    pub fn parse(cx: &Ctxt, field: &syn::Field) -> Option<Field> {
        let ident = field.ident.clone()?;
        let inner = option_inner(&field.ty);
        let mut out = Field {
            column: ident.to_string(),
            ident,
            vis: field.vis.clone(),
            ty: field.ty.clone(),
            inner,
            skip: false,
            primary_key: false,
            generated: false,
            unique: false,
            index: false,
            version: false,
            default: None,
            foreign_key: None,
            rules: Vec::new(),
            relation: None,
            schemas: super::schema::FieldSchemas::new(field),
        };
        let mut fk: Option<(syn::Path, Ident)> = None;
        let mut on_delete = None;
        let mut on_update = None;
        for attr in &field.attrs {
            if attr.path().is_ident("validate") {
                out.rules.extend(rules::parse(cx, attr));
                continue;
            }
            if !attr.path().is_ident("model") {
                continue;
            }
            let result = attr.parse_nested_meta(|meta| {
                let p = &meta.path;
                if p.is_ident("primary_key") {
                    out.primary_key = true;
                } else if p.is_ident("skip") {
                    out.skip = true;
                } else if p.is_ident("unique") {
                    out.unique = true;
                } else if p.is_ident("index") {
                    out.index = true;
                } else if p.is_ident("version") {
                    out.version = true;
                } else if p.is_ident("column") {
                    let name: LitStr = meta.value()?.parse()?;
                    out.column = name.value();
                } else if p.is_ident("default") {
                    let expr: Expr = meta.value()?.parse()?;
                    out.default = Some(match expr {
                        Expr::Path(path) => Default::Factory(path),
                        e if is_literal(&e) => Default::Literal(e),
                        e => {
                            return Err(syn::Error::new_spanned(
                                e,
                                "a default is a literal (`default = true`) or a function path (`default = Utc::now`)",
                            ));
                        }
                    });
                } else if p.is_ident("foreign_key") {
                    let path: syn::Path = meta.value()?.parse()?;
                    let mut segments = path.segments.clone();
                    let Some(field) = segments.pop().map(|p| p.into_value().ident) else {
                        return Err(meta.error("expected `foreign_key = Model::field`"));
                    };
                    if segments.is_empty() {
                        return Err(syn::Error::new_spanned(
                            path,
                            "expected `foreign_key = Model::field`",
                        ));
                    }
                    let model = syn::Path {
                        leading_colon: path.leading_colon,
                        segments: segments.into_pairs().map(|p| p.into_value()).collect(),
                    };
                    fk = Some((model, field));
                } else if p.is_ident("on_delete") || p.is_ident("on_update") {
                    let action: Ident = meta.value()?.parse()?;
                    if !ACTIONS.contains(&action.to_string().as_str()) {
                        return Err(syn::Error::new_spanned(
                            action,
                            "expected one of `cascade`, `set_null`, `restrict`, `no_action`",
                        ));
                    }
                    if p.is_ident("on_delete") {
                        on_delete = Some(action);
                    } else {
                        on_update = Some(action);
                    }
                } else if let Some(relation) = super::relation::parse_key(&meta)? {
                    if super::relation::related_inner(&out.ty).is_none() {
                        return Err(syn::Error::new_spanned(
                            &out.ty,
                            "a relationship field has type `Related<Vec<Model>>` or `Related<Option<Model>>`",
                        ));
                    }
                    // Not a column: filled by loading, `NotLoaded` until then.
                    out.skip = true;
                    out.relation = Some(relation);
                } else if super::schema::parse_field_key(&meta, &mut out.schemas)? {
                } else {
                    return Err(meta.error(
                        "unknown model attribute; expected one of `primary_key`, `column`, `skip`, `index`, `unique`, `version`, `default`, `foreign_key`, `on_delete`, `on_update`, `has_many`, `has_one`, `belongs_to`, `many_to_many`, `skip_create`, `skip_public`, `skip_update`, `skip_schemas`",
                    ));
                }
                Ok(())
            });
            if let Err(e) = result {
                cx.push(e);
            }
        }
        let no_action = || Ident::new("no_action", proc_macro2::Span::call_site());
        match fk {
            Some((model, field)) => {
                out.foreign_key = Some(ForeignKey {
                    model,
                    field,
                    on_delete: on_delete.unwrap_or_else(no_action),
                    on_update: on_update.unwrap_or_else(no_action),
                })
            }
            None => {
                if let Some(a) = on_delete.or(on_update) {
                    cx.error(a, "`on_delete`/`on_update` need a `foreign_key`");
                }
            }
        }
        out.check(cx);
        Some(out)
    }

    fn check(&mut self, cx: &Ctxt) {
        if self.primary_key {
            if let Some(inner) = &self.inner {
                if type_name(inner).is_some_and(|n| INTEGERS.contains(&n.as_str())) {
                    self.generated = true;
                } else {
                    cx.error(
                        &self.ty,
                        "a primary key that may be unset must be `Option<i64>`, `Option<i32>` or `Option<i16>` (generated by the database); use the plain type for a natural key",
                    );
                }
            }
            if self.skip {
                cx.error(&self.ident, "a primary key cannot be skipped");
            }
        }
        if self.skip && (self.unique || self.index || self.foreign_key.is_some()) {
            cx.error(
                &self.ident,
                "a skipped field is not a column: it takes no column settings",
            );
        }
        if self.version
            && (self.is_option()
                || !type_name(&self.ty).is_some_and(|n| INTEGERS.contains(&n.as_str())))
        {
            cx.error(&self.ty, "a version column is an `i16`, `i32` or `i64`");
        }
        if self.generated && self.default.is_some() {
            cx.error(&self.ident, "a generated primary key takes no default");
        }
    }

    /// The Rust type of the column value as compared in queries: the field type itself.
    pub fn is_option(&self) -> bool {
        self.inner.is_some()
    }

    /// The primitive numeric type the field holds (inside an `Option`), if it is one.
    pub fn numeric_type(&self) -> Option<&Type> {
        let ty = self.inner.as_ref().unwrap_or(&self.ty);
        type_name(ty)
            .is_some_and(|n| NUMBERS.contains(&n.as_str()))
            .then_some(ty)
    }

    /// Whether the field holds text (`String` or `Option<String>`).
    pub fn is_text(&self) -> bool {
        type_name(self.inner.as_ref().unwrap_or(&self.ty)).is_some_and(|n| n == "String")
    }
}

fn is_literal(e: &Expr) -> bool {
    match e {
        Expr::Lit(ExprLit { lit, .. }) => matches!(
            lit,
            Lit::Bool(_) | Lit::Int(_) | Lit::Float(_) | Lit::Str(_)
        ),
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_),
            expr,
            ..
        }) => matches!(
            **expr,
            Expr::Lit(ExprLit {
                lit: Lit::Int(_) | Lit::Float(_),
                ..
            })
        ),
        _ => false,
    }
}

/// The last path segment's name of a type, such as `String` for `std::string::String`.
pub(crate) fn type_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// `T` for `Option<T>`.
fn option_inner(ty: &Type) -> Option<Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    }
}
