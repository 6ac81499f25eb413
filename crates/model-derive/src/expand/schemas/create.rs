//! The create schema (`create = HeroCreate`): what a client sends to create a row, SQLModel's
//! `HeroCreate`. Every column but a database-generated key and a version column, plus the
//! schema's own `create_field(...)`s; a field with a default may be left out. Generated with it:
//! `Hero::from_create` (SQLModel's `Hero.model_validate(hero_create)`) and `TryFrom<HeroCreate>
//! for Hero`, or `Hero::from_create_with` when the model needs values the schema does not
//! carry.

use proc_macro2::TokenStream;
use quote::quote;
use syn::Ident;

use super::{derives, field, local, openapi, rules, struct_doc};
use crate::expand::columns::{build, is_new_arg, literal_default};
use crate::expand::validate;
use crate::parse::{Default, Field, Model, SchemaField, SchemaKind};

pub(super) fn expand(model: &Model, name: &Ident) -> TokenStream {
    let krate = crate::expand::krate();
    let ident = &model.ident;
    let vis = &model.vis;
    let fields = model.schema_fields(SchemaKind::Create);
    let columns: Vec<&Field> = fields
        .iter()
        .filter(|sf| sf.column)
        .map(|sf| sf.field)
        .collect();
    let has_extras = columns.len() < fields.len();

    let defs = fields.iter().map(|sf| field(sf, name));
    let helpers = fields.iter().filter_map(default_helper);
    let validate = validate::impl_validate(name, rules(&fields));

    // What the model needs that the schema does not carry: the caller's decision.
    let missing: Vec<&Field> = model
        .fields
        .iter()
        .filter(|f| is_new_arg(f) && !columns.iter().any(|c| c.ident == f.ident))
        .collect();
    // The model from the constructor, or built here when there is none (`no_new`).
    let new = match &model.constructor {
        Some(new) => {
            let args = model.fields.iter().filter(|f| is_new_arg(f)).map(local);
            quote!(#ident::#new(#(#args),*))
        }
        None => build(model, |f| {
            let local = local(f);
            quote!(#local)
        }),
    };
    let rest = columns.iter().filter(|f| !is_new_arg(f)).map(|f| {
        let field = &f.ident;
        let local = local(f);
        quote!(model.#field = #local;)
    });
    let taken = columns.iter().map(|f| {
        let field = &f.ident;
        let local = local(f);
        quote!(#field: #local)
    });
    let build = quote! {
        let #name { #(#taken,)* .. } = create;
        #[allow(unused_mut)]
        let mut model = #new;
        #(#rest)*
        ::core::result::Result::Ok(model)
    };
    let infallible = missing.is_empty() && !has_extras;
    let conversion = if infallible {
        let doc = format!(
            "A new `{ident}` from a validated [`{name}`]: fields the schema leaves out take their \
             defaults, `None`, or (a generated key) their value once stored. SQLModel's \
             `{ident}.model_validate(...)`.\n\n\
             # Errors\n\n`Error::Validation` listing every field and rule the schema breaks."
        );
        quote! {
            #[doc = #doc]
            #vis fn from_create(create: #name) -> #krate::Result<Self> {
                #krate::__private::validator::Validate::validate(&create)?;
                #build
            }
        }
    } else {
        let (returns, bind, what) = fill(&missing);
        let doc = format!(
            "A new `{ident}` from a validated [`{name}`], with `fill` deciding what the schema \
             cannot: it gets the schema once its rules pass and returns {what} (a password \
             hashed, say). Other fields the schema leaves out take their defaults or `None`. \
             SQLModel's `{ident}.model_validate(create, update=...)`.\n\n\
             # Errors\n\n`Error::Validation` listing every field and rule the schema breaks; \
             `fill` is not called then."
        );
        quote! {
            #[doc = #doc]
            #vis fn from_create_with(
                create: #name,
                fill: impl ::core::ops::FnOnce(&#name) -> #returns,
            ) -> #krate::Result<Self> {
                #krate::__private::validator::Validate::validate(&create)?;
                #bind
                #build
            }
        }
    };
    let try_from = infallible.then(|| {
        quote! {
            impl ::core::convert::TryFrom<#name> for #ident {
                type Error = #krate::Error;
                fn try_from(create: #name) -> #krate::Result<Self> {
                    #ident::from_create(create)
                }
            }
        }
    });

    let openapi = openapi::impls(
        name,
        &struct_doc(model, "What a client sends to create one."),
        fields.iter().map(openapi::property).collect(),
        &[],
    );
    let doc = struct_doc(
        model,
        &format!(
            "What a client sends to create a [`{ident}`] (SQLModel's `{name}`): every field but a \
             database-generated key. Unknown fields are ignored. [`{ident}::{}`] validates it and \
             builds the model.",
            if infallible {
                "from_create"
            } else {
                "from_create_with"
            }
        ),
    );
    let derives = derives(quote!());
    quote! {
        #[doc = #doc]
        #derives
        #vis struct #name {
            #(#defs)*
        }

        const _: () = {
            #validate
            #openapi
            #try_from

            #[automatically_derived]
            impl #name {
                #(#helpers)*
            }

            #[automatically_derived]
            impl #ident {
                #conversion
            }
        };
    }
}

/// The schema's function returning a literal default, which serde calls for a field left out.
fn default_helper(sf: &SchemaField<'_>) -> Option<TokenStream> {
    let Some(Default::Literal(e)) = sf.default else {
        return None;
    };
    let helper = super::default_helper(sf.field);
    let ty = sf.ty;
    let value = literal_default(sf.field, e);
    Some(quote! {
        #[doc(hidden)]
        fn #helper() -> #ty {
            #value
        }
    })
}

/// What `fill` of `from_create_with` returns, how its value is bound, and the doc's words for it.
fn fill(missing: &[&Field]) -> (TokenStream, TokenStream, String) {
    match missing {
        [] => (
            quote!(()),
            quote!(let () = fill(&create);),
            "nothing".to_owned(),
        ),
        [one] => {
            let ty = &one.ty;
            let local = local(one);
            (
                quote!(#ty),
                quote!(let #local = fill(&create);),
                format!("the value of `{}`", one.ident),
            )
        }
        many => {
            let types = many.iter().map(|f| &f.ty);
            let locals = many.iter().map(|f| local(f));
            let names: Vec<String> = many.iter().map(|f| format!("`{}`", f.ident)).collect();
            (
                quote!((#(#types,)*)),
                quote!(let (#(#locals,)*) = fill(&create);),
                format!("the values of ({}), in this order", names.join(", ")),
            )
        }
    }
}
