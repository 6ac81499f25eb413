//! The changes that turn one schema into another: what a migration is made of (Alembic's
//! autogenerate comparison), computed from two [`Catalog`]s and listed in an order a database
//! can run them in.

use std::collections::{HashMap, HashSet};

use crate::sql::catalog::{
    Catalog, CheckInfo, ColumnInfo, ForeignKeyInfo, IndexInfo, TableInfo, UniqueInfo,
};

/// One step of a migration.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// `ALTER TABLE ... RENAME TO`: a table a model declares `renamed_from` its old name.
    RenameTable {
        /// The old name.
        from: String,
        /// The new name.
        to: String,
    },
    /// `ALTER TABLE ... RENAME COLUMN`: a column a field declares `renamed_from` its old name.
    RenameColumn {
        /// The table (its new name, when it is renamed too).
        table: String,
        /// The old name.
        from: String,
        /// The new name.
        to: String,
    },
    /// The primary key's columns change.
    AlterPrimaryKey {
        /// The table.
        table: String,
        /// The key's columns before.
        from: Vec<String>,
        /// The key's columns after.
        to: Vec<String>,
    },
    /// `CREATE TABLE`, with its constraints and indexes.
    CreateTable(TableInfo),
    /// `DROP TABLE`: destroys the table's rows.
    DropTable(TableInfo),
    /// `ALTER TABLE ... ADD COLUMN`.
    AddColumn {
        /// The table.
        table: String,
        /// The new column.
        column: ColumnInfo,
    },
    /// `ALTER TABLE ... DROP COLUMN`: destroys the column's values.
    DropColumn {
        /// The table.
        table: String,
        /// The column as it was.
        column: ColumnInfo,
    },
    /// A column's type, nullability or default changes.
    AlterColumn {
        /// The table.
        table: String,
        /// The column as it was.
        from: ColumnInfo,
        /// The column as it becomes.
        to: ColumnInfo,
    },
    /// `CREATE [UNIQUE] INDEX`.
    CreateIndex {
        /// The table.
        table: String,
        /// The index.
        index: IndexInfo,
    },
    /// `DROP INDEX`.
    DropIndex {
        /// The table.
        table: String,
        /// The index.
        index: IndexInfo,
    },
    /// A UNIQUE constraint added.
    AddUnique {
        /// The table.
        table: String,
        /// The constraint.
        unique: UniqueInfo,
    },
    /// A UNIQUE constraint dropped.
    DropUnique {
        /// The table.
        table: String,
        /// The constraint.
        unique: UniqueInfo,
    },
    /// A foreign key added.
    AddForeignKey {
        /// The table.
        table: String,
        /// The foreign key.
        foreign_key: ForeignKeyInfo,
    },
    /// A foreign key dropped.
    DropForeignKey {
        /// The table.
        table: String,
        /// The foreign key.
        foreign_key: ForeignKeyInfo,
    },
    /// A CHECK constraint added.
    AddCheck {
        /// The table.
        table: String,
        /// The check.
        check: CheckInfo,
    },
    /// A CHECK constraint dropped.
    DropCheck {
        /// The table.
        table: String,
        /// The check.
        check: CheckInfo,
    },
}

impl Change {
    /// The table the change is on.
    ///
    /// ```
    /// use model_core::sql::{Change, ColumnInfo};
    /// let column = ColumnInfo { name: "age".into(), sql_type: "integer".into(), nullable: true, default: None, generated: false, renamed_from: None };
    /// assert_eq!(Change::AddColumn { table: "hero".into(), column }.table(), "hero");
    /// ```
    pub fn table(&self) -> &str {
        match self {
            Change::CreateTable(t) | Change::DropTable(t) => &t.name,
            Change::RenameTable { to, .. } => to,
            Change::RenameColumn { table, .. } | Change::AlterPrimaryKey { table, .. } => table,
            Change::AddColumn { table, .. }
            | Change::DropColumn { table, .. }
            | Change::AlterColumn { table, .. }
            | Change::CreateIndex { table, .. }
            | Change::DropIndex { table, .. }
            | Change::AddUnique { table, .. }
            | Change::DropUnique { table, .. }
            | Change::AddForeignKey { table, .. }
            | Change::DropForeignKey { table, .. }
            | Change::AddCheck { table, .. }
            | Change::DropCheck { table, .. } => table,
        }
    }

    /// What data the change destroys, when it destroys any: a dropped table's rows, a dropped
    /// column's values, values a narrowing type change may not keep. A generated migration
    /// marks such a step with this sentence.
    ///
    /// ```
    /// use model_core::sql::{Change, ColumnInfo};
    /// let column = ColumnInfo { name: "age".into(), sql_type: "integer".into(), nullable: true, default: None, generated: false, renamed_from: None };
    /// let drop = Change::DropColumn { table: "hero".into(), column };
    /// assert_eq!(drop.destroys().as_deref(), Some("drops every value of hero.age"));
    /// ```
    pub fn destroys(&self) -> Option<String> {
        match self {
            Change::DropTable(t) => Some(format!("drops table {} and every row in it", t.name)),
            Change::DropColumn { table, column } => {
                Some(format!("drops every value of {table}.{}", column.name))
            }
            // A generated key's declared type is the database's key type (SQLite's rowid is
            // 64-bit whatever it is called).
            Change::AlterColumn { table, from, to }
                if !to.generated && narrows(&from.sql_type, &to.sql_type) =>
            {
                Some(format!(
                    "values of {table}.{} that {} cannot hold fail or are cut",
                    to.name, to.sql_type
                ))
            }
            _ => None,
        }
    }

    /// The change that undoes this one (for a migration's `down`).
    pub fn reverse(&self) -> Change {
        match self.clone() {
            Change::RenameTable { from, to } => Change::RenameTable { from: to, to: from },
            Change::RenameColumn { table, from, to } => Change::RenameColumn {
                table,
                from: to,
                to: from,
            },
            Change::AlterPrimaryKey { table, from, to } => Change::AlterPrimaryKey {
                table,
                from: to,
                to: from,
            },
            Change::CreateTable(t) => Change::DropTable(t),
            Change::DropTable(t) => Change::CreateTable(t),
            Change::AddColumn { table, column } => Change::DropColumn { table, column },
            Change::DropColumn { table, column } => Change::AddColumn { table, column },
            Change::AlterColumn { table, from, to } => Change::AlterColumn {
                table,
                from: to,
                to: from,
            },
            Change::CreateIndex { table, index } => Change::DropIndex { table, index },
            Change::DropIndex { table, index } => Change::CreateIndex { table, index },
            Change::AddUnique { table, unique } => Change::DropUnique { table, unique },
            Change::DropUnique { table, unique } => Change::AddUnique { table, unique },
            Change::AddForeignKey { table, foreign_key } => {
                Change::DropForeignKey { table, foreign_key }
            }
            Change::DropForeignKey { table, foreign_key } => {
                Change::AddForeignKey { table, foreign_key }
            }
            Change::AddCheck { table, check } => Change::DropCheck { table, check },
            Change::DropCheck { table, check } => Change::AddCheck { table, check },
        }
    }
}

/// Whether changing a column from `from` to `to` may lose values: a smaller integer or
/// float, or anything to a type of another kind (text to integer, say).
fn narrows(from: &str, to: &str) -> bool {
    // Integers by width; a float holds an integer exactly up to its mantissa: `real` a
    // smallint, `double precision` an integer.
    const INTEGERS: [&str; 3] = ["smallint", "integer", "bigint"];
    const FLOATS: [&str; 2] = ["real", "double precision"];
    let rank = |list: &[&str], t: &str| list.iter().position(|x| *x == t);
    if from == to {
        return false;
    }
    if let (Some(a), Some(b)) = (rank(&INTEGERS, from), rank(&INTEGERS, to)) {
        return b < a;
    }
    if let (Some(a), Some(b)) = (rank(&INTEGERS, from), rank(&FLOATS, to)) {
        return a > b;
    }
    if let (Some(a), Some(b)) = (rank(&FLOATS, from), rank(&FLOATS, to)) {
        return b < a;
    }
    // Anything becomes text without loss, but bytes (their text is an escape sequence).
    !(to == "text" && from != "blob" && from != "bytea")
}

/// The changes that make `from` (the live schema) into `to` (what the models declare), in an
/// order the database can run them in: foreign keys, checks, unique constraints and indexes
/// that go away first, then dropped columns and tables (dependents first), then created
/// tables (referenced first), added and altered columns, and the constraints and indexes
/// that come.
///
/// A table or column present on one side only is created or dropped: renames are not guessed.
/// A table or column of `to` that declares its previous name (`renamed_from`) is renamed
/// first, before any other change, which then names it by its new name.
///
/// ```
/// use model_core::sql::{Catalog, Change, diff};
/// assert!(diff(&Catalog::default(), &Catalog::default()).is_empty());
/// ```
pub fn diff(from: &Catalog, to: &Catalog) -> Vec<Change> {
    let mut drops = Vec::new();
    let mut dropped_tables = Vec::new();
    let mut created_tables = Vec::new();
    let mut columns = Vec::new();
    let mut adds = Vec::new();

    let mut renames = Vec::new();
    let mut column_renames = Vec::new();
    // Each table of `to` with the table of `from` it continues; an old name claimed twice goes
    // to the first claimant only.
    let mut claimed: HashSet<&str> = HashSet::new();
    let pairs: Vec<(&TableInfo, Option<&TableInfo>)> = to
        .tables
        .iter()
        .map(|new| {
            let old = source(from, to, new).filter(|old| claimed.insert(old.name.as_str()));
            (new, old)
        })
        .collect();
    for old in &from.tables {
        if !claimed.contains(old.name.as_str()) {
            dropped_tables.push(old.clone());
        }
    }
    for (new, old) in pairs {
        let Some(old) = old else {
            created_tables.push(new.clone());
            continue;
        };
        let table = &new.name;
        if old.name != new.name {
            renames.push(Change::RenameTable {
                from: old.name.clone(),
                to: new.name.clone(),
            });
        }
        // The old table as it is once its columns are renamed.
        let mut old = old.clone();
        for column in &new.columns {
            if let Some(was) = &column.renamed_from
                && old.column(&column.name).is_none()
                && new.column(was).is_none()
                && let Some(c) = old.columns.iter_mut().find(|c| &c.name == was)
            {
                c.name = column.name.clone();
                column_renames.push(Change::RenameColumn {
                    table: table.clone(),
                    from: was.clone(),
                    to: column.name.clone(),
                });
            }
        }
        let old = &old;
        let parts = |t: &TableInfo| {
            (
                t.foreign_keys.clone(),
                t.checks.clone(),
                t.uniques.clone(),
                t.indexes.clone(),
            )
        };
        let (old_fks, old_checks, old_uniques, old_indexes) = parts(old);
        let (new_fks, new_checks, new_uniques, new_indexes) = parts(new);
        // A changed constraint or index is dropped and added again.
        for fk in removed(&old_fks, &new_fks, |f| &f.name) {
            drops.push(Change::DropForeignKey {
                table: table.clone(),
                foreign_key: fk,
            });
        }
        for check in removed(&old_checks, &new_checks, |c| &c.name) {
            drops.push(Change::DropCheck {
                table: table.clone(),
                check,
            });
        }
        for unique in removed(&old_uniques, &new_uniques, |u| &u.name) {
            drops.push(Change::DropUnique {
                table: table.clone(),
                unique,
            });
        }
        for index in removed(&old_indexes, &new_indexes, |i| &i.name) {
            drops.push(Change::DropIndex {
                table: table.clone(),
                index,
            });
        }
        for column in &old.columns {
            if new.column(&column.name).is_none() {
                columns.push(Change::DropColumn {
                    table: table.clone(),
                    column: column.clone(),
                });
            }
        }
        for column in &new.columns {
            match old.column(&column.name) {
                None => columns.push(Change::AddColumn {
                    table: table.clone(),
                    column: column.clone(),
                }),
                Some(was) if was != column => columns.push(Change::AlterColumn {
                    table: table.clone(),
                    from: was.clone(),
                    to: column.clone(),
                }),
                Some(_) => {}
            }
        }
        if old.primary_key != new.primary_key {
            adds.push(Change::AlterPrimaryKey {
                table: table.clone(),
                from: old.primary_key.clone(),
                to: new.primary_key.clone(),
            });
        }
        for unique in removed(&new_uniques, &old_uniques, |u| &u.name) {
            adds.push(Change::AddUnique {
                table: table.clone(),
                unique,
            });
        }
        for index in removed(&new_indexes, &old_indexes, |i| &i.name) {
            adds.push(Change::CreateIndex {
                table: table.clone(),
                index,
            });
        }
        for check in removed(&new_checks, &old_checks, |c| &c.name) {
            adds.push(Change::AddCheck {
                table: table.clone(),
                check,
            });
        }
        for fk in removed(&new_fks, &old_fks, |f| &f.name) {
            adds.push(Change::AddForeignKey {
                table: table.clone(),
                foreign_key: fk,
            });
        }
    }

    let mut dropped = dependency_order(dropped_tables);
    dropped.reverse();
    let mut changes = renames;
    changes.extend(column_renames);
    changes.extend(drops);
    changes.extend(dropped.into_iter().map(Change::DropTable));
    changes.extend(columns);
    changes.extend(
        dependency_order(created_tables)
            .into_iter()
            .map(Change::CreateTable),
    );
    changes.extend(adds);
    changes
}

/// The table of `from` that `new` continues: the one of the same name, or the one it declares
/// it was renamed from (when no table of `to` holds that name still).
fn source<'a>(from: &'a Catalog, to: &Catalog, new: &TableInfo) -> Option<&'a TableInfo> {
    from.table(&new.name).or_else(|| {
        new.renamed_from
            .as_deref()
            .filter(|old| to.table(old).is_none())
            .and_then(|old| from.table(old))
    })
}

/// The items of `these` that `those` does not hold as they are: same name and same content
/// (for checks, as [`CheckInfo`]'s equality words it).
fn removed<T: Clone + PartialEq>(these: &[T], those: &[T], name: impl Fn(&T) -> &String) -> Vec<T> {
    these
        .iter()
        .filter(|item| {
            !those
                .iter()
                .any(|other| name(other) == name(item) && other == *item)
        })
        .cloned()
        .collect()
}

/// Tables ordered so that each comes after the tables it references (cycles broken in name
/// order).
fn dependency_order(tables: Vec<TableInfo>) -> Vec<TableInfo> {
    let names: HashSet<String> = tables.iter().map(|t| t.name.clone()).collect();
    let mut pending: HashMap<String, TableInfo> =
        tables.into_iter().map(|t| (t.name.clone(), t)).collect();
    let mut order = Vec::new();
    let mut placed: HashSet<String> = HashSet::new();
    while !pending.is_empty() {
        let mut ready: Vec<String> = pending
            .values()
            .filter(|t| {
                t.foreign_keys.iter().all(|fk| {
                    fk.referenced_table == t.name
                        || !names.contains(&fk.referenced_table)
                        || placed.contains(&fk.referenced_table)
                })
            })
            .map(|t| t.name.clone())
            .collect();
        if ready.is_empty() {
            ready.push(pending.keys().min().cloned().unwrap_or_default());
        }
        ready.sort();
        for name in ready {
            if let Some(table) = pending.remove(&name) {
                placed.insert(name);
                order.push(table);
            }
        }
    }
    order
}
