//! Relationship handles (`User::posts`, renamed by `handle = "..."`) and the session-level
//! cascade of deletes.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::Ident;

use crate::parse::{Model, RelationKind, related_inner};

/// `impl User { pub const posts: Relation<User, Post, Vec<Post>> = ...; }`
pub(crate) fn expand(model: &Model) -> TokenStream {
    let krate = crate::expand::krate();
    let ident = &model.ident;
    let consts = model.fields.iter().filter_map(|f| {
        let relation = f.relation.as_ref()?;
        let inner = related_inner(&f.ty)?;
        let field = &f.ident;
        let handle = f.handle();
        let vis = &f.vis;
        let name = field.to_string();
        let target = &relation.target;
        let link = match &relation.kind {
            RelationKind::HasMany { foreign_key, .. } => {
                let fk = foreign_key_index(target, foreign_key);
                quote!(#krate::Link::HasMany { fk: #fk })
            }
            RelationKind::BelongsTo { key } => {
                let fk = belongs_to_key(model, target, key);
                quote!(#krate::Link::BelongsTo { fk: #fk })
            }
            RelationKind::ManyToMany { link, from, to } => {
                let (from, to) = (foreign_key_index(link, from), foreign_key_index(link, to));
                quote! {
                    #krate::Link::ManyToMany {
                        link: || <#link as #krate::Model>::TABLE,
                        from: #from,
                        to: #to,
                    }
                }
            }
        };
        // The other side of each loaded row gets a copy of its parent.
        let back = match &relation.kind {
            RelationKind::HasMany {
                back_populates: Some(back),
                ..
            } => {
                // Spanned at the name, so that a field that is not the relationship back to this
                // model is reported there.
                let field = quote_spanned! {back.span()=>
                    #krate::__private::back_populates::<
                        #krate::Related<::core::option::Option<#ident>>,
                        _,
                    >(&mut row.#back)
                };
                quote! {
                    .with_back(|parent: &#ident, row: &mut #target| {
                        #field.set(::core::option::Option::Some(::core::clone::Clone::clone(parent)))
                    })
                }
            }
            _ => quote!(),
        };
        let doc = format!("The `{name}` relationship, for loading.");
        Some(quote! {
            #[doc = #doc]
            #[allow(non_upper_case_globals)]
            #vis const #handle: #krate::Relation<#ident, #target, #inner> =
                #krate::Relation::new(#name, #link, |m: &mut #ident| &mut m.#field) #back;
        })
    });
    quote! {
        #[automatically_derived]
        impl #ident {
            #(#consts)*
        }
    }
}

/// The index of the foreign key column `target::foreign_key` (of a `has_many`, or `from`/`to` of
/// a `many_to_many`'s link), at the user's name: a column's own `const fn index`, and anything
/// else (a relationship) reported as not a column.
fn foreign_key_index(target: &syn::Path, foreign_key: &Ident) -> TokenStream {
    let krate = crate::expand::krate();
    quote_spanned! {foreign_key.span()=>
        {
            #[allow(unused_imports)]
            use #krate::__private::ColumnIndex as _;
            #target::#foreign_key.index()
        }
    }
}

/// The index of the `belongs_to` key column, checked at the user's `key = ...` to hold the
/// target's primary key; unchecked when the column's own `foreign_key` names the target, which
/// checks it already.
fn belongs_to_key(model: &Model, target: &syn::Path, key: &Ident) -> TokenStream {
    let krate = crate::expand::krate();
    // The handle, named at the attribute.
    let mut handle = model.handle_of(key).clone();
    handle.set_span(key.span());
    let last = |p: &syn::Path| p.segments.last().map(|s| s.ident.clone());
    let checked = model
        .columns()
        .find(|f| f.ident == *key)
        .and_then(|f| f.foreign_key.as_ref())
        .is_some_and(|fk| last(&fk.model) == last(target));
    if checked {
        return quote!(Self::#handle.index());
    }
    quote_spanned! {key.span()=>
        #krate::__private::belongs_to_key::<<#target as #krate::Model>::Key, _, _>(Self::#handle)
    }
}

/// `impl Cascade`: what the session stages along the model's relationships when the model is
/// added or deleted (the trait's methods default to nothing for a model without them).
pub(crate) fn cascade_impl(model: &Model) -> TokenStream {
    let krate = crate::expand::krate();
    let ident = &model.ident;
    let delete = delete_cascade(model);
    let split = split(model);
    let owners = owners(model);
    quote! {
        impl #krate::Cascade for #ident {
            #delete
            #split
            #owners
        }
    }
}

/// `fn delete_cascade` of the `Cascade` impl: `has_many(..., cascade_delete)` rows are deleted,
/// other `has_many` children released and `many_to_many` link rows deleted.
fn delete_cascade(model: &Model) -> TokenStream {
    let krate = crate::expand::krate();
    let deletes: Vec<TokenStream> = model
        .fields
        .iter()
        .filter_map(|f| {
            let handle = f.handle();
            match f.relation.as_ref().map(|r| &r.kind)? {
                RelationKind::HasMany { cascade: true, .. } => {
                    Some(quote!(session.delete_related(self, Self::#handle)?;))
                }
                RelationKind::HasMany { .. } | RelationKind::ManyToMany { .. } => {
                    Some(quote!(session.release_related(self, Self::#handle)?;))
                }
                RelationKind::BelongsTo { .. } => None,
            }
        })
        .collect();
    if deletes.is_empty() {
        return quote!();
    }
    quote! {
        fn delete_cascade(&self, session: &mut #krate::Session) -> #krate::Result<()> {
            #(#deletes)*
            ::core::result::Result::Ok(())
        }
    }
}

/// `fn split_related` of the `Cascade` impl: the rows of loaded has-many relationships are staged
/// as children of their parent when it is added, and the targets of loaded many-to-many
/// relationships are linked to it.
fn split(model: &Model) -> TokenStream {
    let krate = crate::expand::krate();
    let fields: Vec<_> = model
        .fields
        .iter()
        .filter_map(|f| match f.relation.as_ref()?.kind {
            RelationKind::HasMany { .. } | RelationKind::ManyToMany { .. } => Some(f),
            RelationKind::BelongsTo { .. } => None,
        })
        .collect();
    if fields.is_empty() {
        return quote!();
    }
    let takes = fields.iter().map(|f| {
        let field = &f.ident;
        quote! {
            let #field = #krate::Related::take(&mut self.#field);
            for row in #field.iter().flatten() {
                #krate::Validate::validate(row)?;
            }
        }
    });
    let names = fields.iter().map(|f| &f.ident);
    let stages = fields.iter().filter_map(|f| {
        let field = &f.ident;
        let handle = f.handle();
        let relation = f.relation.as_ref()?;
        let target = &relation.target;
        let stage = match &relation.kind {
            RelationKind::HasMany { foreign_key, .. } => {
                let fk = foreign_key_index(target, foreign_key);
                quote!(session.add_child(row, #fk, parent)?;)
            }
            _ => quote!(session.add_link(parent, Self::#handle, row)?;),
        };
        // The rows the list no longer holds are released after the list is staged.
        Some(quote! {
            if let ::core::option::Option::Some(rows) = #field {
                let kept: ::std::vec::Vec<_> = rows.iter().map(#krate::Model::key_values).collect();
                for row in ::core::iter::IntoIterator::into_iter(rows) {
                    #stage
                }
                session.release_others(parent, Self::#handle, &kept)?;
            }
        })
    });
    quote! {
        fn split_related(&mut self) -> #krate::Result<::core::option::Option<#krate::StageChildren>> {
            #(#takes)*
            if true #(&& #names.is_none())* {
                return ::core::result::Result::Ok(::core::option::Option::None);
            }
            ::core::result::Result::Ok(::core::option::Option::Some(::std::boxed::Box::new(
                move |session: &mut #krate::Session, parent: &#krate::ParentRef| {
                    #(#stages)*
                    ::core::result::Result::Ok(())
                },
            )))
        }
    }
}

/// `fn stage_owners` of the `Cascade` impl: the row a loaded belongs-to relationship holds is
/// staged before the model, whose foreign key takes its key.
fn owners(model: &Model) -> TokenStream {
    let krate = crate::expand::krate();
    let stages: Vec<TokenStream> = model
        .fields
        .iter()
        .filter_map(|f| {
            let RelationKind::BelongsTo { key } = &f.relation.as_ref()?.kind else {
                return None;
            };
            let key = model.handle_of(key);
            let field = &f.ident;
            Some(quote! {
                match #krate::Related::take(&mut self.#field) {
                    ::core::option::Option::Some(::core::option::Option::Some(owner)) => {
                        // Settled before the owner is staged, so that a conflict stages nothing.
                        let key = #krate::Model::key_values(&owner)
                            .and_then(|key| key.into_iter().next());
                        let fill = session.sync_owner_key(self, Self::#key.index(), key.as_ref())?;
                        let owner = session.add_owner(owner)?;
                        if fill {
                            links.push(owner.link(Self::#key.index()));
                        }
                    }
                    ::core::option::Option::Some(::core::option::Option::None) => {
                        let none = #krate::Value::Null;
                        session.sync_owner_key(self, Self::#key.index(), ::core::option::Option::Some(&none))?;
                    }
                    ::core::option::Option::None => {}
                }
            })
        })
        .collect();
    if stages.is_empty() {
        return quote!();
    }
    quote! {
        fn stage_owners(
            &mut self,
            session: &mut #krate::Session,
        ) -> #krate::Result<::std::vec::Vec<#krate::ParentLink>> {
            let mut links = ::std::vec::Vec::new();
            #(#stages)*
            ::core::result::Result::Ok(links)
        }
    }
}
