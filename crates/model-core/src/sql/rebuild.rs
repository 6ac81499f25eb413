//! SQLite's table rebuild: the changes its ALTER TABLE cannot make (a column's type,
//! nullability or default, a constraint), made by copying the table into its new shape as
//! SQLite's documentation prescribes, every copied value checked against a changed type.

use crate::sql::alter::{create_table, list, q};
use crate::sql::catalog::TableInfo;
use crate::sql::dialect::Dialect;
use crate::sql::error::Error;

/// How the message of a value a rebuild refuses starts, for [`explain`].
const REFUSED_VALUE: &str = "a type change cannot keep every value: ";

/// A rebuild's refusal of a value (raised by its trigger, which SQLite reports as a constraint
/// failure) as the migration error it is; other errors as they are.
pub(crate) fn explain(error: Error) -> Error {
    match &error {
        Error::CheckViolation { constraint, .. } if constraint.starts_with(REFUSED_VALUE) => {
            Error::Migration(constraint.clone())
        }
        _ => error,
    }
}

/// The condition under which SQLite would store `value` (after the column's type affinity) in
/// a column of `sql_type` as something the type does not hold; `None` for types it does not
/// check.
fn refused_by(sql_type: &str, value: &str) -> Option<String> {
    let not = |kinds: &str| format!("typeof({value}) NOT IN ({kinds}, 'null')");
    Some(match sql_type {
        "smallint" => format!(
            "{} OR {value} NOT BETWEEN -32768 AND 32767",
            not("'integer'")
        ),
        "integer" => format!(
            "{} OR {value} NOT BETWEEN -2147483648 AND 2147483647",
            not("'integer'")
        ),
        "bigint" => not("'integer'"),
        "boolean" => format!("{} OR {value} NOT IN (0, 1)", not("'integer'")),
        "real" | "double precision" => not("'integer', 'real'"),
        "text" => not("'text'"),
        "blob" => not("'blob'"),
        _ => return None,
    })
}

/// SQLite's twelve-step table change, the part that runs inside the migration's transaction:
/// the new table under a temporary name, the rows of the columns both shapes have copied into
/// it, the old table dropped, the new one renamed, its indexes created. Foreign keys are
/// checked afterwards by the runner (`PRAGMA foreign_key_check`).
pub(crate) fn rebuild(old: &TableInfo, new: &TableInfo, dialect: &dyn Dialect) -> Vec<String> {
    let temporary = format!("_rebuild_{}", new.name);
    let mut create = create_table(new, &temporary, dialect);
    let indexes = create.split_off(1);
    let common: Vec<String> = new
        .columns
        .iter()
        .filter(|c| old.column(&c.name).is_some())
        .map(|c| c.name.clone())
        .collect();
    let mut out = create;
    // A column whose type changes: each copied value must be one of the new type, else the
    // copy fails (SQLite would keep any value in any column).
    let mut checks = Vec::new();
    for (i, column) in new.columns.iter().enumerate() {
        let Some(was) = old.column(&column.name) else {
            continue;
        };
        // A generated key is the rowid: 64-bit whatever its declared type.
        let checked = if column.generated {
            "bigint"
        } else {
            column.sql_type.as_str()
        };
        let Some(refused) = refused_by(checked, &format!("NEW.{}", q(dialect, &column.name)))
        else {
            continue;
        };
        if was.sql_type == column.sql_type {
            continue;
        }
        let trigger = q(dialect, &format!("_rebuild_check_{}_{i}", new.name));
        let message = format!(
            "{REFUSED_VALUE}{}.{} holds a value that is not {checked}: nothing was changed",
            new.name, column.name
        )
        .replace('\'', "''");
        out.push(format!(
            "CREATE TEMP TRIGGER {trigger} BEFORE INSERT ON main.{} WHEN {refused} BEGIN SELECT RAISE(ABORT, '{message}'); END",
            q(dialect, &temporary)
        ));
        checks.push(trigger);
    }
    out.push(format!(
        "INSERT INTO {} ({cols}) SELECT {cols} FROM {}",
        q(dialect, &temporary),
        q(dialect, &old.name),
        cols = list(dialect, &common)
    ));
    out.extend(checks.into_iter().map(|t| format!("DROP TRIGGER temp.{t}")));
    out.push(format!("DROP TABLE {}", q(dialect, &old.name)));
    out.push(format!(
        "ALTER TABLE {} RENAME TO {}",
        q(dialect, &temporary),
        q(dialect, &new.name)
    ));
    out.extend(indexes);
    out
}
