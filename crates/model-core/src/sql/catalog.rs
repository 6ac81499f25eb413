//! A database schema as data: what the registered models declare, or what a live database
//! holds, in one owned shape so that the two can be compared (the catalog a migration is
//! generated from, as Alembic's autogenerate compares `MetaData` with the reflected schema).
//!
//! Names, types and defaults are kept in a canonical spelling (lower case types, literals as
//! SQL writes them, casts removed), so that a model and the table created from it compare
//! equal on every backend.

use crate::sql::ddl;
use crate::sql::dialect::Dialect;
use crate::sql::naming;
use crate::sql::table::{Action, Table};

/// Every table of a schema, in name order.
///
/// ```
/// use model_core::sql::Catalog;
/// assert!(Catalog::default().table("hero").is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog {
    /// The tables, sorted by name.
    pub tables: Vec<TableInfo>,
}

/// One table: its columns in order, its keys, constraints and indexes (each sorted by name).
///
/// Two tables are equal when they hold the same columns whatever their order: a column
/// dropped and added back (a migration undone) comes last, and no migration reorders
/// columns.
#[derive(Debug, Clone)]
pub struct TableInfo {
    /// The table's name.
    pub name: String,
    /// The columns, in the table's order.
    pub columns: Vec<ColumnInfo>,
    /// The primary key's columns, in key order.
    pub primary_key: Vec<String>,
    /// UNIQUE constraints (not unique indexes), sorted by name.
    pub uniques: Vec<UniqueInfo>,
    /// Indexes that do not back a constraint, sorted by name.
    pub indexes: Vec<IndexInfo>,
    /// Foreign keys, sorted by name.
    pub foreign_keys: Vec<ForeignKeyInfo>,
    /// CHECK constraints, sorted by name.
    pub checks: Vec<CheckInfo>,
    /// The table's previous name, when a model declares one (`renamed_from`); not compared.
    pub renamed_from: Option<String>,
}

/// One column.
#[derive(Debug, Clone)]
pub struct ColumnInfo {
    /// The column's name.
    pub name: String,
    /// Its SQL type, canonical: lower case, single spaces (`bigint`, `double precision`).
    pub sql_type: String,
    /// Whether it accepts NULL.
    pub nullable: bool,
    /// Its default as an SQL literal (`0`, `'text'`, `true`), casts removed; `None` without one.
    pub default: Option<String>,
    /// Whether the database generates its value (an identity column, SQLite's rowid alias).
    pub generated: bool,
    /// The column's previous name, when a model declares one (`renamed_from`); not compared.
    pub renamed_from: Option<String>,
}

impl PartialEq for ColumnInfo {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.sql_type == other.sql_type
            && self.nullable == other.nullable
            && self.default == other.default
            && self.generated == other.generated
    }
}

/// A UNIQUE constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct UniqueInfo {
    /// The constraint's name.
    pub name: String,
    /// Its columns, in order.
    pub columns: Vec<String>,
}

/// An index.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexInfo {
    /// The index's name.
    pub name: String,
    /// Its columns, in order.
    pub columns: Vec<String>,
    /// Whether it is a unique index.
    pub unique: bool,
}

/// A foreign key.
#[derive(Debug, Clone, PartialEq)]
pub struct ForeignKeyInfo {
    /// The constraint's name.
    pub name: String,
    /// The referencing columns.
    pub columns: Vec<String>,
    /// The referenced table.
    pub referenced_table: String,
    /// The referenced columns.
    pub referenced_columns: Vec<String>,
    /// `ON DELETE`.
    pub on_delete: Action,
    /// `ON UPDATE`.
    pub on_update: Action,
}

/// A CHECK constraint. Databases print check expressions in their own words (PostgreSQL adds
/// parentheses and casts), so two checks are equal when their names are and their expressions
/// are once spaces, quotes, parentheses and casts are left out: a changed bound is a change.
#[derive(Debug, Clone)]
pub struct CheckInfo {
    /// The constraint's name.
    pub name: String,
    /// The condition, as SQL.
    pub expression: String,
}

impl PartialEq for CheckInfo {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && bare(&self.expression) == bare(&other.expression)
    }
}

/// A check's expression without what databases add or drop when they print it: spaces,
/// identifier quotes, parentheses, casts (`(0)::numeric`), letter case.
fn bare(expression: &str) -> String {
    // Casts first, while the words of a type name are still apart: `(0.5)::double precision`.
    const TYPE_WORDS: [&str; 17] = [
        "double",
        "precision",
        "numeric",
        "integer",
        "bigint",
        "smallint",
        "real",
        "text",
        "boolean",
        "character",
        "varying",
        "timestamp",
        "with",
        "without",
        "time",
        "zone",
        "date",
    ];
    let lower = expression.to_lowercase();
    let mut uncast = String::with_capacity(lower.len());
    let mut rest = lower.as_str();
    while let Some(i) = rest.find("::") {
        uncast.push_str(&rest[..i]);
        rest = &rest[i + 2..];
        loop {
            let trimmed = rest.trim_start();
            let word_end = trimmed
                .find(|c: char| !(c.is_ascii_alphabetic() || c == '_'))
                .unwrap_or(trimmed.len());
            if word_end > 0 && TYPE_WORDS.contains(&&trimmed[..word_end]) {
                rest = &trimmed[word_end..];
            } else {
                break;
            }
        }
    }
    uncast.push_str(rest);
    uncast
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '"' | '(' | ')'))
        .collect()
}

impl PartialEq for TableInfo {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.columns.len() == other.columns.len()
            && self
                .columns
                .iter()
                .all(|c| other.column(&c.name) == Some(c))
            && self.primary_key == other.primary_key
            && self.uniques == other.uniques
            && self.indexes == other.indexes
            && self.foreign_keys == other.foreign_keys
            && self.checks == other.checks
    }
}

impl Catalog {
    /// The schema the given models declare, as `create_all` would create it with `dialect`.
    ///
    /// ```
    /// use model_core::sql::Catalog;
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, #[model(default = "x")] name: String }
    /// # struct Sqlite;
    /// # impl model_core::Dialect for Sqlite {
    /// #     fn name(&self) -> &'static str { "sqlite" }
    /// #     fn placeholder(&self, out: &mut String, _: usize) { out.push('?') }
    /// #     fn column_type(&self, _: model_core::ColumnType) -> &'static str { "TEXT" }
    /// #     fn generated_key(&self, _: model_core::ColumnType) -> &'static str { "INTEGER PRIMARY KEY" }
    /// # }
    /// let catalog = Catalog::from_models(&[Hero::TABLE], &Sqlite);
    /// let hero = catalog.table("hero").unwrap();
    /// assert_eq!(hero.primary_key, ["id"]);
    /// assert_eq!(hero.columns[1].default.as_deref(), Some("'x'"));
    /// ```
    pub fn from_models(tables: &[&'static Table], dialect: &dyn Dialect) -> Catalog {
        let mut tables: Vec<TableInfo> = tables.iter().map(|t| table_info(t, dialect)).collect();
        tables.sort_by(|a, b| a.name.cmp(&b.name));
        Catalog { tables }
    }

    /// The table named `name`.
    pub fn table(&self, name: &str) -> Option<&TableInfo> {
        self.tables.iter().find(|t| t.name == name)
    }
}

impl TableInfo {
    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&ColumnInfo> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Sorts the constraint and index lists by name, as a catalog keeps them.
    pub fn sort(&mut self) {
        self.uniques.sort_by(|a, b| a.name.cmp(&b.name));
        self.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        self.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
        self.checks.sort_by(|a, b| a.name.cmp(&b.name));
    }
}

/// A type name in canonical spelling: lower case, single spaces, trimmed.
///
/// ```
/// assert_eq!(model_core::sql::canonical_type("DOUBLE   PRECISION"), "double precision");
/// ```
pub fn canonical_type(sql_type: &str) -> String {
    sql_type
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A default expression in canonical spelling: casts (`'x'::text`) and enclosing parentheses
/// removed, boolean literals in lower case.
///
/// ```
/// use model_core::sql::canonical_default;
/// assert_eq!(canonical_default("'Deadpond'::text"), "'Deadpond'");
/// assert_eq!(canonical_default("(0)"), "0");
/// assert_eq!(canonical_default("TRUE"), "true");
/// ```
pub fn canonical_default(default: &str) -> String {
    let mut text = default.trim();
    while text.starts_with('(') && text.ends_with(')') && balanced(&text[1..text.len() - 1]) {
        text = text[1..text.len() - 1].trim();
    }
    let text = strip_cast(text);
    match text.to_ascii_lowercase().as_str() {
        "true" | "false" => text.to_ascii_lowercase(),
        _ => text.to_string(),
    }
}

/// Whether the parentheses in `s` balance (outside quoted text).
fn balanced(s: &str) -> bool {
    let mut depth = 0_i32;
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// `'x'::text` is `'x'`; a cast inside quoted text or parentheses
/// (`nextval('s'::regclass)`), or followed by more than a type (`'a'::text || 'b'::text`),
/// stays.
fn strip_cast(text: &str) -> &str {
    let mut quoted = false;
    let mut depth = 0_i32;
    for (i, c) in text.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            ':' if !quoted && depth == 0 && text[i..].starts_with("::") => {
                let is_type = text[i..]
                    .chars()
                    .all(|c| c.is_alphanumeric() || " _\"[](),.:".contains(c));
                return if is_type { text[..i].trim_end() } else { text };
            }
            _ => {}
        }
    }
    text
}

fn table_info(table: &Table, dialect: &dyn Dialect) -> TableInfo {
    let generated = table.generated_key().map(|c| c.index);
    let columns = table
        .columns
        .iter()
        .map(|c| {
            let is_generated = generated == Some(c.index);
            let declared = if is_generated {
                key_type(dialect.generated_key(c.ty))
            } else {
                dialect.column_type(c.ty)
            };
            ColumnInfo {
                name: c.name.to_string(),
                sql_type: canonical_type(declared),
                nullable: c.nullable && !is_generated && !table.primary_key.contains(&c.index),
                default: c.default.filter(|_| !is_generated).map(|d| {
                    let mut out = String::new();
                    ddl::push_default(&mut out, d, dialect);
                    canonical_default(&out)
                }),
                generated: is_generated,
                renamed_from: c.renamed_from.map(str::to_string),
            }
        })
        .collect();
    let name_of = |i: &usize| table.columns[*i].name.to_string();
    let mut info = TableInfo {
        name: table.name.to_string(),
        columns,
        primary_key: table.primary_key.iter().map(name_of).collect(),
        uniques: table
            .columns
            .iter()
            .filter(|c| c.unique)
            .map(|c| UniqueInfo {
                name: naming::unique(table.name, c.name),
                columns: vec![c.name.to_string()],
            })
            .collect(),
        indexes: table
            .indexes
            .iter()
            .map(|ix| IndexInfo {
                name: naming::fit(ix.name),
                columns: ix.columns.iter().map(|c| c.to_string()).collect(),
                unique: ix.unique,
            })
            .collect(),
        foreign_keys: table
            .columns
            .iter()
            .filter_map(|c| {
                let fk = c.foreign_key.as_ref()?;
                Some(ForeignKeyInfo {
                    name: naming::foreign_key(table.name, c.name),
                    columns: vec![c.name.to_string()],
                    referenced_table: (fk.table)().name.to_string(),
                    referenced_columns: vec![fk.column.to_string()],
                    on_delete: fk.on_delete,
                    on_update: fk.on_update,
                })
            })
            .collect(),
        checks: table
            .checks
            .iter()
            .map(|check| CheckInfo {
                name: naming::fit(check.name),
                expression: ddl::check_expression(check, dialect),
            })
            .collect(),
        renamed_from: table.renamed_from.map(str::to_string),
    };
    info.sort();
    info
}

/// The type part of a generated key's declaration: `BIGINT` of `BIGINT GENERATED BY DEFAULT
/// AS IDENTITY`, `INTEGER` of `INTEGER PRIMARY KEY`.
fn key_type(declaration: &str) -> &str {
    ["GENERATED", "PRIMARY"]
        .iter()
        .filter_map(|word| declaration.find(word))
        .min()
        .map_or(declaration, |end| declaration[..end].trim_end())
}
