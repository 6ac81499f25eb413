//! The public schemas: `public = HeroPublic`, what the API returns for a row (SQLModel's
//! `HeroPublic`), with `From<Hero>` or, while a generated key may be unset, `TryFrom<Hero>`;
//! and `public_with(HeroPublicWithTeam { team: Option<TeamPublic> })`, the same columns with
//! loaded related models nested, each in its own schema (SQLModel's `HeroPublicWithTeam`).
//! Both show every column but those marked `skip_public`, a generated key as a plain value.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::Ident;
use syn::spanned::Spanned;

use super::{derives, field, json_name, local, openapi, rules, struct_doc};
use crate::expand::validate;
use crate::parse::{Field, Model, Nested, PublicWith, SchemaField, SchemaKind};

/// What the public schema and every `public_with` schema share: the columns a response shows.
struct PublicColumns<'a> {
    fields: Vec<SchemaField<'a>>,
    /// Whether the model has a generated key, which the conversion needs set.
    fallible: bool,
}

impl<'a> PublicColumns<'a> {
    fn new(model: &'a Model) -> Self {
        let fields = model.schema_fields(SchemaKind::Public);
        let fallible = fields.iter().any(|sf| sf.field.generated);
        PublicColumns { fields, fallible }
    }

    fn fields(&self, name: &Ident) -> Vec<TokenStream> {
        self.fields.iter().map(|sf| field(sf, name)).collect()
    }

    fn validate(&self, name: &Ident) -> TokenStream {
        validate::impl_validate(name, rules(&self.fields))
    }

    /// `field: value` of each column, taken from `model`; a generated key that is unset
    /// returns `unsaved()`, which the conversion defines when [`Self::fallible`].
    fn inits(&self) -> Vec<TokenStream> {
        self.fields
            .iter()
            .map(|sf| {
                let field = &sf.field.ident;
                if sf.field.generated {
                    quote!(#field: match model.#field {
                        ::core::option::Option::Some(value) => value,
                        ::core::option::Option::None => {
                            return ::core::result::Result::Err(unsaved())
                        }
                    })
                } else {
                    quote!(#field: model.#field)
                }
            })
            .collect()
    }

    /// `let unsaved = ...;`, the error of a conversion while the generated key is unset.
    fn unsaved(&self, ident: &Ident, name: &Ident) -> TokenStream {
        if !self.fallible {
            return quote!();
        }
        let krate = crate::expand::krate();
        let message = format!(
            "a `{ident}` without its generated key cannot become a `{name}`: store it first \
             (add, commit, refresh)"
        );
        quote! {
            let unsaved = || #krate::Error::Statement(::std::string::String::from(#message));
        }
    }

    fn properties(&self) -> Vec<TokenStream> {
        self.fields.iter().map(openapi::property).collect()
    }
}

pub(super) fn expand(model: &Model, name: &Ident) -> TokenStream {
    let krate = crate::expand::krate();
    let ident = &model.ident;
    let vis = &model.vis;
    let parts = PublicColumns::new(model);
    let fields = parts.fields(name);
    let validate = parts.validate(name);
    let inits = parts.inits();
    let fallible = parts.fallible;
    let conversion = if fallible {
        let unsaved = parts.unsaved(ident, name);
        quote! {
            /// Fails with `Error::Statement` while the generated key is unset (the model has
            /// not been stored and read back).
            impl ::core::convert::TryFrom<#ident> for #name {
                type Error = #krate::Error;
                fn try_from(model: #ident) -> #krate::Result<Self> {
                    #unsaved
                    ::core::result::Result::Ok(#name { #(#inits,)* })
                }
            }
        }
    } else {
        quote! {
            impl ::core::convert::From<#ident> for #name {
                fn from(model: #ident) -> Self {
                    #name { #(#inits,)* }
                }
            }
        }
    };
    let openapi = openapi::impls(
        name,
        &struct_doc(model, "What the API returns."),
        parts.properties(),
        &[],
    );
    let how = if fallible {
        format!("`{name}::try_from(model)`, which fails while the generated key is unset")
    } else {
        format!("`{name}::from(model)`")
    };
    let doc = struct_doc(
        model,
        &format!(
            "What the API returns for a [`{ident}`] (SQLModel's `{name}`): its columns, a \
             generated key as a plain value. Built with {how}."
        ),
    );
    let derives = derives(quote!());
    quote! {
        #[doc = #doc]
        #derives
        #vis struct #name {
            #(#fields)*
        }

        const _: () = {
            #validate
            #openapi
            #conversion
        };
    }
}

/// `public_with(HeroPublicWithTeam { team: Option<TeamPublic> })`: the public columns, then each
/// named relationship with every related model converted by `TryFrom` into its schema.
pub(super) fn expand_with(model: &Model, with: &PublicWith) -> TokenStream {
    let krate = crate::expand::krate();
    let ident = &model.ident;
    let vis = &model.vis;
    let name = &with.name;
    let parts = PublicColumns::new(model);
    // Checked in parse: each names a relationship field.
    let nested: Vec<(&Nested, &Field)> = with
        .nested
        .iter()
        .filter_map(|n| Some((n, model.fields.iter().find(|f| f.ident == n.field)?)))
        .collect();

    let fields = parts.fields(name);
    let related_fields = nested.iter().map(|(n, f)| {
        let field = &f.ident;
        let fvis = &f.vis;
        let ty = &n.ty;
        let docs = related_docs(n, f);
        quote!(#docs #[serde(default)] #fvis #field: #ty,)
    });
    let validate = parts.validate(name);

    let takes = nested.iter().map(|(n, f)| {
        let field = &f.ident;
        let local = local(f);
        let schema = &n.schema;
        let target = f.relation.as_ref().map(|r| &r.target);
        // Spanned so that a schema without the conversion is reported where it is named; `?`
        // converts its error (`Infallible` for a `From`) into the library's.
        let convert = quote_spanned! {schema.span()=>
            <#schema as ::core::convert::TryFrom<#target>>::try_from(row)?
        };
        let rows = if n.many {
            quote! {
                {
                    let mut out = ::std::vec::Vec::with_capacity(rows.len());
                    for row in rows {
                        out.push(#convert);
                    }
                    out
                }
            }
        } else {
            quote! {
                match rows {
                    ::core::option::Option::Some(row) => ::core::option::Option::Some(#convert),
                    ::core::option::Option::None => ::core::option::Option::None,
                }
            }
        };
        quote! {
            let #local = match #krate::Related::into_loaded(model.#field) {
                ::core::option::Option::Some(rows) => #rows,
                ::core::option::Option::None => {
                    return ::core::result::Result::Err(#krate::Error::NotLoaded)
                }
            };
        }
    });
    let inits = parts.inits();
    let related_inits = nested.iter().map(|(_, f)| {
        let field = &f.ident;
        let local = local(f);
        quote!(#field: #local)
    });
    let unsaved = parts.unsaved(ident, name);

    let names: Vec<String> = nested
        .iter()
        .map(|(_, f)| format!("`{}`", f.ident))
        .collect();
    let names = names.join(", ");
    let key_error = if parts.fallible {
        " `Error::Statement` while the generated key is unset."
    } else {
        ""
    };
    let conversion_doc = format!(
        "Converts each loaded related model with its schema's own conversion.\n\n         # Errors\n\n`Error::NotLoaded` when {names} {was} not loaded (load {it} with          `select::<{ident}>().load(...)`), and the errors of the related schemas'          conversions.{key_error}",
        was = if nested.len() == 1 { "was" } else { "were" },
        it = if nested.len() == 1 { "it" } else { "them" },
    );

    let mut properties = parts.properties();
    properties.extend(
        nested.iter().map(|(n, f)| {
            openapi::related(&n.schema, &json_name(f), n.many, &related_doc_text(n, f))
        }),
    );
    let schemas: Vec<&syn::Type> = nested.iter().map(|(n, _)| &n.schema).collect();
    let openapi = openapi::impls(
        name,
        &struct_doc(model, "What the API returns, with related models nested."),
        properties,
        &schemas,
    );

    let doc = struct_doc(
        model,
        &format!(
            "What the API returns for a [`{ident}`] with related models (SQLModel's `{name}`):              its public columns, then {names}, each related model in its own schema. Built with              `{name}::try_from(model)` once the relationships are loaded."
        ),
    );
    let derives = derives(quote!());
    quote! {
        #[doc = #doc]
        #derives
        #vis struct #name {
            #(#fields)*
            #(#related_fields)*
        }

        const _: () = {
            #validate
            #openapi

            #[doc = #conversion_doc]
            impl ::core::convert::TryFrom<#ident> for #name {
                type Error = #krate::Error;
                // A schema converted from its model by `From` goes through `TryFrom` too.
                #[allow(clippy::unnecessary_fallible_conversions)]
                fn try_from(model: #ident) -> #krate::Result<Self> {
                    #unsaved
                    #(#takes)*
                    ::core::result::Result::Ok(#name { #(#inits,)* #(#related_inits,)* })
                }
            }
        };
    }
}

/// The relationship field's doc comment, or a line saying what the field holds.
fn related_docs(n: &Nested, f: &Field) -> TokenStream {
    let docs = &f.schemas.docs;
    if docs.is_empty() {
        let line = related_doc_text(n, f);
        quote!(#[doc = #line])
    } else {
        quote!(#(#docs)*)
    }
}

fn related_doc_text(n: &Nested, f: &Field) -> String {
    let text = f.schemas.doc_text();
    if !text.is_empty() {
        return text;
    }
    if n.many {
        format!("The `{}` relationship: every related row.", f.ident)
    } else {
        format!(
            "The `{}` relationship: the related row, or `null` when there is none.",
            f.ident
        )
    }
}
