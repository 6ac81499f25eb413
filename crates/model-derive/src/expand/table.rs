//! `impl Model`: the table metadata static, the key type and column access.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::parse::{Bound, Default, Field, Model, RuleKind};

pub(crate) fn expand(model: &Model) -> TokenStream {
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
            quote_spanned!(ty.span()=> #i => <#ty as ::model_core::ToValue>::to_value(&self.#field),)
        })
        .collect();
    let sets: Vec<TokenStream> = model
        .columns()
        .enumerate()
        .map(|(i, f)| {
            let field = &f.ident;
            let ty = &f.ty;
            quote_spanned!(ty.span()=> #i => self.#field = <#ty as ::model_core::FromValue>::from_value(value)?,)
        })
        .collect();
    quote! {
        impl ::model_core::Model for #ident {
            type Key = #key_type;

            const TABLE: &'static ::model_core::Table = &::model_core::Table {
                name: #table,
                columns: &[#(#columns),*],
                primary_key: &[#(#primary_key),*],
                indexes: &[#(#indexes),*],
                checks: &[#(#checks),*],
                version: #version,
            };

            fn column_value(&self, index: usize) -> ::model_core::Value {
                match index {
                    #(#values)*
                    _ => ::model_core::Value::Null,
                }
            }

            fn set_column_value(
                &mut self,
                index: usize,
                value: ::model_core::Value,
            ) -> ::model_core::Result<()> {
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
    let name = &f.column;
    let field = f.ident.to_string();
    let ty = &f.ty;
    let generated = f.generated;
    let unique = f.unique;
    // Spanned at the field type, so a type that cannot be a column is reported there.
    let sql_type = quote_spanned!(ty.span()=> <#ty as ::model_core::SqlType>::COLUMN_TYPE);
    let nullable = quote_spanned!(ty.span()=> <#ty as ::model_core::SqlType>::NULLABLE);
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
            quote! {
                ::core::option::Option::Some(::model_core::ForeignKey {
                    table: || <#target as ::model_core::Model>::TABLE,
                    column: #target::#target_field.name(),
                    on_delete: #on_delete,
                    on_update: #on_update,
                })
            }
        }
        None => quote!(::core::option::Option::None),
    };
    quote! {
        ::model_core::ColumnDef {
            name: #name,
            field: #field,
            index: #index,
            ty: #sql_type,
            nullable: #nullable,
            generated: #generated,
            unique: #unique,
            default: #default,
            foreign_key: #foreign_key,
        }
    }
}

fn literal_default(e: &syn::Expr) -> TokenStream {
    use syn::{Expr, ExprLit, Lit};
    let lit = match e {
        Expr::Lit(ExprLit { lit, .. }) => lit,
        Expr::Unary(u) => {
            if let Expr::Lit(ExprLit { lit, .. }) = &*u.expr {
                return match lit {
                    Lit::Float(_) => quote!(::model_core::DefaultValue::Float(#e)),
                    _ => quote!(::model_core::DefaultValue::Int(#e)),
                };
            }
            return quote!(::model_core::DefaultValue::Int(#e));
        }
        _ => return quote!(::model_core::DefaultValue::Int(#e)),
    };
    match lit {
        Lit::Bool(b) => quote!(::model_core::DefaultValue::Bool(#b)),
        Lit::Int(i) => {
            let digits = i.base10_digits();
            let v: TokenStream = format!("{digits}_i64").parse().unwrap_or_default();
            quote!(::model_core::DefaultValue::Int(#v))
        }
        Lit::Float(f) => {
            let digits = f.base10_digits();
            let v: TokenStream = format!("{digits}_f64").parse().unwrap_or_default();
            quote!(::model_core::DefaultValue::Float(#v))
        }
        Lit::Str(s) => quote!(::model_core::DefaultValue::Text(#s)),
        _ => quote!(::model_core::DefaultValue::Int(0)),
    }
}

fn action(a: &syn::Ident) -> TokenStream {
    match a.to_string().as_str() {
        "cascade" => quote!(::model_core::Action::Cascade),
        "set_null" => quote!(::model_core::Action::SetNull),
        "restrict" => quote!(::model_core::Action::Restrict),
        _ => quote!(::model_core::Action::NoAction),
    }
}

fn indexes(model: &Model) -> Vec<TokenStream> {
    let table = &model.table;
    let mut out: Vec<TokenStream> = model
        .columns()
        .filter(|f| f.index && !f.unique)
        .map(|f| {
            let column = &f.column;
            let name = format!("ix_{table}_{column}");
            quote!(::model_core::IndexDef { name: #name, columns: &[#column], unique: false })
        })
        .collect();
    for (unique, idents) in &model.indexes {
        let columns: Vec<String> = idents.iter().map(|i| model.column_name_of(i)).collect();
        let prefix = if *unique { "uq" } else { "ix" };
        let name = format!("{prefix}_{table}_{}", columns.join("_"));
        out.push(quote!(::model_core::IndexDef { name: #name, columns: &[#(#columns),*], unique: #unique }));
    }
    out
}

fn checks(model: &Model) -> Vec<TokenStream> {
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
                    quote!(::model_core::CheckRule::Length { min: #min, max: #max })
                }
                RuleKind::Range { min, max, .. } => {
                    let (min, max) = (literal(min), literal(max));
                    if min.is_none() && max.is_none() {
                        continue;
                    }
                    let (min, max) = (some(min, quote!(f64)), some(max, quote!(f64)));
                    quote!(::model_core::CheckRule::Range { min: #min, max: #max })
                }
                _ => continue,
            };
            let name = format!("ck_{table}_{column}_{}", rule.kind.code());
            out.push(quote!(::model_core::CheckDef { name: #name, column: #column, rule: #check }));
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
