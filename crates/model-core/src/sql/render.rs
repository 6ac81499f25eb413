//! Renders expressions and statements to SQL text with bound parameters.

use crate::sql::dialect::Dialect;
use crate::sql::error::{Error, Result};
use crate::sql::expr::{Direction, Node};
use crate::sql::table::Table;
use crate::sql::value::Value;

/// SQL text under construction, with the parameters its placeholders stand for.
pub(crate) struct SqlWriter<'d> {
    pub(crate) sql: String,
    pub(crate) params: Vec<Value>,
    dialect: &'d dyn Dialect,
}

impl<'d> SqlWriter<'d> {
    pub(crate) fn new(dialect: &'d dyn Dialect) -> Self {
        SqlWriter {
            sql: String::with_capacity(128),
            params: Vec::new(),
            dialect,
        }
    }

    /// The dialect it writes for.
    pub(crate) fn dialect(&self) -> &'d dyn Dialect {
        self.dialect
    }

    pub(crate) fn push(&mut self, s: &str) -> &mut Self {
        self.sql.push_str(s);
        self
    }

    pub(crate) fn ident(&mut self, name: &str) -> &mut Self {
        self.dialect.quote(&mut self.sql, name);
        self
    }

    pub(crate) fn qualified(&mut self, table: &str, column: &str) -> &mut Self {
        self.ident(table).push(".").ident(column)
    }

    /// Binds a value written to column `column` of `table`, refused with
    /// [`Error::InvalidValue`] naming the column when the database cannot store it as it is.
    pub(crate) fn column_param(
        &mut self,
        table: &str,
        column: &str,
        value: Value,
    ) -> Result<&mut Self> {
        storable(self.dialect, table, column, &value)?;
        Ok(self.param(value))
    }

    /// `expr IN (values)` with the values bound as one list parameter, where the dialect
    /// can; the SQL to push, with the parameter added.
    fn list_param(&mut self, expr: &Node, values: Vec<Value>, negated: bool) -> Option<String> {
        let mark = self.params.len();
        let mut inner = SqlWriter::new(self.dialect);
        inner.params = std::mem::take(&mut self.params);
        inner.expr(expr);
        let expr_sql = std::mem::take(&mut inner.sql);
        inner.param(Value::List(values));
        let placeholder = inner.sql;
        self.params = inner.params;
        let Some(Value::List(values)) = self.params.last() else {
            unreachable!("the list was just bound");
        };
        match self
            .dialect
            .list_membership(&expr_sql, &placeholder, values, negated)
        {
            Some(sql) => Some(sql),
            None => {
                // Undo: the list will be expanded instead.
                self.params.truncate(mark);
                None
            }
        }
    }

    pub(crate) fn param(&mut self, value: Value) -> &mut Self {
        self.params.push(value);
        self.dialect.placeholder(&mut self.sql, self.params.len());
        self
    }

    /// `"t"."a", "t"."b", ...` for every column of the table.
    pub(crate) fn column_list(&mut self, table: &Table) -> &mut Self {
        for (i, c) in table.columns.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.qualified(table.name, c.name);
        }
        self
    }

    /// `"a" = ? AND "b" = ?` over the primary key.
    pub(crate) fn key_filter(&mut self, table: &Table, key: Vec<Value>) -> &mut Self {
        for (n, (&i, v)) in table.primary_key.iter().zip(key).enumerate() {
            if n > 0 {
                self.push(" AND ");
            }
            self.qualified(table.name, table.columns[i].name)
                .push(" = ")
                .param(v);
        }
        self
    }

    pub(crate) fn expr(&mut self, node: &Node) -> &mut Self {
        match node {
            Node::Column { table, name } => {
                self.qualified(table, name);
            }
            Node::Param(v) => {
                self.param(v.clone());
            }
            Node::Binary(l, op, r) => {
                self.push("(")
                    .expr(l)
                    .push(" ")
                    .push(op)
                    .push(" ")
                    .expr(r)
                    .push(")");
            }
            Node::Not(e) => {
                self.push("(NOT ").expr(e).push(")");
            }
            Node::IsNull(e, negated) => {
                self.push("(").expr(e);
                self.push(if *negated {
                    " IS NOT NULL)"
                } else {
                    " IS NULL)"
                });
            }
            Node::In(e, list, negated) => {
                if list.is_empty() {
                    // `IN ()` is not SQL: an empty list matches nothing (NOT IN: everything).
                    self.push(if *negated { "(1 = 1)" } else { "(1 = 0)" });
                } else if let Some(values) = bound_values(list)
                    && let Some(sql) = self.list_param(e, values, *negated)
                {
                    self.sql.push_str(&sql);
                } else {
                    self.push("(").expr(e);
                    self.push(if *negated { " NOT IN (" } else { " IN (" });
                    for (i, item) in list.iter().enumerate() {
                        if i > 0 {
                            self.push(", ");
                        }
                        self.expr(item);
                    }
                    self.push("))");
                }
            }
            Node::Between(e, lo, hi) => {
                self.push("(")
                    .expr(e)
                    .push(" BETWEEN ")
                    .expr(lo)
                    .push(" AND ")
                    .expr(hi)
                    .push(")");
            }
            Node::Like {
                expr,
                pattern,
                case_insensitive,
            } => match (*case_insensitive, self.dialect.ilike_operator()) {
                (true, Some(op)) => {
                    self.push("(").expr(expr).push(" ").push(op).push(" ");
                    self.expr(pattern).push(" ESCAPE '\\')");
                }
                (true, None) => {
                    let lower = self.dialect.lower_function();
                    self.push("(")
                        .push(lower)
                        .push("(")
                        .expr(expr)
                        .push(") LIKE ");
                    self.push(lower)
                        .push("(")
                        .expr(pattern)
                        .push(") ESCAPE '\\')");
                }
                (false, _) => {
                    self.push("(").expr(expr).push(" LIKE ");
                    self.expr(pattern).push(" ESCAPE '\\')");
                }
            },
            Node::Func(name, arg) => {
                self.push(name).push("(").expr(arg).push(")");
            }
            Node::Cast(e, ty) => {
                let ty = self.dialect.column_type(*ty);
                self.push("CAST(").expr(e).push(" AS ").push(ty).push(")");
            }
            Node::InQuery(e, sub, negated) => {
                self.push("(").expr(e);
                self.push(if *negated { " NOT IN (" } else { " IN (" });
                self.query(&sub.query, &sub.select).push("))");
            }
            Node::Exists(sub, negated) => {
                self.push(if *negated {
                    "(NOT EXISTS ("
                } else {
                    "(EXISTS ("
                });
                self.query(&sub.query, &sub.select).push("))");
            }
        }
        self
    }

    pub(crate) fn order(&mut self, terms: &[(Node, Direction)]) -> &mut Self {
        for (i, (node, dir)) in terms.iter().enumerate() {
            self.push(if i == 0 { " ORDER BY " } else { ", " });
            self.expr(node);
            self.push(match dir {
                Direction::Asc => " ASC",
                Direction::Desc => " DESC",
            });
        }
        self
    }
}

/// The values of a list whose items are all bound values.
fn bound_values(list: &[Node]) -> Option<Vec<Value>> {
    list.iter()
        .map(|item| match item {
            Node::Param(v) => Some(v.clone()),
            _ => None,
        })
        .collect()
}

/// Refuses, naming `table.column`, a value the database cannot store as it is.
pub(crate) fn storable(
    dialect: &dyn Dialect,
    table: &str,
    column: &str,
    value: &Value,
) -> Result<()> {
    match dialect.refuse(value) {
        Some(why) => Err(Error::InvalidValue(format!("{table}.{column}: {why}"))),
        None => Ok(()),
    }
}
