//! `impl FromRow`: decode the columns in declaration order straight into the struct.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::parse::Model;

pub(crate) fn expand(model: &Model) -> TokenStream {
    let krate = crate::expand::krate();
    let ident = &model.ident;
    let fields = model.fields.iter().map(|f| {
        let field = &f.ident;
        if f.skip {
            quote!(#field: ::core::default::Default::default())
        } else {
            let ty = &f.ty;
            quote_spanned!(ty.span()=> #field: row.read::<#ty>()?)
        }
    });
    quote! {
        impl #krate::FromRow for #ident {
            fn from_row(row: &mut #krate::RowReader<'_>) -> #krate::Result<Self> {
                ::core::result::Result::Ok(#ident { #(#fields),* })
            }
        }
    }
}
