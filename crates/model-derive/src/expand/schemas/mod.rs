//! The API schemas beside the model, as SQLModel's tutorial writes them by hand: `HeroCreate`
//! (`create = ...`), `HeroPublic` (`public = ...`, and `public_with(...)` with related models
//! nested) and `HeroUpdate` (`update = ...`). Each is a serde struct with the model's validation
//! rules and a conversion to or from the model, generated from the fields the schema shows
//! ([`SchemaField`]); this module renders what the schemas share: a field's docs and serde
//! attributes, its rules, the derives.

mod create;
mod openapi;
mod public;
mod update;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::Ident;
use syn::ext::IdentExt;

use super::validate::{self, Access};
use crate::parse::{Default, Field, Model, SchemaField, Shape};

pub(crate) fn expand(model: &Model) -> TokenStream {
    let s = &model.schemas;
    let create = s.create.as_ref().map(|name| create::expand(model, name));
    let public = s.public.as_ref().map(|name| public::expand(model, name));
    let update = s.update.as_ref().map(|name| update::expand(model, name));
    let public_with = s
        .public_with
        .iter()
        .map(|with| public::expand_with(model, with));
    quote!(#create #public #update #(#public_with)*)
}

/// A schema's role in its docs and OpenAPI description.
fn struct_doc(model: &Model, what: &str) -> String {
    format!(
        "{what} Generated from [`{}`] by `#[derive(Model)]`.",
        model.ident
    )
}

fn derives(extra: TokenStream) -> TokenStream {
    let krate = super::krate();
    let serde = format!("{krate}::__private::serde").replace(' ', "");
    quote! {
        #[derive(
            ::core::fmt::Debug,
            ::core::clone::Clone,
            #extra
            #krate::__private::serde::Serialize,
            #krate::__private::serde::Deserialize,
        )]
        #[serde(crate = #serde)]
    }
}

/// The struct field the schema `schema` declares: docs, serde attributes, name and type.
fn field(sf: &SchemaField<'_>, schema: &Ident) -> TokenStream {
    let f = sf.field;
    let ident = &f.ident;
    let vis = &f.vis;
    let docs = docs(sf);
    let serde = serde(sf, schema);
    let ty = match sf.shape {
        Shape::Patch { .. } => {
            let krate = super::krate();
            let inner = sf.patched();
            quote!(#krate::Patch<#inner>)
        }
        Shape::Plain | Shape::Option => {
            let ty = sf.ty;
            quote!(#ty)
        }
    };
    quote!(#docs #serde #vis #ident: #ty,)
}

/// The field's doc comment; for a column without one, a line naming the column.
fn docs(sf: &SchemaField<'_>) -> TokenStream {
    let docs = &sf.field.schemas.docs;
    if docs.is_empty() && sf.column {
        let line = format!("The `{}` column.", sf.field.column);
        quote!(#[doc = #line])
    } else {
        quote!(#(#docs)*)
    }
}

/// The field's `#[serde(...)]`: where a value left out comes from, how integers and `null` are
/// read, and (of a `Patch`) that an absent value is not written.
fn serde(sf: &SchemaField<'_>, schema: &Ident) -> TokenStream {
    let krate = super::krate();
    let path = |name: &str| format!("{krate}::{name}").replace(' ', "");
    let default = match sf.default {
        Some(Default::Factory(function)) => {
            let function = quote!(#function).to_string();
            Some(quote!(default = #function))
        }
        Some(Default::Literal(_)) => {
            let helper = format!("{schema}::{}", default_helper(sf.field));
            Some(quote!(default = #helper))
        }
        // serde's own default for an `Option` does not survive `deserialize_with`.
        None => (sf.shape != Shape::Plain).then(|| quote!(default)),
    };
    // Integers take `3.0`, as JSON Schema's `integer` does (serde alone refuses it).
    let lax = match sf.shape {
        Shape::Plain => "integer",
        Shape::Option => "integer_option",
        Shape::Patch { nullable: true } => "integer_patch",
        Shape::Patch { nullable: false } => "integer_patch_non_null",
    };
    let with = if is_integer(sf.field) {
        let lax = path(&format!("__private::{lax}"));
        Some(quote!(deserialize_with = #lax))
    } else if sf.shape == (Shape::Patch { nullable: false }) {
        let non_null = path("__private::deserialize_non_null");
        Some(quote!(deserialize_with = #non_null))
    } else {
        None
    };
    let skip = matches!(sf.shape, Shape::Patch { .. }).then(|| {
        let absent = path("Patch::is_absent");
        quote!(skip_serializing_if = #absent)
    });
    let items: Vec<TokenStream> = default.into_iter().chain(with).chain(skip).collect();
    if items.is_empty() {
        quote!()
    } else {
        quote!(#[serde(#(#items),*)])
    }
}

/// Whether the field holds an integer (inside an `Option`).
fn is_integer(f: &Field) -> bool {
    const INTEGERS: &[&str] = &["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64"];
    match f.numeric_type() {
        Some(syn::Type::Path(ty)) => ty
            .path
            .segments
            .last()
            .is_some_and(|s| INTEGERS.contains(&s.ident.to_string().as_str())),
        _ => false,
    }
}

/// The schema's function that returns a field's literal default, for serde.
fn default_helper(f: &Field) -> Ident {
    format_ident!("__tablemodel_default_{}", f.ident.unraw())
}

/// The checks of the fields' rules, each reaching its value as the schema holds it.
fn rules<'a>(fields: &'a [SchemaField<'a>]) -> impl Iterator<Item = TokenStream> + 'a {
    fields.iter().flat_map(|sf| {
        let access = match sf.shape {
            Shape::Plain => Access::Plain,
            Shape::Option => Access::Option,
            Shape::Patch { .. } => Access::Patch,
        };
        sf.field
            .rules
            .iter()
            .map(move |r| validate::rule(sf.field, r, access))
    })
}

/// The name of a local holding a field's value.
fn local(f: &Field) -> Ident {
    format_ident!("__{}", f.ident.unraw())
}

/// The field's key in JSON.
fn json_name(f: &Field) -> String {
    f.ident.unraw().to_string()
}
