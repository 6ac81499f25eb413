//! `impl FromRow`: decode the columns in declaration order straight into the struct.

use proc_macro2::TokenStream;
use quote::quote;

use crate::parse::Model;

pub(crate) fn expand(model: &Model) -> TokenStream {
    let ident = &model.ident;
    let fields = model.fields.iter().map(|f| {
        let field = &f.ident;
        if f.skip {
            quote!(#field: ::core::default::Default::default())
        } else {
            quote!(#field: row.read()?)
        }
    });
    quote! {
        impl ::model_core::FromRow for #ident {
            fn from_row(row: &mut ::model_core::RowReader<'_>) -> ::model_core::Result<Self> {
                ::core::result::Result::Ok(#ident { #(#fields),* })
            }
        }
    }
}
