//! The live schema of a PostgreSQL database, read from `pg_catalog` into a [`Catalog`].
//!
//! Only the tables of the current schema (`current_schema()`, the first of the search path
//! that exists) are read. Types are spelled as the dialect writes them (`timestamptz` for
//! `timestamp with time zone`), defaults as the library writes them (`-1` for `'-1'::integer`).

use std::collections::HashMap;

use model_core::sql::{
    Catalog, CheckInfo, ColumnInfo, ForeignKeyInfo, IndexInfo, TableInfo, UniqueInfo,
    canonical_default, canonical_type,
};
use model_core::{Action, Result};
use postgres::{GenericClient, IsolationLevel};

use crate::connection::PgClient;
use crate::error::classify;

/// Reads the catalog in one snapshot: in a read-only REPEATABLE READ transaction of its own,
/// or in the transaction already open.
pub(crate) fn catalog(client: &mut PgClient) -> Result<Catalog> {
    if client.in_transaction {
        return read(&mut client.client);
    }
    let mut tx = client
        .client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .map_err(classify)?;
    let catalog = read(&mut tx)?;
    tx.commit().map_err(classify)?;
    Ok(catalog)
}

/// The tables of the current schema: ordinary and partitioned ones, not partitions.
const TABLES: &str = "\
SELECT c.oid, c.relname::text
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition";

const COLUMNS: &str = "\
SELECT a.attrelid, a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod),
       a.attnotnull, pg_catalog.pg_get_expr(d.adbin, d.adrelid),
       a.attidentity IN ('a', 'd'), a.attgenerated = 's'
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum";

/// Primary keys, UNIQUE, FOREIGN KEY and CHECK constraints, their columns in key order. A
/// referenced table outside the current schema is qualified by its schema.
const CONSTRAINTS: &str = "\
SELECT k.conrelid, k.conname::text, k.contype::text,
       ARRAY(SELECT a.attname::text
             FROM unnest(k.conkey) WITH ORDINALITY AS u(attnum, pos)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum
             ORDER BY u.pos),
       (SELECT CASE WHEN rn.nspname = current_schema() THEN rc.relname::text
                    ELSE rn.nspname || '.' || rc.relname END
        FROM pg_catalog.pg_class rc
        JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
        WHERE rc.oid = k.confrelid),
       ARRAY(SELECT a.attname::text
             FROM unnest(k.confkey) WITH ORDINALITY AS u(attnum, pos)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.attnum
             ORDER BY u.pos),
       k.confdeltype::text, k.confupdtype::text,
       CASE WHEN k.contype = 'c' THEN pg_catalog.pg_get_expr(k.conbin, k.conrelid) END
FROM pg_catalog.pg_constraint k
JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND k.contype IN ('p', 'u', 'f', 'c')";

/// Indexes that back no constraint (CREATE INDEX), their key columns in order; an expression
/// column is written as PostgreSQL prints it.
const INDEXES: &str = "\
SELECT x.indrelid, ic.relname::text, x.indisunique,
       ARRAY(SELECT COALESCE(a.attname::text,
                             pg_catalog.pg_get_indexdef(x.indexrelid, u.pos::int, true))
             FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS u(attnum, pos)
             LEFT JOIN pg_catalog.pg_attribute a
               ON a.attrelid = x.indrelid AND a.attnum = u.attnum AND u.attnum > 0
             WHERE u.pos <= x.indnkeyatts
             ORDER BY u.pos)
FROM pg_catalog.pg_index x
JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid
JOIN pg_catalog.pg_class c ON c.oid = x.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND NOT x.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k
                  WHERE k.conrelid = x.indrelid AND k.conindid = x.indexrelid
                    AND k.contype IN ('p', 'u', 'x'))";

fn read(client: &mut impl GenericClient) -> Result<Catalog> {
    let mut tables: Vec<(u32, TableInfo)> = client
        .query(TABLES, &[])
        .map_err(classify)?
        .iter()
        .map(|row| {
            Ok((
                row.try_get(0)?,
                TableInfo {
                    name: row.try_get(1)?,
                    columns: Vec::new(),
                    primary_key: Vec::new(),
                    uniques: Vec::new(),
                    indexes: Vec::new(),
                    foreign_keys: Vec::new(),
                    checks: Vec::new(),
                    renamed_from: None,
                },
            ))
        })
        .collect::<std::result::Result<_, postgres::Error>>()
        .map_err(classify)?;
    tables.sort_by(|a, b| a.1.name.cmp(&b.1.name));
    let positions: HashMap<u32, usize> = tables
        .iter()
        .enumerate()
        .map(|(i, (oid, _))| (*oid, i))
        .collect();
    let position = |oid: u32| positions.get(&oid).copied();

    for row in client.query(COLUMNS, &[]).map_err(classify)? {
        let Some(t) = position(row.try_get(0).map_err(classify)?) else {
            continue;
        };
        let get = || -> std::result::Result<_, postgres::Error> {
            let sql_type = pg_type(&row.try_get::<_, String>(2)?);
            let identity: bool = row.try_get(5)?;
            let computed: bool = row.try_get(6)?;
            let default: Option<String> = row.try_get(4)?;
            Ok(ColumnInfo {
                name: row.try_get(1)?,
                nullable: !row.try_get::<_, bool>(3)? && !identity,
                default: default
                    .filter(|_| !identity && !computed)
                    .map(|d| pg_default(&d, &sql_type)),
                generated: identity || computed,
                renamed_from: None,
                sql_type,
            })
        };
        let column = get().map_err(classify)?;
        tables[t].1.columns.push(column);
    }

    for row in client.query(CONSTRAINTS, &[]).map_err(classify)? {
        let Some(t) = position(row.try_get(0).map_err(classify)?) else {
            continue;
        };
        let get = || -> std::result::Result<_, postgres::Error> {
            Ok((
                row.try_get::<_, String>(1)?,
                row.try_get::<_, String>(2)?,
                row.try_get::<_, Vec<String>>(3)?,
                row.try_get::<_, Option<String>>(4)?,
                row.try_get::<_, Vec<String>>(5)?,
                row.try_get::<_, String>(6)?,
                row.try_get::<_, String>(7)?,
                row.try_get::<_, Option<String>>(8)?,
            ))
        };
        let (name, kind, columns, referenced, referenced_columns, on_delete, on_update, check) =
            get().map_err(classify)?;
        let table = &mut tables[t].1;
        match kind.as_str() {
            "p" => table.primary_key = columns,
            "u" => table.uniques.push(UniqueInfo { name, columns }),
            "f" => table.foreign_keys.push(ForeignKeyInfo {
                name,
                columns,
                referenced_table: referenced.unwrap_or_default(),
                referenced_columns,
                on_delete: action(&on_delete),
                on_update: action(&on_update),
            }),
            _ => table.checks.push(CheckInfo {
                name,
                expression: unwrap_parentheses(check.as_deref().unwrap_or("")).to_owned(),
            }),
        }
    }

    for row in client.query(INDEXES, &[]).map_err(classify)? {
        let Some(t) = position(row.try_get(0).map_err(classify)?) else {
            continue;
        };
        let get = || -> std::result::Result<_, postgres::Error> {
            Ok(IndexInfo {
                name: row.try_get(1)?,
                unique: row.try_get(2)?,
                columns: row.try_get(3)?,
            })
        };
        let index = get().map_err(classify)?;
        tables[t].1.indexes.push(index);
    }

    let tables = tables
        .into_iter()
        .map(|(_, mut table)| {
            // PostgreSQL keeps key columns NOT NULL; said here too for any it does not.
            for c in &mut table.columns {
                if table.primary_key.contains(&c.name) {
                    c.nullable = false;
                }
            }
            table.sort();
            table
        })
        .collect();
    Ok(Catalog { tables })
}

/// `confdeltype`/`confupdtype`: `a` NO ACTION, `r` RESTRICT, `c` CASCADE, `n` SET NULL, `d`
/// SET DEFAULT (which has no `Action` of its own).
fn action(letter: &str) -> Action {
    match letter {
        "c" => Action::Cascade,
        "n" => Action::SetNull,
        "r" => Action::Restrict,
        _ => Action::NoAction,
    }
}

/// `format_type`'s spelling in the dialect's: `timestamp with time zone` is `timestamptz`,
/// `time without time zone` is `time`, `character varying(20)` is `varchar(20)`.
fn pg_type(formatted: &str) -> String {
    let mut base = formatted.trim();
    let mut arrays = 0;
    while let Some(inner) = base.strip_suffix("[]") {
        base = inner;
        arrays += 1;
    }
    let mut out = if let Some(rest) = base.strip_suffix(" with time zone") {
        zoned(rest, "tz")
    } else if let Some(rest) = base.strip_suffix(" without time zone") {
        zoned(rest, "")
    } else if let Some(rest) = base.strip_prefix("character varying") {
        format!("varchar{rest}")
    } else if let Some(rest) = base.strip_prefix("character(") {
        format!("char({rest}")
    } else if base == "character" {
        "char".to_owned()
    } else if let Some(rest) = base.strip_prefix("bit varying") {
        format!("varbit{rest}")
    } else {
        base.to_owned()
    };
    out.push_str(&"[]".repeat(arrays));
    canonical_type(&out)
}

/// `timestamp(3)` with `tz` is `timestamptz(3)`.
fn zoned(base: &str, tz: &str) -> String {
    match base.split_once('(') {
        Some((name, precision)) => format!("{name}{tz}({precision}"),
        None => format!("{base}{tz}"),
    }
}

/// A default as the library writes it: casts removed, and numbers bare and in Rust's
/// spelling (`'-1'::integer` is `-1`, `'1e+20'::double precision` is
/// `100000000000000000000`).
fn pg_default(expression: &str, sql_type: &str) -> String {
    let default = canonical_default(expression);
    let integer = matches!(sql_type, "smallint" | "integer" | "bigint");
    let float = matches!(sql_type, "real" | "double precision");
    let numeric = sql_type == "numeric" || sql_type.starts_with("numeric(");
    if !(integer || float || numeric) {
        return default;
    }
    let bare = default
        .strip_prefix('\'')
        .and_then(|d| d.strip_suffix('\''))
        .filter(|d| !d.contains('\''))
        .unwrap_or(&default);
    if integer && let Ok(n) = bare.parse::<i64>() {
        return n.to_string();
    }
    if float && let Ok(f) = bare.parse::<f64>() {
        return f.to_string();
    }
    if numeric && bare.parse::<f64>().is_ok_and(f64::is_finite) {
        return bare.to_owned();
    }
    default
}

/// `((a) AND (b))` is `(a) AND (b)`: the parentheses around a whole CHECK condition dropped.
fn unwrap_parentheses(text: &str) -> &str {
    let mut text = text.trim();
    while let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        if !encloses(inner) {
            break;
        }
        text = inner.trim();
    }
    text
}

/// Whether the parentheses of `text` balance without closing more than they open (outside
/// quoted text and identifiers).
fn encloses(text: &str) -> bool {
    let mut depth = 0_i32;
    let mut quote = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_spelled_as_the_dialect_writes_them() {
        assert_eq!(pg_type("timestamp without time zone"), "timestamp");
        assert_eq!(pg_type("timestamp with time zone"), "timestamptz");
        assert_eq!(pg_type("timestamp(3) with time zone"), "timestamptz(3)");
        assert_eq!(pg_type("time without time zone"), "time");
        assert_eq!(pg_type("time with time zone"), "timetz");
        assert_eq!(pg_type("character varying(20)"), "varchar(20)");
        assert_eq!(pg_type("character varying"), "varchar");
        assert_eq!(pg_type("character(1)"), "char(1)");
        assert_eq!(pg_type("timestamp without time zone[]"), "timestamp[]");
        assert_eq!(pg_type("double precision"), "double precision");
        assert_eq!(pg_type("jsonb"), "jsonb");
    }

    #[test]
    fn defaults_are_spelled_as_the_library_writes_them() {
        assert_eq!(pg_default("'-1'::integer", "integer"), "-1");
        assert_eq!(pg_default("'10000000000'::bigint", "bigint"), "10000000000");
        assert_eq!(pg_default("0", "smallint"), "0");
        assert_eq!(pg_default("'-2.5'::numeric", "double precision"), "-2.5");
        assert_eq!(
            pg_default("'100000000000000000000'::numeric", "double precision"),
            "100000000000000000000"
        );
        assert_eq!(pg_default("2.50", "numeric(5,2)"), "2.50");
        assert_eq!(pg_default("'5'::text", "text"), "'5'");
        assert_eq!(pg_default("'it''s'::text", "text"), "'it''s'");
        assert_eq!(pg_default("true", "boolean"), "true");
        assert_eq!(
            pg_default("nextval('t_id_seq'::regclass)", "integer"),
            "nextval('t_id_seq'::regclass)"
        );
    }

    #[test]
    fn check_conditions_lose_their_outer_parentheses() {
        assert_eq!(
            unwrap_parentheses("((char_length(x) >= 1) AND (char_length(x) <= 5))"),
            "(char_length(x) >= 1) AND (char_length(x) <= 5)"
        );
        assert_eq!(
            unwrap_parentheses("(a > 0) AND (b > 0)"),
            "(a > 0) AND (b > 0)"
        );
        assert_eq!(unwrap_parentheses("(x <> ')(')"), "x <> ')('");
    }
}
