//! `impl ToSchema` for the API schemas, when the derive was built with the `utoipa` feature
//! (which model-core's feature of that name turns on, so the paths below exist): SQLModel's
//! schemas appear in FastAPI's OpenAPI document the same way. Without the feature, nothing.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::Ident;

use super::json_name;
use crate::parse::{Bound, Field, RuleKind, SchemaField};

/// The `PartialSchema` and `ToSchema` impls of the schema `name`, described by `doc` and made of
/// `properties` (see [`property`]).
///
/// `nested` are the schemas a `public_with` schema refers to, which `ToSchema::schemas` lists
/// so that the OpenAPI document holds them too.
pub(super) fn impls(
    name: &Ident,
    doc: &str,
    properties: Vec<TokenStream>,
    nested: &[&syn::Type],
) -> TokenStream {
    if !cfg!(feature = "utoipa") {
        return quote!();
    }
    let krate = crate::expand::krate();
    let utoipa = quote!(#krate::__private::utoipa);
    let title = name.to_string();
    let schemas = (!nested.is_empty()).then(|| {
        quote! {
            fn schemas(
                schemas: &mut ::std::vec::Vec<(
                    ::std::string::String,
                    #utoipa::openapi::RefOr<#utoipa::openapi::schema::Schema>,
                )>,
            ) {
                #(
                    schemas.push((
                        ::std::string::String::from(<#nested as #utoipa::ToSchema>::name()),
                        <#nested as #utoipa::PartialSchema>::schema(),
                    ));
                    <#nested as #utoipa::ToSchema>::schemas(schemas);
                )*
            }
        }
    });
    quote! {
        impl #utoipa::PartialSchema for #name {
            fn schema() -> #utoipa::openapi::RefOr<#utoipa::openapi::schema::Schema> {
                #krate::__private::ObjectSchema::new(#doc)
                    #(#properties)*
                    .build()
            }
        }
        impl #utoipa::ToSchema for #name {
            fn name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(#title)
            }
            #schemas
        }
    }
}

/// A field's property: a column's SQL type and nullability and its rules' bounds, or the own
/// schema of a field that is not a column.
pub(super) fn property(sf: &SchemaField<'_>) -> TokenStream {
    if !cfg!(feature = "utoipa") {
        return quote!();
    }
    let krate = crate::expand::krate();
    let f = sf.field;
    let name = json_name(f);
    let ty = sf.ty;
    let required = sf.required;
    if !sf.column {
        return quote!(.field::<#ty>(#name, #required));
    }
    let doc = f.schemas.doc_text();
    let limits = limits(f);
    quote! {
        .column(
            #name,
            <#ty as #krate::SqlType>::COLUMN_TYPE,
            <#ty as #krate::SqlType>::NULLABLE,
            #required,
            #limits,
            #doc,
        )
    }
}

/// A related model's property of a `public_with` schema: its own schema, or a list of them.
pub(super) fn related(schema: &syn::Type, key: &str, many: bool, doc: &str) -> TokenStream {
    if !cfg!(feature = "utoipa") {
        return quote!();
    }
    quote!(.related::<#schema>(#key, #many, #doc))
}

/// The bounds a column's rules put on its values, as JSON Schema states them.
fn limits(f: &Field) -> TokenStream {
    let krate = crate::expand::krate();
    let value = |b: &Option<Bound>, cast: TokenStream| match b {
        Some(Bound::Literal(lit)) => Some(quote!(::core::option::Option::Some(#lit as #cast))),
        Some(Bound::Expr(e)) => Some(quote!(::core::option::Option::Some((#e) as #cast))),
        None => None,
    };
    // Keyed, so that a second rule of a kind replaces the first's bound.
    let mut sets = std::collections::BTreeMap::new();
    for rule in &f.rules {
        match &rule.kind {
            RuleKind::Length { min, max, equal } => {
                let (min, max) = match equal {
                    Some(_) => (equal, equal),
                    None => (min, max),
                };
                if let Some(v) = value(min, quote!(u64)) {
                    sets.insert("min_length", v);
                }
                if let Some(v) = value(max, quote!(u64)) {
                    sets.insert("max_length", v);
                }
            }
            RuleKind::Range {
                min,
                max,
                exclusive_min,
                exclusive_max,
            } if f.numeric_type().is_some() => {
                for (key, b) in [
                    ("minimum", min),
                    ("maximum", max),
                    ("exclusive_minimum", exclusive_min),
                    ("exclusive_maximum", exclusive_max),
                ] {
                    if let Some(v) = value(b, quote!(f64)) {
                        sets.insert(key, v);
                    }
                }
            }
            RuleKind::Email => {
                sets.insert("format", quote!(::core::option::Option::Some("email")));
            }
            RuleKind::Url => {
                sets.insert("format", quote!(::core::option::Option::Some("uri")));
            }
            _ => {}
        }
    }
    let sets = sets.into_iter().map(|(key, value)| {
        let key = format_ident!("{key}");
        quote!(#key: #value)
    });
    quote!(#krate::__private::Limits { #(#sets,)* ..#krate::__private::Limits::NONE })
}
