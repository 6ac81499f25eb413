//! The typed column handles (`User::username`) and the `new` constructor.

use proc_macro2::TokenStream;
use quote::quote;

use crate::parse::{Default, Model};

pub(crate) fn expand(model: &Model) -> TokenStream {
    let krate = crate::expand::krate();
    let ident = &model.ident;
    let consts = model.columns().enumerate().map(|(i, f)| {
        let field = &f.ident;
        let vis = &f.vis;
        let ty = &f.ty;
        let column = &f.column;
        let doc = format!("The `{column}` column, for queries.");
        quote! {
            #[doc = #doc]
            #[allow(non_upper_case_globals)]
            #vis const #field: #krate::Column<#ident, #ty> = #krate::Column::new(#i, #column);
        }
    });

    // `new` takes the fields that have no value of their own: not generated, not optional,
    // no default, not skipped.
    let required: Vec<_> = model
        .fields
        .iter()
        .filter(|f| !f.skip && !f.generated && !f.version && !f.is_option() && f.default.is_none())
        .collect();
    let args = required.iter().map(|f| {
        let field = &f.ident;
        let ty = &f.ty;
        quote!(#field: impl ::core::convert::Into<#ty>)
    });
    let inits = model.fields.iter().map(|f| {
        let field = &f.ident;
        let value = if f.skip {
            quote!(::core::default::Default::default())
        } else if let Some(default) = &f.default {
            match default {
                // A number literal takes the field's own type (an `i16` field's `3` is an
                // `i16`); text goes through `Into` (`"x"` into `String`).
                Default::Literal(e) => match f.numeric_type() {
                    Some(number) if f.is_option() => {
                        quote!(::core::option::Option::Some({ let v: #number = #e; v }))
                    }
                    Some(number) => quote!({ let v: #number = #e; v }),
                    None => quote!(::core::convert::Into::into(#e)),
                },
                Default::Factory(path) => quote!(#path()),
            }
        } else if f.version {
            quote!(1)
        } else if f.generated || f.is_option() {
            quote!(::core::option::Option::None)
        } else {
            quote!(::core::convert::Into::into(#field))
        };
        quote!(#field: #value)
    });
    let vis = &model.vis;
    let doc = format!(
        "A new `{ident}` from its required fields; optional fields start as `None`, defaults and \
         default factories fill the rest, and a generated key is set when it is stored."
    );
    quote! {
        #[automatically_derived]
        impl #ident {
            #(#consts)*

            #[doc = #doc]
            #[allow(clippy::too_many_arguments)]
            #vis fn new(#(#args),*) -> Self {
                #ident { #(#inits),* }
            }
        }
    }
}
