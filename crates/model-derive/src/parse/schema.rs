//! API schemas: the struct's `create = HeroCreate`, `public = HeroPublic`, `update = HeroUpdate`,
//! `public_with(HeroPublicWithTeam { team: Option<TeamPublic> })`, `create_field(...)` and
//! `update_field(...)`, and a field's `skip_create`, `skip_public`, `skip_update` and
//! `skip_schemas`.

use syn::meta::ParseNestedMeta;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Attribute, GenericArgument, Ident, PathArguments, Token, Type};

use super::{Ctxt, Field, Model, RelationKind};

/// The schemas a struct asks for, and the fields they have beyond the model's.
#[derive(Default)]
pub(crate) struct Schemas {
    pub create: Option<Ident>,
    pub public: Option<Ident>,
    pub update: Option<Ident>,
    /// `create_field(...)`: fields of the create schema that are not columns.
    pub create_fields: Vec<Field>,
    /// `update_field(...)`: fields of the update schema that are not columns.
    pub update_fields: Vec<Field>,
    /// `public_with(...)`: public schemas with related models nested.
    pub public_with: Vec<PublicWith>,
}

/// `public_with(HeroPublicWithTeam { team: Option<TeamPublic> })`: the public schema's fields,
/// plus each named relationship as the related model's schema.
pub(crate) struct PublicWith {
    pub name: Ident,
    pub nested: Vec<Nested>,
}

/// One relationship of a `public_with` schema: `team: Option<TeamPublic>`.
pub(crate) struct Nested {
    /// The relationship field of the model.
    pub field: Ident,
    /// The type as written: `Option<TeamPublic>` or `Vec<HeroPublic>`.
    pub ty: Type,
    /// `TeamPublic`: what each related model becomes.
    pub schema: Type,
    /// `Vec<...>` rather than `Option<...>`.
    pub many: bool,
}

impl Parse for PublicWith {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let name: Ident = input.parse()?;
        if !input.peek(syn::token::Brace) {
            return Err(syn::Error::new_spanned(
                &name,
                format!(
                    "`public_with` lists the relationships to nest after the schema's name: `public_with({name} {{ team: Option<TeamPublic> }})`"
                ),
            ));
        }
        let content;
        syn::braced!(content in input);
        let fields =
            Punctuated::<(Ident, Type), Token![,]>::parse_terminated_with(&content, |input| {
                let field: Ident = input.parse()?;
                input.parse::<Token![:]>()?;
                Ok((field, input.parse()?))
            })?;
        let mut nested = Vec::new();
        for (field, ty) in fields {
            let (many, schema) = match container(&ty) {
                Some((many, schema)) => (many, schema.clone()),
                None => {
                    return Err(syn::Error::new_spanned(
                        &ty,
                        "a related schema is `Option<TeamPublic>` (belongs_to) or `Vec<HeroPublic>` (has_many, many_to_many)",
                    ));
                }
            };
            nested.push(Nested {
                field,
                ty,
                schema,
                many,
            });
        }
        if nested.is_empty() {
            return Err(syn::Error::new_spanned(
                &name,
                "name the relationships to nest: `public_with(HeroPublicWithTeam { team: Option<TeamPublic> })`",
            ));
        }
        Ok(PublicWith { name, nested })
    }
}

/// `(false, T)` for `Option<T>`, `(true, T)` for `Vec<T>`.
fn container(ty: &Type) -> Option<(bool, &Type)> {
    let Type::Path(p) = ty else { return None };
    if p.qself.is_some() {
        return None;
    }
    let last = p.path.segments.last()?;
    let many = match last.ident.to_string().as_str() {
        "Option" => false,
        "Vec" => true,
        _ => return None,
    };
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(t) if args.args.len() == 1 => Some((many, t)),
        _ => None,
    }
}

/// Which schemas leave a field out, and its doc comment, which the schemas repeat.
#[derive(Default)]
pub(crate) struct FieldSchemas {
    pub skip_create: Option<Ident>,
    pub skip_public: Option<Ident>,
    pub skip_update: Option<Ident>,
    pub docs: Vec<Attribute>,
}

impl FieldSchemas {
    pub fn new(field: &syn::Field) -> FieldSchemas {
        FieldSchemas {
            docs: field
                .attrs
                .iter()
                .filter(|a| a.path().is_ident("doc"))
                .cloned()
                .collect(),
            ..FieldSchemas::default()
        }
    }

    /// The doc comment's text, lines joined, for OpenAPI descriptions.
    pub fn doc_text(&self) -> String {
        doc_text(&self.docs)
    }
}

/// Reads a struct-level key that belongs to schemas; `Ok(false)` when the key is not one.
pub(crate) fn parse_struct_key(
    cx: &Ctxt,
    meta: &ParseNestedMeta<'_>,
    out: &mut Schemas,
) -> syn::Result<bool> {
    let slot = if meta.path.is_ident("create") {
        &mut out.create
    } else if meta.path.is_ident("public") {
        &mut out.public
    } else if meta.path.is_ident("update") {
        &mut out.update
    } else if meta.path.is_ident("create_field") || meta.path.is_ident("update_field") {
        let key = if meta.path.is_ident("create_field") {
            "create_field"
        } else {
            "update_field"
        };
        if !meta.input.peek(syn::token::Paren) {
            return Err(meta.error(format!(
                "`{key}` holds a field written like a struct field: `{key}(pub password: String)`"
            )));
        }
        let content;
        syn::parenthesized!(content in meta.input);
        let field = syn::Field::parse_named(&content)?;
        if !content.is_empty() {
            content.parse::<Token![,]>()?;
        }
        if !content.is_empty() {
            let rest: proc_macro2::TokenStream = content.parse()?;
            let next = syn::Field::parse_named
                .parse2(rest.clone())
                .map(|f| f.ident.map(|i| format!("`{i}`")))
                .ok()
                .flatten()
                .unwrap_or_else(|| "each field".to_owned());
            return Err(syn::Error::new_spanned(
                rest,
                format!("`{key}(...)` holds one field: give {next} a `{key}(...)` of its own"),
            ));
        }
        for attr in &field.attrs {
            if !attr.path().is_ident("validate") && !attr.path().is_ident("doc") {
                cx.error(
                    attr,
                    "a field that is not a column takes only #[validate(...)] and doc comments",
                );
            }
        }
        if let Some(field) = Field::parse(cx, &field) {
            if meta.path.is_ident("create_field") {
                out.create_fields.push(field);
            } else {
                out.update_fields.push(field);
            }
        }
        return Ok(true);
    } else if meta.path.is_ident("public_with") {
        if !meta.input.peek(syn::token::Paren) {
            // `public_with = HeroPublicWithTeam`: show the name it wrote.
            let written = if meta.input.peek(Token![=]) {
                meta.value()?.parse::<Ident>().ok()
            } else {
                None
            };
            let name = written.map_or_else(|| "HeroPublicWithTeam".to_owned(), |i| i.to_string());
            return Err(meta.error(format!(
                "`public_with` names the schema and the relationships it nests: `public_with({name} {{ team: Option<TeamPublic> }})`"
            )));
        }
        let content;
        syn::parenthesized!(content in meta.input);
        out.public_with.push(content.parse()?);
        return Ok(true);
    } else {
        return Ok(false);
    };
    let key = meta
        .path
        .get_ident()
        .map(|i| i.to_string())
        .unwrap_or_default();
    let example = match key.as_str() {
        "create" => "HeroCreate",
        "public" => "HeroPublic",
        _ => "HeroUpdate",
    };
    if !meta.input.peek(Token![=]) {
        // `create(HeroCreate)`: show the name it wrote.
        let written = meta
            .input
            .peek(syn::token::Paren)
            .then(|| {
                let content;
                syn::parenthesized!(content in meta.input);
                content.parse::<Ident>()
            })
            .and_then(Result::ok)
            .map_or_else(|| example.to_owned(), |i| i.to_string());
        return Err(meta.error(format!(
            "`{key}` names the schema struct: `{key} = {written}`"
        )));
    }
    let value = meta.value()?;
    if value.peek(syn::LitStr) {
        let lit: syn::LitStr = value.parse()?;
        let written = lit.value();
        let name = match syn::parse_str::<Ident>(&written) {
            Ok(_) => written.as_str(),
            Err(_) => example,
        };
        return Err(syn::Error::new_spanned(
            lit,
            format!("`{key}` names the schema struct without quotes: `{key} = {name}`"),
        ));
    }
    let name: Ident = value.parse()?;
    if slot.is_some() {
        cx.error(&name, "this schema is already named");
    }
    *slot = Some(name);
    Ok(true)
}

/// Reads a field-level key that belongs to schemas; `Ok(false)` when the key is not one.
pub(crate) fn parse_field_key(
    meta: &ParseNestedMeta<'_>,
    out: &mut FieldSchemas,
) -> syn::Result<bool> {
    let Some(key) = meta.path.get_ident() else {
        return Ok(false);
    };
    match key.to_string().as_str() {
        "skip_create" => out.skip_create = Some(key.clone()),
        "skip_public" => out.skip_public = Some(key.clone()),
        "skip_update" => out.skip_update = Some(key.clone()),
        "skip_schemas" => {
            out.skip_create = Some(key.clone());
            out.skip_public = Some(key.clone());
            out.skip_update = Some(key.clone());
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// Checks that need the whole struct.
pub(crate) fn check(cx: &Ctxt, model: &Model) {
    let s = &model.schemas;
    let names: Vec<&Ident> = [&s.create, &s.public, &s.update]
        .into_iter()
        .flatten()
        .chain(s.public_with.iter().map(|p| &p.name))
        .collect();
    for (i, name) in names.iter().enumerate() {
        if **name == model.ident {
            cx.error(name, "a schema needs a name of its own, not the model's");
        }
        if names[..i].contains(name) {
            cx.error(name, "two schemas cannot have the same name");
        }
    }
    for with in &s.public_with {
        check_public_with(cx, model, with);
    }
    // `skip_public` also shapes the `public_with` schemas.
    let public = s.public.is_some() || !s.public_with.is_empty();
    let any_schema = public || s.create.is_some() || s.update.is_some();
    for f in &model.fields {
        let fs = &f.schemas;
        let keys = [
            (&fs.skip_create, s.create.is_some(), "create"),
            (&fs.skip_public, public, "public"),
            (&fs.skip_update, s.update.is_some(), "update"),
        ];
        for (key, schema, which) in keys {
            let Some(key) = key else { continue };
            if f.skip {
                cx.error(
                    key,
                    "a skipped field is not a column and in no schema already: drop this setting",
                );
                break;
            }
            // `skip_schemas` asks for no particular schema, but for one at least.
            if key == "skip_schemas" {
                if !any_schema {
                    cx.error(
                        key,
                        format!("the model has no schema to leave `{}` out of: add `create = Name`, `public = Name` or `update = Name` to the struct's #[model(...)], or drop `skip_schemas`", f.ident),
                    );
                    break;
                }
            } else if !schema {
                cx.error(
                    key,
                    format!("the model has no {which} schema: add `{which} = Name` to the struct's #[model(...)]"),
                );
            }
        }
    }
    let extras = [
        (&s.create_fields, &s.create, "create"),
        (&s.update_fields, &s.update, "update"),
    ];
    for (extras, schema, which) in extras {
        for (i, extra) in extras.iter().enumerate() {
            if schema.is_none() {
                cx.error(
                    &extra.ident,
                    format!("the model has no {which} schema: add `{which} = Name` to the struct's #[model(...)]"),
                );
            }
            let taken = model.columns().any(|f| f.ident == extra.ident)
                || extras[..i].iter().any(|e| e.ident == extra.ident);
            if taken {
                cx.error(
                    &extra.ident,
                    format!(
                        "the {which} schema already has a field named `{}`",
                        extra.ident
                    ),
                );
            }
        }
    }
}

/// Each nested field names a relationship of the model, once, in the container its kind holds.
fn check_public_with(cx: &Ctxt, model: &Model, with: &PublicWith) {
    for (i, nested) in with.nested.iter().enumerate() {
        let field = &nested.field;
        if with.nested[..i].iter().any(|n| n.field == *field) {
            cx.error(field, format!("`{field}` is already nested in this schema"));
            continue;
        }
        let Some(f) = model.fields.iter().find(|f| f.ident == *field) else {
            cx.error(field, format!("no relationship field named `{field}`"));
            continue;
        };
        let Some(relation) = &f.relation else {
            let why = if f.skip {
                "a field that is not a column"
            } else {
                "a column, already in the schema"
            };
            cx.error(
                field,
                format!(
                    "`{field}` is {why}: `public_with` nests relationship fields (`has_many`, `has_one`, `belongs_to`, `many_to_many`)"
                ),
            );
            continue;
        };
        let schema = &nested.schema;
        let schema = quote::quote!(#schema).to_string();
        match (&relation.kind, nested.many) {
            (RelationKind::BelongsTo { .. }, true) => cx.error(
                &nested.ty,
                format!("`{field}` is a belongs_to relationship, at most one row: write `Option<{schema}>`"),
            ),
            (RelationKind::HasMany { one: true, .. }, true) => cx.error(
                &nested.ty,
                format!("`{field}` is a has_one relationship, at most one row: write `Option<{schema}>`"),
            ),
            (RelationKind::HasMany { one: true, .. }, false) => {}
            (RelationKind::HasMany { .. } | RelationKind::ManyToMany { .. }, false) => cx.error(
                &nested.ty,
                format!("`{field}` holds a list of rows: write `Vec<{schema}>`"),
            ),
            _ => {}
        }
    }
}

pub(crate) fn doc_text(docs: &[Attribute]) -> String {
    let lines: Vec<String> = docs
        .iter()
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value().trim().to_owned()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    lines.join("\n").trim().to_owned()
}
