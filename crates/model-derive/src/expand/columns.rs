//! The typed column handles (`User::username`) and the constructor (`User::new`), inherent
//! items of the model: `handle = "..."`, `new = "..."` and `no_new` rename them or leave the
//! constructor out when the user's own items have those names.

use proc_macro2::TokenStream;
use quote::quote;

use crate::parse::{Default, Field, Model};

pub(crate) fn expand(model: &Model) -> TokenStream {
    let krate = crate::expand::krate();
    let ident = &model.ident;
    let consts = model.columns().enumerate().map(|(i, f)| {
        let handle = f.handle();
        let vis = &f.vis;
        let ty = &f.ty;
        let column = &f.column;
        let doc = format!("The `{column}` column, for queries.");
        quote! {
            #[doc = #doc]
            #[allow(non_upper_case_globals)]
            #vis const #handle: #krate::Column<#ident, #ty> = #krate::Column::new(#i, #column);
        }
    });
    let constructor = model.constructor.as_ref().map(|new| {
        let args = model.fields.iter().filter(|f| is_new_arg(f)).map(|f| {
            let field = &f.ident;
            let ty = &f.ty;
            quote!(#field: impl ::core::convert::Into<#ty>)
        });
        let build = build(model, |f| {
            let field = &f.ident;
            quote!(::core::convert::Into::into(#field))
        });
        let vis = &model.vis;
        let doc = format!(
            "A new `{ident}` from its required fields; optional fields start as `None`, defaults \
             and default factories fill the rest, and a generated key is set when it is stored."
        );
        quote! {
            #[doc = #doc]
            #[allow(clippy::too_many_arguments)]
            #vis fn #new(#(#args),*) -> Self {
                #build
            }
        }
    });
    quote! {
        #[automatically_derived]
        impl #ident {
            #(#consts)*

            #constructor
        }
    }
}

/// The struct expression of a new model: `arg` gives the value of each field the constructor
/// takes ([`is_new_arg`]); optional fields are `None`, defaults and default factories fill the
/// rest, a version column starts at 1.
pub(crate) fn build(model: &Model, arg: impl Fn(&Field) -> TokenStream) -> TokenStream {
    let ident = &model.ident;
    let inits = model.fields.iter().map(|f| {
        let field = &f.ident;
        let value = if f.skip {
            quote!(::core::default::Default::default())
        } else if let Some(default) = &f.default {
            match default {
                Default::Literal(e) => literal_default(f, e),
                Default::Factory(path) => quote!(#path()),
            }
        } else if f.version {
            quote!(1)
        } else if f.generated || f.is_option() {
            quote!(::core::option::Option::None)
        } else {
            arg(f)
        };
        quote!(#field: #value)
    });
    quote!(#ident { #(#inits),* })
}

/// Whether `new` takes the field: it has no value of its own (not generated, not optional, no
/// default, not skipped, not a version column).
pub(crate) fn is_new_arg(f: &Field) -> bool {
    !f.skip && !f.generated && !f.version && !f.is_option() && f.default.is_none()
}

/// A literal default as `new` writes it: a number takes the field's own type (an `i16` field's
/// `3` is an `i16`); text goes through `Into` (`"x"` into `String`).
pub(crate) fn literal_default(f: &Field, e: &syn::Expr) -> TokenStream {
    match f.numeric_type() {
        Some(number) if f.is_option() => {
            quote!(::core::option::Option::Some({ let v: #number = #e; v }))
        }
        Some(number) => quote!({ let v: #number = #e; v }),
        None => quote!(::core::convert::Into::into(#e)),
    }
}
