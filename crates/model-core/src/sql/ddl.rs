//! CREATE and DROP statements rendered from table metadata.

use crate::sql::dialect::Dialect;
use crate::sql::naming;
use crate::sql::table::{CheckDef, CheckRule, DefaultValue, Table};

/// `CREATE TABLE IF NOT EXISTS` with keys, defaults and constraints, then its indexes.
pub(crate) fn create_table(table: &Table, dialect: &dyn Dialect) -> Vec<String> {
    let mut sql = String::from("CREATE TABLE IF NOT EXISTS ");
    dialect.quote(&mut sql, table.name);
    sql.push_str(" (\n");
    let mut parts: Vec<String> = Vec::new();
    let generated = table.generated_key();
    for c in table.columns {
        let mut part = String::from("  ");
        dialect.quote(&mut part, c.name);
        part.push(' ');
        if generated.is_some_and(|g| g.index == c.index) {
            part.push_str(dialect.generated_key(c.ty));
        } else {
            part.push_str(dialect.column_type(c.ty));
            if !c.nullable {
                part.push_str(" NOT NULL");
            }
            if let Some(default) = c.default {
                part.push_str(" DEFAULT ");
                push_default(&mut part, default, dialect);
            }
        }
        parts.push(part);
    }
    if !(generated.is_some() && dialect.generated_key_is_primary()) {
        let mut part = String::from("  CONSTRAINT ");
        dialect.quote(&mut part, &naming::primary_key(table.name));
        part.push_str(" PRIMARY KEY (");
        push_columns(
            &mut part,
            table.primary_key.iter().map(|&i| table.columns[i].name),
            dialect,
        );
        part.push(')');
        parts.push(part);
    }
    for c in table.columns.iter().filter(|c| c.unique) {
        let mut part = String::from("  CONSTRAINT ");
        dialect.quote(&mut part, &naming::unique(table.name, c.name));
        part.push_str(" UNIQUE (");
        dialect.quote(&mut part, c.name);
        part.push(')');
        parts.push(part);
    }
    for c in table.columns {
        let Some(fk) = &c.foreign_key else { continue };
        let mut part = String::from("  CONSTRAINT ");
        dialect.quote(&mut part, &naming::foreign_key(table.name, c.name));
        part.push_str(" FOREIGN KEY (");
        dialect.quote(&mut part, c.name);
        part.push_str(") REFERENCES ");
        dialect.quote(&mut part, (fk.table)().name);
        part.push_str(" (");
        dialect.quote(&mut part, fk.column);
        part.push_str(") ON DELETE ");
        part.push_str(fk.on_delete.sql());
        part.push_str(" ON UPDATE ");
        part.push_str(fk.on_update.sql());
        parts.push(part);
    }
    for check in table.checks {
        let mut part = String::from("  CONSTRAINT ");
        dialect.quote(&mut part, &naming::fit(check.name));
        part.push_str(" CHECK (");
        part.push_str(&check_expression(check, dialect));
        part.push(')');
        parts.push(part);
    }
    sql.push_str(&parts.join(",\n"));
    sql.push_str("\n)");

    let mut statements = vec![sql];
    for index in table.indexes {
        let mut sql = String::from(if index.unique {
            "CREATE UNIQUE INDEX IF NOT EXISTS "
        } else {
            "CREATE INDEX IF NOT EXISTS "
        });
        dialect.quote(&mut sql, &naming::fit(index.name));
        sql.push_str(" ON ");
        dialect.quote(&mut sql, table.name);
        sql.push_str(" (");
        push_columns(&mut sql, index.columns.iter().copied(), dialect);
        sql.push(')');
        statements.push(sql);
    }
    statements
}

/// The condition of a CHECK constraint a validation rule becomes: `length("name") >= 1 AND
/// length("name") <= 5`.
pub(crate) fn check_expression(check: &CheckDef, dialect: &dyn Dialect) -> String {
    let mut column = String::new();
    dialect.quote(&mut column, check.column);
    let text = |v: Option<u64>| v.map(|v| v.to_string());
    let number = |v: Option<f64>| v.map(|v| v.to_string());
    let (subject, bounds) = match check.rule {
        CheckRule::Length { min, max } => (
            format!("{}({column})", dialect.length_function()),
            [(text(min), ">="), (text(max), "<="), (None, ""), (None, "")],
        ),
        CheckRule::Range {
            min,
            max,
            exclusive_min,
            exclusive_max,
        } => (
            column,
            [
                (number(min), ">="),
                (number(max), "<="),
                (number(exclusive_min), ">"),
                (number(exclusive_max), "<"),
            ],
        ),
    };
    let bounds: Vec<String> = bounds
        .into_iter()
        .filter_map(|(bound, op)| bound.map(|b| format!("{subject} {op} {b}")))
        .collect();
    bounds.join(" AND ")
}

/// `DROP TABLE IF EXISTS`.
pub(crate) fn drop_table(table: &Table, dialect: &dyn Dialect) -> String {
    let mut sql = String::from("DROP TABLE IF EXISTS ");
    dialect.quote(&mut sql, table.name);
    sql
}

fn push_columns<'a>(out: &mut String, names: impl Iterator<Item = &'a str>, dialect: &dyn Dialect) {
    for (i, name) in names.enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        dialect.quote(out, name);
    }
}

pub(crate) fn push_default(out: &mut String, default: DefaultValue, dialect: &dyn Dialect) {
    match default {
        DefaultValue::Bool(b) => out.push_str(dialect.bool_literal(b)),
        DefaultValue::Int(i) => out.push_str(&i.to_string()),
        DefaultValue::Float(f) => out.push_str(&f.to_string()),
        DefaultValue::Text(s) => {
            out.push('\'');
            out.push_str(&s.replace('\'', "''"));
            out.push('\'');
        }
    }
}
