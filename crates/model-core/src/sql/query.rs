//! The shape of a SELECT, untyped, and its rendering; subqueries embed it in expressions.

use crate::sql::expr::{Direction, Node};
use crate::sql::render::SqlWriter;
use crate::sql::table::Table;
use crate::sql::value::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JoinKind {
    Inner,
    Left,
    /// Every row of the left with every row of the right, no `ON`: a table read as a
    /// second FROM entry (`select::<(Hero, Team)>()`), its join condition in the WHERE.
    Cross,
}

/// Everything a SELECT says but its select list.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct QueryNode {
    pub(crate) from: &'static Table,
    pub(crate) joins: Vec<(JoinKind, &'static Table, Option<Node>)>,
    pub(crate) filter: Option<Node>,
    pub(crate) group_by: Vec<Node>,
    pub(crate) having: Option<Node>,
    pub(crate) order: Vec<(Node, Direction)>,
    pub(crate) limit: Option<u64>,
    pub(crate) offset: Option<u64>,
    pub(crate) distinct: bool,
}

/// A query inside an expression (`IN (SELECT ...)`, `EXISTS (SELECT ...)`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SubQuery {
    pub(crate) query: QueryNode,
    pub(crate) select: Vec<Node>,
}

impl QueryNode {
    pub(crate) fn new(from: &'static Table) -> Self {
        QueryNode {
            from,
            joins: Vec::new(),
            filter: None,
            group_by: Vec::new(),
            having: None,
            order: Vec::new(),
            limit: None,
            offset: None,
            distinct: false,
        }
    }
}

/// Joins two conditions with AND.
pub(crate) fn and(filter: Option<Node>, cond: Node) -> Option<Node> {
    Some(match filter {
        None => cond,
        Some(prev) => Node::Binary(Box::new(prev), "AND", Box::new(cond)),
    })
}

fn as_i64(n: u64) -> Value {
    Value::I64(n.min(i64::MAX as u64) as i64)
}

impl SqlWriter<'_> {
    pub(crate) fn query(&mut self, q: &QueryNode, select: &[Node]) -> &mut Self {
        self.push(if q.distinct {
            "SELECT DISTINCT "
        } else {
            "SELECT "
        });
        for (i, node) in select.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.expr(node);
        }
        self.push(" FROM ").ident(q.from.name);
        for (kind, table, on) in &q.joins {
            self.push(match kind {
                JoinKind::Inner => " INNER JOIN ",
                JoinKind::Left => " LEFT JOIN ",
                JoinKind::Cross => " CROSS JOIN ",
            });
            self.ident(table.name);
            if let Some(on) = on {
                self.push(" ON ").expr(on);
            }
        }
        if let Some(filter) = &q.filter {
            self.push(" WHERE ").expr(filter);
        }
        for (i, node) in q.group_by.iter().enumerate() {
            self.push(if i == 0 { " GROUP BY " } else { ", " });
            self.expr(node);
        }
        if let Some(having) = &q.having {
            self.push(" HAVING ").expr(having);
        }
        self.order(&q.order);
        // SQLite takes OFFSET only after a LIMIT: "no limit" is the largest one.
        if q.limit.is_some() || q.offset.is_some() {
            self.push(" LIMIT ")
                .param(as_i64(q.limit.unwrap_or(u64::MAX)));
        }
        if let Some(o) = q.offset {
            self.push(" OFFSET ").param(as_i64(o));
        }
        self
    }
}
