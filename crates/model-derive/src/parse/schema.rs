//! API schemas: the struct's `create = HeroCreate`, `public = HeroPublic`, `update = HeroUpdate`,
//! `create_field(...)` and `update_field(...)`, and a field's `skip_create`, `skip_public`,
//! `skip_update` and `skip_schemas`.

use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::{Attribute, Ident};

use super::{Ctxt, Field, Model};

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
        let content;
        syn::parenthesized!(content in meta.input);
        let field = syn::Field::parse_named.parse2(content.parse()?)?;
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
    } else {
        return Ok(false);
    };
    let name: Ident = meta.value()?.parse()?;
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
    let names = [&s.create, &s.public, &s.update];
    for (i, name) in names.iter().enumerate() {
        let Some(name) = name else { continue };
        if *name == model.ident {
            cx.error(name, "a schema needs a name of its own, not the model's");
        }
        if names[..i].iter().any(|n| n.as_ref() == Some(name)) {
            cx.error(name, "two schemas cannot have the same name");
        }
    }
    for f in &model.fields {
        let fs = &f.schemas;
        let keys = [
            (&fs.skip_create, &s.create, "create"),
            (&fs.skip_public, &s.public, "public"),
            (&fs.skip_update, &s.update, "update"),
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
            // `skip_schemas` asks for no particular schema, so it needs none.
            if schema.is_none() && key != "skip_schemas" {
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
