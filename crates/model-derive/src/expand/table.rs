//! `impl Model`: the table metadata static, the key type and column access.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::parse::{Bound, Default, Field, Model, RuleKind};

pub(crate) fn expand(model: &Model) -> TokenStream {
    let krate = crate::expand::krate();
    let ident = &model.ident;
    let table = &model.table;
    let columns: Vec<TokenStream> = model
        .columns()
        .enumerate()
        .map(|(i, f)| column_def(i, f))
        .collect();
    let primary_key: Vec<usize> = model
        .columns()
        .enumerate()
        .filter(|(_, f)| f.primary_key)
        .map(|(i, _)| i)
        .collect();
    let indexes = indexes(model);
    let checks = checks(model);
    let key_type = key_type(model);
    let version = match model.columns().position(|f| f.version) {
        Some(i) => quote!(::core::option::Option::Some(#i)),
        None => quote!(::core::option::Option::None),
    };
    let values: Vec<TokenStream> = model
        .columns()
        .enumerate()
        .map(|(i, f)| {
            let field = &f.ident;
            let ty = &f.ty;
            quote_spanned!(ty.span()=> #i => <#ty as #krate::ToValue>::to_value(&self.#field),)
        })
        .collect();
    let moves: Vec<TokenStream> = model
        .columns()
        .map(|f| {
            let field = &f.ident;
            let ty = &f.ty;
            quote_spanned!(ty.span()=> out.push(<#ty as #krate::ToValue>::into_value(self.#field));)
        })
        .collect();
    let equals: Vec<TokenStream> = model
        .columns()
        .enumerate()
        .map(|(i, f)| {
            let field = &f.ident;
            let ty = &f.ty;
            quote_spanned!(ty.span()=> #i => <#ty as #krate::ToValue>::eq_value(&self.#field, value),)
        })
        .collect();
    let sets: Vec<TokenStream> = model
        .columns()
        .enumerate()
        .map(|(i, f)| {
            let field = &f.ident;
            let ty = &f.ty;
            quote_spanned!(ty.span()=> #i => self.#field = <#ty as #krate::FromValue>::from_value(value)?,)
        })
        .collect();
    let table_renamed_from = option_str(model.renamed_from.as_deref());
    quote! {
        impl #krate::Model for #ident {
            type Key = #key_type;

            const TABLE: &'static #krate::Table = &#krate::Table {
                name: #table,
                columns: &[#(#columns),*],
                primary_key: &[#(#primary_key),*],
                indexes: &[#(#indexes),*],
                checks: &[#(#checks),*],
                version: #version,
                renamed_from: #table_renamed_from,
            };

            fn column_value(&self, index: usize) -> #krate::Value {
                match index {
                    #(#values)*
                    _ => #krate::Value::Null,
                }
            }

            fn into_values(self, out: &mut ::std::vec::Vec<#krate::Value>) {
                #(#moves)*
            }

            fn column_eq(&self, index: usize, value: &#krate::Value) -> bool {
                match index {
                    #(#equals)*
                    _ => value.is_null(),
                }
            }

            fn set_column_value(
                &mut self,
                index: usize,
                value: #krate::Value,
            ) -> #krate::Result<()> {
                match index {
                    #(#sets)*
                    _ => {}
                }
                ::core::result::Result::Ok(())
            }
        }
    }
}

fn column_def(index: usize, f: &Field) -> TokenStream {
    let krate = crate::expand::krate();
    let name = &f.column;
    let field = f.ident.to_string();
    let ty = &f.ty;
    let generated = f.generated;
    let unique = f.unique;
    // Spanned at the field type, so a type that cannot be a column is reported there.
    let sql_type = quote_spanned!(ty.span()=> <#ty as #krate::SqlType>::COLUMN_TYPE);
    let nullable = quote_spanned!(ty.span()=> <#ty as #krate::SqlType>::NULLABLE);
    let default = match &f.default {
        Some(Default::Literal(e)) => {
            let value = literal_default(e);
            quote!(::core::option::Option::Some(#value))
        }
        _ => quote!(::core::option::Option::None),
    };
    let foreign_key = match &f.foreign_key {
        Some(fk) => {
            let target = &fk.model;
            let target_field = &fk.field;
            let on_delete = action(&fk.on_delete);
            let on_update = action(&fk.on_update);
            // In the same constant as the name, so that a relationship named here is reported
            // once, as not a column, at the user's path; a key type the field cannot hold is
            // reported at the field's type.
            let check = quote_spanned! {target_field.span()=>
                #krate::__private::foreign_key::<#ty, _>(&#target::#target_field);
            };
            quote! {
                ::core::option::Option::Some(#krate::ForeignKey {
                    table: || <#target as #krate::Model>::TABLE,
                    column: {
                        #check
                        #target::#target_field.name()
                    },
                    on_delete: #on_delete,
                    on_update: #on_update,
                })
            }
        }
        None => quote!(::core::option::Option::None),
    };
    let renamed_from = option_str(f.renamed_from.as_deref());
    quote! {
        #krate::ColumnDef {
            name: #name,
            field: #field,
            index: #index,
            ty: #sql_type,
            nullable: #nullable,
            generated: #generated,
            unique: #unique,
            default: #default,
            foreign_key: #foreign_key,
            renamed_from: #renamed_from,
        }
    }
}

/// `Some("text")` or `None`, as a `&'static str` option.
fn option_str(value: Option<&str>) -> TokenStream {
    match value {
        Some(text) => quote!(::core::option::Option::Some(#text)),
        None => quote!(::core::option::Option::None),
    }
}

fn literal_default(e: &syn::Expr) -> TokenStream {
    let krate = crate::expand::krate();
    use syn::{Expr, ExprLit, Lit};
    let lit = match e {
        Expr::Lit(ExprLit { lit, .. }) => lit,
        Expr::Unary(u) => {
            if let Expr::Lit(ExprLit { lit, .. }) = &*u.expr {
                return match lit {
                    Lit::Float(_) => quote!(#krate::DefaultValue::Float(#e)),
                    _ => quote!(#krate::DefaultValue::Int(#e)),
                };
            }
            return quote!(#krate::DefaultValue::Int(#e));
        }
        _ => return quote!(#krate::DefaultValue::Int(#e)),
    };
    match lit {
        Lit::Bool(b) => quote!(#krate::DefaultValue::Bool(#b)),
        Lit::Int(i) => {
            let digits = i.base10_digits();
            let v: TokenStream = format!("{digits}_i64").parse().unwrap_or_default();
            quote!(#krate::DefaultValue::Int(#v))
        }
        Lit::Float(f) => {
            let digits = f.base10_digits();
            let v: TokenStream = format!("{digits}_f64").parse().unwrap_or_default();
            quote!(#krate::DefaultValue::Float(#v))
        }
        Lit::Str(s) => quote!(#krate::DefaultValue::Text(#s)),
        _ => quote!(#krate::DefaultValue::Int(0)),
    }
}

fn action(a: &syn::Ident) -> TokenStream {
    let krate = crate::expand::krate();
    match a.to_string().as_str() {
        "cascade" => quote!(#krate::Action::Cascade),
        "set_null" => quote!(#krate::Action::SetNull),
        "restrict" => quote!(#krate::Action::Restrict),
        _ => quote!(#krate::Action::NoAction),
    }
}

fn indexes(model: &Model) -> Vec<TokenStream> {
    let krate = crate::expand::krate();
    let table = &model.table;
    let mut out: Vec<TokenStream> = model
        .columns()
        .filter(|f| f.index && !f.unique)
        .map(|f| {
            let column = &f.column;
            let name = format!("ix_{table}_{column}");
            quote!(#krate::IndexDef { name: #name, columns: &[#column], unique: false })
        })
        .collect();
    for (unique, idents) in &model.indexes {
        let columns: Vec<String> = idents.iter().map(|i| model.column_name_of(i)).collect();
        let prefix = if *unique { "uq" } else { "ix" };
        let name = format!("{prefix}_{table}_{}", columns.join("_"));
        out.push(
            quote!(#krate::IndexDef { name: #name, columns: &[#(#columns),*], unique: #unique }),
        );
    }
    out
}

fn checks(model: &Model) -> Vec<TokenStream> {
    let krate = crate::expand::krate();
    let table = &model.table;
    let mut out = Vec::new();
    for f in model.columns() {
        let column = &f.column;
        for rule in &f.rules {
            let literal = |b: &Option<Bound>| match b {
                Some(Bound::Literal(lit)) => Some(lit.clone()),
                _ => None,
            };
            let some = |lit: Option<syn::Lit>, ty: TokenStream| match lit {
                Some(l) => quote!(::core::option::Option::Some(#l as #ty)),
                None => quote!(::core::option::Option::None),
            };
            let check = match &rule.kind {
                RuleKind::Length { min, max, equal } if f.is_text() => {
                    let (min, max) = match literal(equal) {
                        Some(eq) => (Some(eq.clone()), Some(eq)),
                        None => (literal(min), literal(max)),
                    };
                    if min.is_none() && max.is_none() {
                        continue;
                    }
                    let (min, max) = (some(min, quote!(u64)), some(max, quote!(u64)));
                    quote!(#krate::CheckRule::Length { min: #min, max: #max })
                }
                RuleKind::Range {
                    min,
                    max,
                    exclusive_min,
                    exclusive_max,
                } => {
                    // The bound as the column stores it: an f32 field holds 0.1 as
                    // 0.10000000149..., which a CHECK against the f64 0.1 would refuse.
                    let Some(number) = f.numeric_type() else {
                        continue;
                    };
                    let bounds = [min, max, exclusive_min, exclusive_max].map(literal);
                    if bounds.iter().all(Option::is_none) {
                        continue;
                    }
                    let [min, max, exclusive_min, exclusive_max] =
                        bounds.map(|b| some(b, quote!(#number as f64)));
                    quote!(#krate::CheckRule::Range {
                        min: #min,
                        max: #max,
                        exclusive_min: #exclusive_min,
                        exclusive_max: #exclusive_max,
                    })
                }
                _ => continue,
            };
            let name = format!("ck_{table}_{column}_{}", rule.kind.code());
            out.push(quote!(#krate::CheckDef { name: #name, column: #column, rule: #check }));
        }
    }
    out
}

fn key_type(model: &Model) -> TokenStream {
    let types: Vec<TokenStream> = model
        .keys()
        .map(|f| {
            let ty = f.inner.as_ref().filter(|_| f.generated).unwrap_or(&f.ty);
            quote!(#ty)
        })
        .collect();
    match types.as_slice() {
        [one] => one.clone(),
        many => quote!((#(#many,)*)),
    }
}
