//! The update schema (`update = HeroUpdate`): a partial update, SQLModel's `HeroUpdate` with
//! every field optional. Each field is a `Patch`: left out to keep the value, `null` to clear a
//! NULL-able column, or a value; the key and a version column are not in it, the schema's own
//! `update_field(...)`s are. Generated with it: `hero.apply(update)`, SQLModel's
//! `hero.sqlmodel_update(update.model_dump(exclude_unset=True))`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::Ident;

use super::{derives, field, json_name, openapi, rules, struct_doc};
use crate::expand::validate;
use crate::parse::{Model, SchemaKind, Shape};

pub(super) fn expand(model: &Model, name: &Ident) -> TokenStream {
    let krate = crate::expand::krate();
    let ident = &model.ident;
    let vis = &model.vis;
    let fields = model.schema_fields(SchemaKind::Update);
    let defs = fields.iter().map(|sf| field(sf, name));

    // A column that cannot be NULL cannot be cleared; serde already refuses `null` for it, this
    // catches a `Patch::Null` built in Rust.
    let nulls = fields
        .iter()
        .filter(|sf| sf.shape == (Shape::Patch { nullable: false }))
        .map(|sf| {
            let field = &sf.field.ident;
            let key = json_name(sf.field);
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
    let validate = validate::impl_validate(name, nulls.chain(rules(&fields)));

    // Fields the update has of its own are not the model's to write.
    let writes = fields.iter().filter(|sf| sf.column).map(|sf| {
        let field = &sf.field.ident;
        let ty = sf.ty;
        let column = &sf.field.column;
        let take = if sf.shape == (Shape::Patch { nullable: true }) {
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
    let openapi = openapi::impls(
        name,
        &struct_doc(
            model,
            "A partial update: a field left out is kept, `null` clears a NULL-able field.",
        ),
        fields.iter().map(openapi::property).collect(),
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
            #(#defs)*
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
