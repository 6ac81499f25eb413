//! One field of the struct: its column settings from `#[model(...)]` and its `#[validate]` rules.

use syn::{
    Expr, ExprLit, ExprPath, ExprUnary, GenericArgument, Ident, Lit, PathArguments, Type, UnOp,
};

use super::Ctxt;
use super::ctxt::{nearest, string_value, unknown};
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
    /// `handle = "..."`: the name of the field's handle when it is not the field's own (see
    /// `names.rs`).
    pub handle: Option<Ident>,
    /// `renamed_from = "old"`: the column's previous name, for a migration to rename it.
    pub renamed_from: Option<String>,
}

/// The keys of a field's `#[model(...)]`.
pub(crate) const KEYS: &[&str] = &[
    "primary_key",
    "column",
    "skip",
    "index",
    "unique",
    "version",
    "default",
    "foreign_key",
    "on_delete",
    "on_update",
    "has_many",
    "has_one",
    "belongs_to",
    "many_to_many",
    "skip_create",
    "skip_public",
    "skip_update",
    "skip_schemas",
    "handle",
    "renamed_from",
];
/// Keys that take no value.
const FLAGS: &[&str] = &["primary_key", "skip", "unique", "index", "version"];
/// Keys that only a column takes.
const COLUMN_KEYS: &[&str] = &[
    "primary_key",
    "column",
    "renamed_from",
    "skip",
    "unique",
    "index",
    "version",
    "default",
    "foreign_key",
    "on_delete",
    "on_update",
];
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
            handle: None,
            renamed_from: None,
        };
        let mut fk: Option<(syn::Path, Ident)> = None;
        let mut on_delete: Option<Ident> = None;
        let mut on_update: Option<Ident> = None;
        // Every key written, in order: duplicates and conflicts are reported at the key.
        let mut keys: Vec<Ident> = Vec::new();
        let mut validate = None;
        for attr in &field.attrs {
            if attr.path().is_ident("validate") {
                out.rules.extend(rules::parse(
                    cx,
                    attr,
                    &out.ident,
                    out.inner.as_ref().unwrap_or(&out.ty),
                ));
                validate.get_or_insert(attr);
                continue;
            }
            if !attr.path().is_ident("model") {
                continue;
            }
            if super::model_attr::is_empty_list(attr) {
                cx.error(
                    attr,
                    format!(
                        "an empty `#[model()]` does nothing to `{}`: remove it",
                        out.ident
                    ),
                );
                continue;
            }
            let result = attr.parse_nested_meta(|meta| {
                let p = &meta.path;
                let key = p.get_ident().map(|i| i.to_string()).unwrap_or_default();
                if let Some(ident) = p.get_ident() {
                    if keys.contains(ident) {
                        cx.error(ident, format!("`{key}` is already set for `{}`: keep one", out.ident));
                    }
                    keys.push(ident.clone());
                }
                let has_value = meta.input.peek(syn::Token![=]) || meta.input.peek(syn::token::Paren);
                if FLAGS.contains(&key.as_str()) && has_value {
                    if (key == "unique" || key == "index") && meta.input.peek(syn::token::Paren) {
                        return Err(meta.error(format!(
                            "`{key}(a, b)` goes on the struct; on a field, write `{key}` alone"
                        )));
                    }
                    return Err(meta.error(format!("`{key}` takes no value: write `{key}` alone")));
                }
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
                    let name = string_value(&meta, "column = \"name\"")?;
                    if name.value().trim().is_empty() {
                        return Err(syn::Error::new_spanned(
                            name,
                            format!("the column of `{}` needs a name: write one in `column = \"...\"`, or drop `column` to name it `{}`", out.ident, out.ident),
                        ));
                    }
                    out.column = name.value();
                } else if p.is_ident("renamed_from") {
                    let name = string_value(&meta, "renamed_from = \"old_name\"")?;
                    if name.value().trim().is_empty() || name.value() == out.column {
                        return Err(syn::Error::new_spanned(
                            name,
                            format!("`renamed_from` names the column's previous name, not its current one: `renamed_from = \"old_{}\"`", out.ident),
                        ));
                    }
                    out.renamed_from = Some(name.value());
                } else if p.is_ident("default") {
                    if !meta.input.peek(syn::Token![=]) {
                        return Err(meta.error("`default` takes a value: `default = 0` or `default = Utc::now`"));
                    }
                    let expr: Expr = meta.value()?.parse()?;
                    out.default = Some(match expr {
                        Expr::Path(path) if path.path.is_ident("None") => {
                            return Err(syn::Error::new_spanned(
                                path,
                                "an `Option` field starts as `None` already: drop `default`",
                            ));
                        }
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
                    let example = "`foreign_key` names a model's column: `foreign_key = Team::id`";
                    if !meta.input.peek(syn::Token![=]) {
                        return Err(meta.error(example));
                    }
                    let path = match meta.value()?.parse::<Expr>()? {
                        Expr::Path(p) if p.qself.is_none() => p.path,
                        other => return Err(syn::Error::new_spanned(other, example)),
                    };
                    let mut segments = path.segments.clone();
                    let Some(field) = segments.pop().map(|p| p.into_value().ident) else {
                        return Err(meta.error(example));
                    };
                    if segments.is_empty() {
                        return Err(syn::Error::new_spanned(
                            path,
                            format!("`foreign_key` names the model too: `foreign_key = Team::{field}`"),
                        ));
                    }
                    let model = syn::Path {
                        leading_colon: path.leading_colon,
                        segments: segments.into_pairs().map(|p| p.into_value()).collect(),
                    };
                    fk = Some((model, field));
                } else if p.is_ident("on_delete") || p.is_ident("on_update") {
                    if !meta.input.peek(syn::Token![=]) {
                        return Err(meta.error(format!("write `{key} = cascade`, or `set_null`, `restrict`, `no_action`")));
                    }
                    let action = match meta.value()?.parse::<Expr>()? {
                        Expr::Path(p) if p.path.get_ident().is_some() => p.path.get_ident().cloned().unwrap(),
                        Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => {
                            return Err(syn::Error::new_spanned(
                                &s,
                                format!("write the action without quotes: `{key} = {}`", s.value()),
                            ));
                        }
                        other => return Err(syn::Error::new_spanned(other, "expected one of `cascade`, `set_null`, `restrict`, `no_action`")),
                    };
                    let name = action.to_string();
                    if !ACTIONS.contains(&name.as_str()) {
                        let message = match nearest(&name, ACTIONS) {
                            Some(near) => format!("unknown action `{name}`; did you mean `{near}`?"),
                            None => "expected one of `cascade`, `set_null`, `restrict`, `no_action`".to_owned(),
                        };
                        return Err(syn::Error::new_spanned(action, message));
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
                    if out.relation.is_some() {
                        return Err(meta.error("a field holds one relationship: keep one of them"));
                    }
                    // Not a column: filled by loading, `NotLoaded` until then.
                    out.skip = true;
                    out.relation = Some(relation);
                } else if p.is_ident("handle") {
                    out.handle = Some(super::names::parse_handle(&meta)?);
                } else if super::schema::parse_field_key(&meta, &mut out.schemas)? {
                } else if super::model_attr::KEYS.contains(&key.as_str()) {
                    return Err(meta.error(format!(
                        "`{key}` goes on the struct: move it to the struct's `#[model(...)]`"
                    )));
                } else {
                    return Err(meta.error(unknown("field attribute", &key, KEYS)));
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
        out.check(cx, &keys, validate);
        Some(out)
    }

    fn check(&mut self, cx: &Ctxt, keys: &[Ident], validate: Option<&syn::Attribute>) {
        let ident = &self.ident;
        let written = |key: &str| keys.iter().find(|k| *k == key);
        if self.relation.is_some() {
            for key in keys.iter().filter(|k| COLUMN_KEYS.iter().any(|c| *k == c)) {
                cx.error(key, format!("a relationship is not a column: drop `{key}`"));
            }
            if let Some(attr) = validate {
                cx.error(
                    attr,
                    "a relationship takes no #[validate]: its rows are validated when added",
                );
            }
            self.check_relation(cx);
            return;
        }
        if written("skip").is_some() {
            for key in keys
                .iter()
                .filter(|k| COLUMN_KEYS.iter().any(|c| *k == c) && *k != "skip")
            {
                cx.error(key, format!("`{key}` is for columns, and a `skip` field is not one: drop `{key}` or `skip`"));
            }
        }
        if written("skip_schemas").is_some() {
            for key in keys
                .iter()
                .filter(|k| k.to_string().starts_with("skip_") && *k != "skip_schemas")
            {
                cx.error(
                    key,
                    format!(
                        "`skip_schemas` already leaves `{ident}` out of every schema: drop `{key}`"
                    ),
                );
            }
        }
        if let (Some(_), Some(version)) = (written("primary_key"), written("version")) {
            cx.error(
                version,
                format!("`{ident}` cannot be both the primary key and the version column, which changes on every update: drop `version` or `primary_key`"),
            );
        }
        if let (Some(_), Some(default)) = (written("version"), written("default")) {
            cx.error(
                default,
                format!("`{ident}` is the version column, which starts at 1 and is counted up by the library: drop `default`"),
            );
        }
        for action in [&self.foreign_key]
            .into_iter()
            .flatten()
            .flat_map(|fk| [&fk.on_delete, &fk.on_update])
        {
            if action == "set_null" && !self.is_option() {
                let ty = &self.ty;
                cx.error(
                    action,
                    format!(
                        "`set_null` needs a nullable column: make `{ident}` an `Option<{}>`",
                        quote::quote!(#ty)
                    ),
                );
            }
        }
        if let Some(Default::Literal(e)) = &self.default {
            self.check_default(cx, e);
        }
        if self.primary_key
            && let Some(inner) = &self.inner
        {
            if type_name(inner).is_some_and(|n| INTEGERS.contains(&n.as_str())) {
                self.generated = true;
            } else {
                cx.error(
                    &self.ty,
                    "a primary key that may be unset must be `Option<i64>`, `Option<i32>` or `Option<i16>` (generated by the database); use the plain type for a natural key",
                );
            }
        }
        if self.version
            && (self.is_option()
                || !type_name(&self.ty).is_some_and(|n| INTEGERS.contains(&n.as_str())))
        {
            cx.error(&self.ty, "a version column is an `i16`, `i32` or `i64`");
        }
        if self.generated && self.default.is_some() {
            let at = written("default").unwrap_or(ident);
            cx.error(
                at,
                "a generated primary key takes no default: drop `default`",
            );
        }
    }

    /// A literal default is of the kind the field's type takes (`default = "x"` on an `i32` is
    /// refused here, not by a type error in generated code).
    fn check_default(&self, cx: &Ctxt, e: &Expr) {
        let Some(name) = type_name(self.inner.as_ref().unwrap_or(&self.ty)) else {
            return;
        };
        let lit = match e {
            Expr::Lit(ExprLit { lit, .. }) => lit,
            Expr::Unary(ExprUnary { expr, .. }) => match &**expr {
                Expr::Lit(ExprLit { lit, .. }) => lit,
                _ => return,
            },
            _ => return,
        };
        let (fits, holds, example) = match name.as_str() {
            "bool" => (matches!(lit, Lit::Bool(_)), "a bool", "false"),
            "f32" | "f64" => (matches!(lit, Lit::Float(_)), "a float", "0.0"),
            n if NUMBERS.contains(&n) => (matches!(lit, Lit::Int(_)), "an integer", "0"),
            "String" => (matches!(lit, Lit::Str(_)), "text", "\"text\""),
            _ => return,
        };
        if !fits {
            cx.error(
                e,
                format!(
                    "`{}` holds {holds}: write `default = {example}`",
                    self.ident
                ),
            );
        }
    }

    /// A relationship field holds the container its kind loads, of the model it names.
    fn check_relation(&self, cx: &Ctxt) {
        use super::relation::RelationKind;
        let Some(relation) = &self.relation else {
            return;
        };
        let (kind, container) = match relation.kind {
            RelationKind::HasMany { one: false, .. } => ("has_many", "Vec"),
            RelationKind::HasMany { one: true, .. } => ("has_one", "Option"),
            RelationKind::BelongsTo { .. } => ("belongs_to", "Option"),
            RelationKind::ManyToMany { .. } => ("many_to_many", "Vec"),
        };
        let what = if container == "Vec" {
            "a list"
        } else {
            "at most one row"
        };
        let Some(target) = relation.target.segments.last().map(|s| &s.ident) else {
            return;
        };
        let holds = super::relation::related_inner(&self.ty).and_then(|inner| {
            let Type::Path(p) = inner else { return None };
            let last = p.path.segments.last()?;
            let PathArguments::AngleBracketed(args) = &last.arguments else {
                return None;
            };
            match args.args.first()? {
                GenericArgument::Type(t) => Some((last.ident.to_string(), type_name(t)?)),
                _ => None,
            }
        });
        if holds
            .as_ref()
            .is_none_or(|(c, t)| c != container || target != t)
        {
            cx.error(
                &self.ty,
                format!("`{kind}` holds {what}: write `Related<{container}<{target}>>`"),
            );
        }
    }

    /// The name of the field's column or relationship handle (`Hero::name`): the field's own
    /// unless `handle = "..."` renames it.
    pub fn handle(&self) -> &Ident {
        self.handle.as_ref().unwrap_or(&self.ident)
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

/// Whether a type name (see [`type_name`]) is a primitive number.
pub(crate) fn is_number(name: &str) -> bool {
    NUMBERS.contains(&name)
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
