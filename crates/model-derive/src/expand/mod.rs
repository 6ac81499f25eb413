//! Code generation from the parsed model; every path it emits starts at `::model_core`.

mod columns;
mod row;
mod table;
mod validate;

use proc_macro2::TokenStream;
use quote::quote;

use crate::parse::Model;

pub(crate) fn expand(model: &Model) -> TokenStream {
    let ident = &model.ident;
    let table = table::expand(model);
    let row = row::expand(model);
    let validate = validate::expand(model);
    let columns = columns::expand(model);
    quote! {
        // Wrapped so that the impls add no names to the user's module.
        const _: () = {
            #table
            #row
            #validate
            ::model_core::__private::inventory::submit! {
                ::model_core::__private::Registration(|| <#ident as ::model_core::Model>::TABLE)
            }
        };
        #columns
    }
}
