//! The API schemas beside the model (`create = HeroCreate`, `public = HeroPublic`,
//! `update = HeroUpdate`): serde structs with the model's validation rules, and the conversions
//! `Hero::from_create`, `TryFrom<Hero> for HeroPublic` and `hero.apply(update)`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;
use syn::ext::IdentExt;
use syn::spanned::Spanned;

use super::validate::{self, Access};
use crate::parse::{Bound, Default, Field, Model, RuleKind};

pub(crate) fn expand(model: &Model) -> TokenStream {
    let s = &model.schemas;
    let create = s.create.as_ref().map(|name| create(model, name));
    let public = s.public.as_ref().map(|name| public(model, name));
    let update = s.update.as_ref().map(|name| update(model, name));
    let public_with = s.public_with.iter().map(|with| {
        let nested = with.nested.iter().map(|n| Nested {
            field: &n.field,
            ty: &n.ty,
            schema: &n.schema,
            many: n.many,
        });
        public_with(model, &with.name, nested.collect())
    });
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

/// The field's doc comment, or a line naming its column.
fn field_docs(f: &Field) -> TokenStream {
    let docs = &f.schemas.docs;
    if docs.is_empty() {
        let line = format!("The `{}` column.", f.column);
        quote!(#[doc = #line])
    } else {
        quote!(#(#docs)*)
    }
}

/// The name of a local holding a field's value.
fn local(f: &Field) -> Ident {
    format_ident!("__{}", f.ident.unraw())
}

fn json_name(f: &Field) -> String {
    f.ident.unraw().to_string()
}

/// `deserialize_with` for an integer field, which takes `3.0` as JSON Schema's `integer` does
/// (serde alone refuses it): `which` names the helper for the field's shape.
fn lax_integer(f: &Field, which: &str) -> Option<TokenStream> {
    const INTEGERS: &[&str] = &["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64"];
    let syn::Type::Path(ty) = f.numeric_type()? else {
        return None;
    };
    let name = ty.path.segments.last()?.ident.to_string();
    INTEGERS.contains(&name.as_str()).then(|| {
        let path = format!("{}::__private::{which}", super::krate()).replace(' ', "");
        quote!(deserialize_with = #path)
    })
}

/// The `#[serde(...)]` of a plain or `Option` field: lax integers, and `default` for an
/// `Option` (serde's own default for it does not survive `deserialize_with`).
fn plain_serde(f: &Field, default: Option<TokenStream>) -> TokenStream {
    let lax = lax_integer(
        f,
        if f.is_option() {
            "integer_option"
        } else {
            "integer"
        },
    );
    let default = default.or_else(|| f.is_option().then(|| quote!(default)));
    let items: Vec<TokenStream> = default.into_iter().chain(lax).collect();
    if items.is_empty() {
        quote!()
    } else {
        quote!(#[serde(#(#items),*)])
    }
}

/// The fields `new` takes (as columns.rs chooses them): no value of their own.
fn is_new_arg(f: &Field) -> bool {
    !f.skip && !f.generated && !f.version && !f.is_option() && f.default.is_none()
}

fn create(model: &Model, name: &Ident) -> TokenStream {
    let krate = super::krate();
    let ident = &model.ident;
    let vis = &model.vis;
    let extras = &model.schemas.create_fields;
    let columns: Vec<&Field> = model
        .columns()
        .filter(|f| !f.generated && !f.version && f.schemas.skip_create.is_none())
        .collect();
    let in_create = |f: &Field| columns.iter().any(|c| c.ident == f.ident);

    let mut helpers = Vec::new();
    let fields = columns.iter().map(|f| {
        let field = &f.ident;
        let fvis = &f.vis;
        let ty = &f.ty;
        let docs = field_docs(f);
        let default = match &f.default {
            Some(Default::Factory(path)) => {
                let path = quote!(#path).to_string();
                Some(quote!(default = #path))
            }
            Some(Default::Literal(e)) => {
                let helper = format_ident!("__tablemodel_default_{}", f.ident.unraw());
                let value = literal_default(f, e);
                helpers.push(quote! {
                    #[doc(hidden)]
                    fn #helper() -> #ty {
                        #value
                    }
                });
                let path = format!("{name}::{helper}");
                Some(quote!(default = #path))
            }
            None => None,
        };
        let serde = plain_serde(f, default);
        quote!(#docs #serde #fvis #field: #ty,)
    });
    let fields: Vec<TokenStream> = fields.collect();
    let extra_fields = extras.iter().map(|f| {
        let field = &f.ident;
        let fvis = &f.vis;
        let ty = &f.ty;
        let docs = &f.schemas.docs;
        let serde = plain_serde(f, None);
        quote!(#(#docs)* #serde #fvis #field: #ty,)
    });

    let checks = columns.iter().copied().chain(extras).flat_map(|f| {
        f.rules
            .iter()
            .map(move |r| validate::rule(f, r, Access::of(f)))
    });
    let validate = validate::impl_validate(name, checks);

    // What the model needs that the schema does not carry: the caller's decision.
    let missing: Vec<&Field> = model
        .fields
        .iter()
        .filter(|f| is_new_arg(f) && !in_create(f))
        .collect();
    let args = model.fields.iter().filter(|f| is_new_arg(f)).map(local);
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
        let mut model = #ident::new(#(#args),*);
        #(#rest)*
        ::core::result::Result::Ok(model)
    };
    let conversion = if missing.is_empty() && extras.is_empty() {
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
        let (returns, bind, what) = match missing.as_slice() {
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
        };
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
    let try_from = (missing.is_empty() && extras.is_empty()).then(|| {
        quote! {
            impl ::core::convert::TryFrom<#name> for #ident {
                type Error = #krate::Error;
                fn try_from(create: #name) -> #krate::Result<Self> {
                    #ident::from_create(create)
                }
            }
        }
    });

    let openapi = openapi(
        name,
        &struct_doc(model, "What a client sends to create one."),
        columns
            .iter()
            .map(|f| {
                let ty = &f.ty;
                let required = !f.is_option() && f.default.is_none();
                column_property(f, quote!(#ty), required)
            })
            .chain(
                extras
                    .iter()
                    .map(|f| extra_property(f, &f.ty, !f.is_option())),
            )
            .collect(),
        &[],
    );

    let doc = struct_doc(
        model,
        &format!(
            "What a client sends to create a [`{ident}`] (SQLModel's `{name}`): every field but a \
             database-generated key. Unknown fields are ignored. [`{ident}::{}`] validates it and \
             builds the model.",
            if missing.is_empty() && extras.is_empty() {
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
            #(#fields)*
            #(#extra_fields)*
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

/// What the public schema and every `public_with` schema share: the columns a response shows.
struct PublicColumns<'a> {
    columns: Vec<&'a Field>,
    /// Whether the model has a generated key, which the conversion needs set.
    fallible: bool,
}

impl<'a> PublicColumns<'a> {
    fn new(model: &'a Model) -> Self {
        let columns: Vec<&Field> = model
            .columns()
            .filter(|f| f.schemas.skip_public.is_none())
            .collect();
        let fallible = columns.iter().any(|f| f.generated);
        PublicColumns { columns, fallible }
    }

    /// A generated key is always set once stored: the schema holds the value itself.
    fn ty(f: &Field) -> TokenStream {
        let ty = f.inner.as_ref().filter(|_| f.generated).unwrap_or(&f.ty);
        quote!(#ty)
    }

    fn fields(&self) -> Vec<TokenStream> {
        self.columns
            .iter()
            .map(|f| {
                let field = &f.ident;
                let fvis = &f.vis;
                let docs = field_docs(f);
                let serde = if f.generated {
                    lax_integer(f, "integer").map(|lax| quote!(#[serde(#lax)]))
                } else {
                    Some(plain_serde(f, None))
                };
                let ty = Self::ty(f);
                quote!(#docs #serde #fvis #field: #ty,)
            })
            .collect()
    }

    fn validate(&self, name: &Ident) -> TokenStream {
        let checks = self.columns.iter().flat_map(|f| {
            let access = if f.generated {
                Access::Plain
            } else {
                Access::of(f)
            };
            f.rules.iter().map(move |r| validate::rule(f, r, access))
        });
        validate::impl_validate(name, checks)
    }

    /// `field: value` of each column, taken from `model`; a generated key that is unset
    /// returns `unsaved()`, which the conversion defines when [`Self::fallible`].
    fn inits(&self) -> Vec<TokenStream> {
        self.columns
            .iter()
            .map(|f| {
                let field = &f.ident;
                if f.generated {
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
        let krate = super::krate();
        let message = format!(
            "a `{ident}` without its generated key cannot become a `{name}`: store it first \
             (add, commit, refresh)"
        );
        quote! {
            let unsaved = || #krate::Error::Statement(::std::string::String::from(#message));
        }
    }

    fn properties(&self) -> Vec<TokenStream> {
        self.columns
            .iter()
            .map(|f| column_property(f, Self::ty(f), true))
            .collect()
    }
}

fn public(model: &Model, name: &Ident) -> TokenStream {
    let krate = super::krate();
    let ident = &model.ident;
    let vis = &model.vis;
    let parts = PublicColumns::new(model);
    let fields = parts.fields();
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
    let openapi = openapi(
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

/// A relationship a `public_with` schema nests: `team: Option<TeamPublic>`.
struct Nested<'a> {
    /// The relationship field.
    field: &'a Ident,
    /// The type as written.
    ty: &'a syn::Type,
    /// What each related model becomes: `TeamPublic`.
    schema: &'a syn::Type,
    /// A `Vec` rather than an `Option`.
    many: bool,
}

/// `public_with(HeroPublicWithTeam { team: Option<TeamPublic> })`: the public columns, then each
/// named relationship with every related model converted by `TryFrom` into its schema.
fn public_with(model: &Model, name: &Ident, nested: Vec<Nested<'_>>) -> TokenStream {
    let krate = super::krate();
    let ident = &model.ident;
    let vis = &model.vis;
    let parts = PublicColumns::new(model);
    // Checked in parse: each names a relationship field.
    let nested: Vec<(&Nested, &Field)> = nested
        .iter()
        .filter_map(|n| Some((n, model.fields.iter().find(|f| f.ident == *n.field)?)))
        .collect();

    let fields = parts.fields();
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
    if cfg!(feature = "utoipa") {
        properties.extend(nested.iter().map(|(n, f)| {
            let key = json_name(f);
            let schema = &n.schema;
            let many = n.many;
            let doc = related_doc_text(n, f);
            quote!(.related::<#schema>(#key, #many, #doc))
        }));
    }
    let schemas: Vec<&syn::Type> = nested.iter().map(|(n, _)| n.schema).collect();
    let openapi = openapi(
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

fn update(model: &Model, name: &Ident) -> TokenStream {
    let krate = super::krate();
    let ident = &model.ident;
    let vis = &model.vis;
    let extras = &model.schemas.update_fields;
    let columns: Vec<&Field> = model
        .columns()
        .filter(|f| !f.primary_key && !f.version && f.schemas.skip_update.is_none())
        .collect();
    let absent = format!("{krate}::Patch::is_absent").replace(' ', "");
    let non_null = format!("{krate}::__private::deserialize_non_null").replace(' ', "");
    let patch_field = |f: &Field, docs: TokenStream| {
        let field = &f.ident;
        let fvis = &f.vis;
        let inner = f.inner.as_ref().unwrap_or(&f.ty);
        let with = match lax_integer(
            f,
            if f.is_option() {
                "integer_patch"
            } else {
                "integer_patch_non_null"
            },
        ) {
            Some(lax) => Some(quote!(#lax,)),
            None => (!f.is_option()).then(|| quote!(deserialize_with = #non_null,)),
        };
        quote! {
            #docs
            #[serde(default, #with skip_serializing_if = #absent)]
            #fvis #field: #krate::Patch<#inner>,
        }
    };
    let fields = columns.iter().map(|f| patch_field(f, field_docs(f)));
    let extra_fields = extras.iter().map(|f| {
        let docs = &f.schemas.docs;
        patch_field(f, quote!(#(#docs)*))
    });

    let rules = columns
        .iter()
        .copied()
        .chain(extras)
        .flat_map(|f| f.rules.iter().map(|r| validate::rule(f, r, Access::Patch)));
    // A column that cannot be NULL cannot be cleared; serde already refuses `null` for it, this
    // catches a `Patch::Null` built in Rust.
    let nulls = columns
        .iter()
        .copied()
        .chain(extras)
        .filter(|f| !f.is_option())
        .map(|f| {
            let field = &f.ident;
            let key = json_name(f);
            quote! {
                if self.#field.is_null() {
                    let mut error = #krate::__private::validator::ValidationError::new("null");
                    error.message = ::core::option::Option::Some(::std::borrow::Cow::Borrowed(
                        "this field cannot be null",
                    ));
                    errors.add(#key, error);
                }
            }
        });
    let validate = validate::impl_validate(name, nulls.chain(rules));

    let writes = columns.iter().map(|f| {
        let field = &f.ident;
        let ty = &f.ty;
        let column = &f.column;
        let take = if f.is_option() {
            quote!(update.#field.into_option())
        } else {
            quote!(match update.#field {
                #krate::Patch::Value(value) => ::core::option::Option::Some(value),
                _ => ::core::option::Option::None,
            })
        };
        quote! {
            if let ::core::option::Option::Some(value) = #take {
                if <#ty as #krate::ToValue>::to_value(&self.#field)
                    != <#ty as #krate::ToValue>::to_value(&value)
                {
                    changed.push(#column);
                }
                self.#field = value;
            }
        }
    });
    let apply_doc = format!(
        "Writes the fields an [`{name}`] carries into this `{ident}` and leaves the others alone \
         (SQLModel's `sqlmodel_update(update.model_dump(exclude_unset=True))`): a `null` clears a \
         NULL-able column. Returns the names of the columns whose value changed, in declaration \
         order. Fields the update has of its own (`update_field`) are not written: read them \
         before.\n\n\
         # Errors\n\n`Error::Validation` listing every field and rule the update breaks (a `null` \
         for a column that cannot be NULL among them); the model is then left as it was."
    );
    let openapi = openapi(
        name,
        &struct_doc(
            model,
            "A partial update: a field left out is kept, `null` clears a NULL-able field.",
        ),
        columns
            .iter()
            .map(|f| {
                let ty = &f.ty;
                column_property(f, quote!(#ty), false)
            })
            .chain(extras.iter().map(|f| extra_property(f, &f.ty, false)))
            .collect(),
        &[],
    );
    let doc = struct_doc(
        model,
        &format!(
            "A partial update of a [`{ident}`] (SQLModel's `{name}`): every field but the key, \
             each a `Patch` — left out to keep the value, `null` to clear a NULL-able column, or \
             a value. Unknown fields are ignored. [`{ident}::apply`] writes it into the model."
        ),
    );
    let derives = derives(quote!(::core::default::Default,));
    quote! {
        #[doc = #doc]
        #derives
        #vis struct #name {
            #(#fields)*
            #(#extra_fields)*
        }

        const _: () = {
            #validate
            #openapi

            #[automatically_derived]
            impl #ident {
                #[doc = #apply_doc]
                #vis fn apply(
                    &mut self,
                    update: #name,
                ) -> #krate::Result<::std::vec::Vec<&'static str>> {
                    #krate::__private::validator::Validate::validate(&update)?;
                    #[allow(unused_mut)]
                    let mut changed = ::std::vec::Vec::new();
                    #(#writes)*
                    ::core::result::Result::Ok(changed)
                }
            }
        };
    }
}

/// A literal default as `new` writes it (see columns.rs): a number takes the field's type.
fn literal_default(f: &Field, e: &syn::Expr) -> TokenStream {
    match f.numeric_type() {
        Some(number) if f.is_option() => {
            quote!(::core::option::Option::Some({ let v: #number = #e; v }))
        }
        Some(number) => quote!({ let v: #number = #e; v }),
        None => quote!(::core::convert::Into::into(#e)),
    }
}

/// `impl ToSchema` for a schema, when the derive was built with the `utoipa` feature (which
/// model-core's feature of that name turns on, so the paths below exist).
///
/// `nested` are the schemas a `public_with` schema refers to, which `ToSchema::schemas` lists
/// so that the OpenAPI document holds them too.
fn openapi(
    name: &Ident,
    doc: &str,
    properties: Vec<TokenStream>,
    nested: &[&syn::Type],
) -> TokenStream {
    if !cfg!(feature = "utoipa") {
        return quote!();
    }
    let krate = super::krate();
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

/// A column's property: its SQL type and nullability, and its rules' bounds.
fn column_property(f: &Field, ty: TokenStream, required: bool) -> TokenStream {
    if !cfg!(feature = "utoipa") {
        return quote!();
    }
    let krate = super::krate();
    let name = json_name(f);
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

/// A property that is not a column: its type's own schema.
fn extra_property(f: &Field, ty: &syn::Type, required: bool) -> TokenStream {
    if !cfg!(feature = "utoipa") {
        return quote!();
    }
    let name = json_name(f);
    quote!(.field::<#ty>(#name, #required))
}

fn limits(f: &Field) -> TokenStream {
    let krate = super::krate();
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
