//! The live schema of a SQLite database, read into a [`Catalog`].
//!
//! Columns, keys, indexes and foreign keys come from the `pragma` table functions; the names
//! SQLite does not keep there (those of UNIQUE, FOREIGN KEY and CHECK constraints) and CHECK
//! expressions are read from the `CREATE TABLE` text in `sqlite_master`, which SQLite keeps as
//! written.
//!
//! A constraint written without a name is given the one the library would give it:
//! `uq_<table>_<columns>`, `fk_<table>_<columns>`, and `ck_<table>_<n>` for the `n`th unnamed
//! CHECK.

use model_core::sql::{
    Catalog, CheckInfo, ColumnInfo, ForeignKeyInfo, IndexInfo, TableInfo, UniqueInfo,
    canonical_default, canonical_type,
};
use model_core::{Action, Result};

use crate::error::classify;

/// Every table of the main database but SQLite's own (`sqlite_%`), in name order, read in one
/// transaction (the one open, or one of its own) so that all of it is of one moment.
pub(crate) fn catalog(conn: &rusqlite::Connection) -> Result<Catalog> {
    if !conn.is_autocommit() {
        return read(conn);
    }
    conn.execute_batch("BEGIN").map_err(classify)?;
    let result = read(conn);
    let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
    conn.execute_batch(end).map_err(classify)?;
    result
}

fn read(conn: &rusqlite::Connection) -> Result<Catalog> {
    let mut stmt = conn
        .prepare(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
        )
        .map_err(classify)?;
    let tables = stmt
        .query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, Option<String>>(1)?))
        })
        .map_err(classify)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(classify)?;
    let mut catalog = Catalog::default();
    for (name, sql) in tables {
        catalog
            .tables
            .push(table(conn, &name, sql.as_deref().unwrap_or(""))?);
    }
    Ok(catalog)
}

/// One row of `pragma_table_xinfo`.
struct RawColumn {
    name: String,
    ty: String,
    not_null: bool,
    default: Option<String>,
    /// Position in the primary key, 1-based; 0 outside it.
    pk: i64,
    /// 0 for an ordinary column, 2 or 3 for a generated (computed) one.
    hidden: i64,
}

/// One row of `pragma_index_list`.
struct RawIndex {
    name: String,
    unique: bool,
    /// `c` (CREATE INDEX), `u` (UNIQUE constraint) or `pk` (PRIMARY KEY).
    origin: String,
}

fn table(conn: &rusqlite::Connection, name: &str, sql: &str) -> Result<TableInfo> {
    let declared = parse_create_table(sql);
    let columns = raw_columns(conn, name)?;
    let indexes = raw_indexes(conn, name)?;

    let mut key: Vec<&RawColumn> = columns.iter().filter(|c| c.pk > 0).collect();
    key.sort_by_key(|c| c.pk);
    let primary_key: Vec<String> = key.iter().map(|c| c.name.clone()).collect();
    // A lone INTEGER primary key is the rowid, which SQLite assigns when none is given: unless
    // an index backs the key (a WITHOUT ROWID table, `INTEGER PRIMARY KEY DESC`), and unless it
    // is declared NOT NULL, the spelling of a key the program always supplies.
    let rowid_key = match key.as_slice() {
        [c] if c.ty.eq_ignore_ascii_case("INTEGER")
            && !c.not_null
            && !indexes.iter().any(|ix| ix.origin == "pk") =>
        {
            Some(c.name.as_str())
        }
        _ => None,
    };

    let columns: Vec<ColumnInfo> = columns
        .iter()
        .filter(|c| c.hidden != 1)
        .map(|c| {
            let generated = rowid_key == Some(c.name.as_str()) || c.hidden >= 2;
            ColumnInfo {
                name: c.name.clone(),
                sql_type: canonical_type(&c.ty),
                nullable: !c.not_null && c.pk == 0 && !generated,
                default: c
                    .default
                    .as_deref()
                    .filter(|_| !generated)
                    .map(canonical_default),
                generated,
                renamed_from: None,
            }
        })
        .collect();

    let mut uniques = Vec::new();
    let mut plain = Vec::new();
    let mut named_uniques: Vec<Option<&Declared>> = declared
        .iter()
        .filter(|d| d.kind == Kind::Unique)
        .map(Some)
        .collect();
    for ix in &indexes {
        let cols = index_columns(conn, &ix.name)?;
        match ix.origin.as_str() {
            "u" => {
                let name = take_match(&mut named_uniques, |d| same_names(&d.columns, &cols))
                    .and_then(|d| d.name.clone())
                    .unwrap_or_else(|| format!("uq_{name}_{}", cols.join("_")));
                uniques.push(UniqueInfo {
                    name,
                    columns: cols,
                });
            }
            "pk" => {}
            _ => plain.push(IndexInfo {
                name: ix.name.clone(),
                columns: cols,
                unique: ix.unique,
            }),
        }
    }

    let mut named_keys: Vec<Option<&Declared>> = declared
        .iter()
        .filter(|d| d.kind == Kind::ForeignKey)
        .map(Some)
        .collect();
    let mut foreign_keys = Vec::new();
    for fk in raw_foreign_keys(conn, name)? {
        let referenced_columns = if fk.to.iter().all(Option::is_some) {
            fk.to.into_iter().flatten().collect()
        } else {
            // `REFERENCES parent` without columns: the parent's primary key.
            primary_key_of(conn, &fk.table)?
        };
        let fk_name = take_match(&mut named_keys, |d| {
            same_names(&d.columns, &fk.from)
                && d.referenced
                    .as_deref()
                    .is_some_and(|t| t.eq_ignore_ascii_case(&fk.table))
        })
        .and_then(|d| d.name.clone())
        .unwrap_or_else(|| format!("fk_{name}_{}", fk.from.join("_")));
        foreign_keys.push(ForeignKeyInfo {
            name: fk_name,
            columns: fk.from,
            referenced_table: fk.table,
            referenced_columns,
            on_delete: action(&fk.on_delete),
            on_update: action(&fk.on_update),
        });
    }

    let mut unnamed = 0;
    let checks = declared
        .iter()
        .filter(|d| d.kind == Kind::Check)
        .map(|d| CheckInfo {
            name: d.name.clone().unwrap_or_else(|| {
                unnamed += 1;
                format!("ck_{name}_{unnamed}")
            }),
            expression: d.expression.clone(),
        })
        .collect();

    let mut info = TableInfo {
        name: name.to_owned(),
        columns,
        primary_key,
        uniques,
        indexes: plain,
        foreign_keys,
        checks,
        renamed_from: None,
    };
    info.sort();
    Ok(info)
}

/// The first declaration left that `matches`, taken out so that it names one object only.
fn take_match<'a>(
    candidates: &mut [Option<&'a Declared>],
    matches: impl Fn(&Declared) -> bool,
) -> Option<&'a Declared> {
    candidates
        .iter_mut()
        .find(|d| d.is_some_and(&matches))
        .and_then(Option::take)
}

/// SQLite compares identifiers without regard to ASCII case.
fn same_names(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(a, b)| a.eq_ignore_ascii_case(b))
}

fn action(text: &str) -> Action {
    match text.to_ascii_uppercase().as_str() {
        "CASCADE" => Action::Cascade,
        "SET NULL" => Action::SetNull,
        "RESTRICT" => Action::Restrict,
        // NO ACTION; SET DEFAULT has no `Action` of its own.
        _ => Action::NoAction,
    }
}

fn raw_columns(conn: &rusqlite::Connection, table: &str) -> Result<Vec<RawColumn>> {
    let mut stmt = conn
        .prepare(
            "SELECT name, type, \"notnull\", dflt_value, pk, hidden \
             FROM pragma_table_xinfo(?1) ORDER BY cid",
        )
        .map_err(classify)?;
    stmt.query_map([table], |row| {
        Ok(RawColumn {
            name: row.get(0)?,
            ty: row.get::<_, Option<String>>(1)?.unwrap_or_default(),
            not_null: row.get::<_, i64>(2)? != 0,
            default: row.get(3)?,
            pk: row.get(4)?,
            hidden: row.get(5)?,
        })
    })
    .map_err(classify)?
    .collect::<rusqlite::Result<Vec<_>>>()
    .map_err(classify)
}

fn raw_indexes(conn: &rusqlite::Connection, table: &str) -> Result<Vec<RawIndex>> {
    let mut stmt = conn
        .prepare("SELECT name, \"unique\", origin FROM pragma_index_list(?1) ORDER BY name")
        .map_err(classify)?;
    stmt.query_map([table], |row| {
        Ok(RawIndex {
            name: row.get(0)?,
            unique: row.get::<_, i64>(1)? != 0,
            origin: row.get(2)?,
        })
    })
    .map_err(classify)?
    .collect::<rusqlite::Result<Vec<_>>>()
    .map_err(classify)
}

/// The columns of an index in index order; an expression is written `<expression>`, which
/// `pragma_index_info` does not give.
fn index_columns(conn: &rusqlite::Connection, index: &str) -> Result<Vec<String>> {
    let mut stmt = conn
        .prepare("SELECT name FROM pragma_index_info(?1) ORDER BY seqno")
        .map_err(classify)?;
    stmt.query_map([index], |row| {
        Ok(row
            .get::<_, Option<String>>(0)?
            .unwrap_or_else(|| "<expression>".to_owned()))
    })
    .map_err(classify)?
    .collect::<rusqlite::Result<Vec<_>>>()
    .map_err(classify)
}

fn primary_key_of(conn: &rusqlite::Connection, table: &str) -> Result<Vec<String>> {
    let mut stmt = conn
        .prepare("SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk")
        .map_err(classify)?;
    stmt.query_map([table], |row| row.get(0))
        .map_err(classify)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(classify)
}

/// One foreign key of `pragma_foreign_key_list`, its rows gathered.
struct RawForeignKey {
    table: String,
    from: Vec<String>,
    /// `None` where the key references the parent's primary key implicitly.
    to: Vec<Option<String>>,
    on_update: String,
    on_delete: String,
}

fn raw_foreign_keys(conn: &rusqlite::Connection, table: &str) -> Result<Vec<RawForeignKey>> {
    let mut stmt = conn
        .prepare(
            "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete \
             FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
        )
        .map_err(classify)?;
    let rows = stmt
        .query_map([table], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Option<String>>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
            ))
        })
        .map_err(classify)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(classify)?;
    let mut keys: Vec<(i64, RawForeignKey)> = Vec::new();
    for (id, parent, from, to, on_update, on_delete) in rows {
        match keys.last_mut() {
            Some((last, key)) if *last == id => {
                key.from.push(from);
                key.to.push(to);
            }
            _ => keys.push((
                id,
                RawForeignKey {
                    table: parent,
                    from: vec![from],
                    to: vec![to],
                    on_update,
                    on_delete,
                },
            )),
        }
    }
    // SQLite numbers the keys last declared first.
    keys.reverse();
    Ok(keys.into_iter().map(|(_, key)| key).collect())
}

/// The kinds of constraint whose names and text only the `CREATE TABLE` statement keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Unique,
    ForeignKey,
    Check,
}

/// A constraint as the `CREATE TABLE` statement writes it.
#[derive(Debug, Clone, PartialEq)]
struct Declared {
    kind: Kind,
    /// `CONSTRAINT <name>`, if written.
    name: Option<String>,
    /// The constrained columns (a column constraint's own column).
    columns: Vec<String>,
    /// A foreign key's parent table.
    referenced: Option<String>,
    /// A CHECK's condition, as written.
    expression: String,
}

/// The UNIQUE, FOREIGN KEY and CHECK constraints a `CREATE TABLE` statement declares, table
/// constraints and column constraints alike, in the order written; read with sqlparser's
/// SQLite dialect. A statement it cannot read (or `CREATE TABLE ... AS SELECT`) declares none.
fn parse_create_table(sql: &str) -> Vec<Declared> {
    use sqlparser::ast::TableConstraint;
    use sqlparser::ast::{ColumnOption, Expr, Ident, ObjectName, ObjectNamePart, Statement};
    use sqlparser::dialect::SQLiteDialect;

    let Ok(statements) = sqlparser::parser::Parser::parse_sql(&SQLiteDialect {}, sql) else {
        return Vec::new();
    };
    let Some(Statement::CreateTable(create)) = statements.into_iter().next() else {
        return Vec::new();
    };
    let name = |ident: &Option<Ident>| ident.as_ref().map(|i| i.value.clone());
    let table = |object: &ObjectName| match object.0.last() {
        Some(ObjectNamePart::Identifier(ident)) => Some(ident.value.clone()),
        _ => None,
    };
    fn column(expr: &Expr) -> String {
        match expr {
            Expr::Identifier(ident) => ident.value.clone(),
            Expr::Collate { expr, .. } => column(expr),
            other => other.to_string(),
        }
    }
    let declared = |kind, name, columns, referenced, expression| Declared {
        kind,
        name,
        columns,
        referenced,
        expression,
    };
    let mut out = Vec::new();
    for definition in &create.columns {
        let own = vec![definition.name.value.clone()];
        for option in &definition.options {
            match &option.option {
                ColumnOption::Unique(unique) => out.push(declared(
                    Kind::Unique,
                    name(&option.name).or(name(&unique.name)),
                    own.clone(),
                    None,
                    String::new(),
                )),
                ColumnOption::ForeignKey(key) => out.push(declared(
                    Kind::ForeignKey,
                    name(&option.name).or(name(&key.name)),
                    own.clone(),
                    table(&key.foreign_table),
                    String::new(),
                )),
                ColumnOption::Check(check) => out.push(declared(
                    Kind::Check,
                    name(&option.name).or(name(&check.name)),
                    own.clone(),
                    None,
                    check.expr.to_string(),
                )),
                _ => {}
            }
        }
    }
    for constraint in &create.constraints {
        match constraint {
            TableConstraint::Unique(unique) => out.push(declared(
                Kind::Unique,
                name(&unique.name),
                unique
                    .columns
                    .iter()
                    .map(|c| column(&c.column.expr))
                    .collect(),
                None,
                String::new(),
            )),
            TableConstraint::ForeignKey(key) => out.push(declared(
                Kind::ForeignKey,
                name(&key.name),
                key.columns.iter().map(|c| c.value.clone()).collect(),
                table(&key.foreign_table),
                String::new(),
            )),
            TableConstraint::Check(check) => out.push(declared(
                Kind::Check,
                name(&check.name),
                Vec::new(),
                None,
                check.expr.to_string(),
            )),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_named_and_unnamed_constraints() {
        let sql = r#"CREATE TABLE "t ""x""" (
  "id" INTEGER PRIMARY KEY,
  "name" VARCHAR(20) NOT NULL DEFAULT 'a, (b' CONSTRAINT "uq_own" UNIQUE CHECK (length(name) > 0),
  team_id INTEGER REFERENCES team (id) ON DELETE CASCADE, -- a comment, with (parens
  [odd col] TEXT UNIQUE,
  CONSTRAINT "uq_t_a_b" UNIQUE ("a", "b" COLLATE NOCASE),
  CONSTRAINT "fk_t_x" FOREIGN KEY ("x", y) REFERENCES "Other" ("p", "q") ON UPDATE SET NULL,
  CONSTRAINT 'ck_t_x_range' CHECK ("x" >= 0 AND "x" <= 150),
  CHECK (y IN (1, 2))
)"#;
        let declared = parse_create_table(sql);
        type Summary<'a> = (
            Kind,
            Option<&'a str>,
            Vec<&'a str>,
            Option<&'a str>,
            &'a str,
        );
        let summary: Vec<Summary<'_>> = declared
            .iter()
            .map(|d| {
                (
                    d.kind,
                    d.name.as_deref(),
                    d.columns.iter().map(String::as_str).collect(),
                    d.referenced.as_deref(),
                    d.expression.as_str(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (Kind::Unique, Some("uq_own"), vec!["name"], None, ""),
                (Kind::Check, None, vec!["name"], None, "length(name) > 0"),
                (Kind::ForeignKey, None, vec!["team_id"], Some("team"), ""),
                (Kind::Unique, None, vec!["odd col"], None, ""),
                (Kind::Unique, Some("uq_t_a_b"), vec!["a", "b"], None, ""),
                (
                    Kind::ForeignKey,
                    Some("fk_t_x"),
                    vec!["x", "y"],
                    Some("Other"),
                    ""
                ),
                (
                    Kind::Check,
                    Some("ck_t_x_range"),
                    vec![],
                    None,
                    r#""x" >= 0 AND "x" <= 150"#
                ),
                (Kind::Check, None, vec![], None, "y IN (1, 2)"),
            ]
        );
    }

    #[test]
    fn no_parentheses_no_constraints() {
        assert!(parse_create_table("CREATE TABLE t AS SELECT max(a, b) FROM u").is_empty());
        assert!(parse_create_table("").is_empty());
    }
}
