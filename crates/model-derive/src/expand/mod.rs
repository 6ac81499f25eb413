//! Code generation from the parsed model; every path it emits starts at the library's root
//! (see [`krate`]).

mod columns;
mod relation;
mod row;
mod schemas;
mod table;
mod validate;

use proc_macro2::TokenStream;
use quote::quote;

use crate::parse::Model;

/// The path generated code names the library by: `::tablemodel` for applications (or the name
/// they renamed it to), `::model_core` for crates that depend on the core alone.
pub(crate) fn krate() -> TokenStream {
    use proc_macro_crate::{FoundCrate, crate_name};
    let found = |name: &str, own: &str| match crate_name(name) {
        // "Itself" is also what a package's own tests, examples and doctests see; they reach
        // the library by its name like any dependent.
        Ok(FoundCrate::Itself) => Some(own.to_owned()),
        Ok(FoundCrate::Name(n)) => Some(n),
        Err(_) => None,
    };
    let name = found("tablemodel", "tablemodel")
        .or_else(|| found("model-core", "model_core"))
        .unwrap_or_else(|| "tablemodel".to_owned());
    let ident = syn::Ident::new(&name, proc_macro2::Span::call_site());
    quote!(::#ident)
}

pub(crate) fn expand(model: &Model) -> TokenStream {
    let krate = krate();
    let ident = &model.ident;
    let table = table::expand(model);
    let row = row::expand(model);
    let validate = validate::expand(model);
    let columns = columns::expand(model);
    let schemas = schemas::expand(model);
    let relations = relation::expand(model);
    let cascade = relation::cascade_impl(model);
    quote! {
        // Wrapped so that the impls add no names to the user's module.
        const _: () = {
            #table
            #row
            #validate
            #cascade
            #krate::__private::inventory::submit! {
                #krate::__private::Registration(|| <#ident as #krate::Model>::TABLE)
            }
        };
        #columns
        #relations
        #schemas
    }
}
