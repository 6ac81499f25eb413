//! A pooled PostgreSQL client with its prepared statements, behind the `Connection` contract.

use std::num::NonZeroUsize;

use lru::LruCache;
use model_core::{Connection, Dialect, Error, Result, Row, Table, Value};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::Type;
use postgres::{Client, Statement};

use crate::bind::Bind;
use crate::dialect::PostgresDialect;
use crate::error::classify;

/// Statements kept prepared per connection; the least recently used is closed first.
const STATEMENT_CACHE: NonZeroUsize = NonZeroUsize::new(256).unwrap();

/// A client and the statements prepared on it, which live as long as the connection.
pub(crate) struct PgClient {
    pub(crate) client: Client,
    /// The statements prepared last, the least recently used dropped first.
    statements: LruCache<String, Statement>,
    /// Whether a transaction is open, or may be: the server cannot be asked without a round
    /// trip, so BEGIN sets it and only a COMMIT or ROLLBACK that succeeded clears it. The pool
    /// discards a client handed back with it set.
    pub(crate) in_transaction: bool,
}

impl PgClient {
    pub(crate) fn new(client: Client) -> Self {
        PgClient {
            client,
            statements: LruCache::new(STATEMENT_CACHE),
            in_transaction: false,
        }
    }

    fn prepare(&mut self, sql: &str) -> Result<Statement> {
        if let Some(stmt) = self.statements.get(sql) {
            return Ok(stmt.clone());
        }
        let stmt = self.client.prepare(sql).map_err(classify)?;
        self.statements.put(sql.to_owned(), stmt.clone());
        Ok(stmt)
    }
}

pub(crate) struct PgConnection<C>(pub(crate) C);

/// Refuses, before sending, values of another number than the statement's placeholders, and
/// values that cannot be bound where the server expects their parameter's type.
fn checked(stmt: &Statement, params: &[Value]) -> Result<()> {
    let types = stmt.params();
    if types.len() != params.len() {
        return Err(Error::Statement(format!(
            "the statement has {} parameter{} and {} value{} were bound",
            types.len(),
            if types.len() == 1 { "" } else { "s" },
            params.len(),
            if params.len() == 1 { "" } else { "s" },
        )));
    }
    for (i, (value, ty)) in params.iter().zip(types).enumerate() {
        crate::bind::check(value, ty).map_err(|reason| Error::Parameter {
            index: i + 1,
            reason,
        })?;
    }
    Ok(())
}

fn binds(params: &[Value]) -> Vec<Bind<'_>> {
    params.iter().map(Bind).collect()
}

fn refs<'a>(binds: &'a [Bind<'a>]) -> Vec<&'a (dyn postgres::types::ToSql + Sync)> {
    binds
        .iter()
        .map(|b| b as &(dyn postgres::types::ToSql + Sync))
        .collect()
}

struct PgRow<'a>(&'a postgres::Row);

fn get<'a, T: postgres::types::FromSql<'a>>(row: &'a postgres::Row, i: usize) -> Result<Option<T>> {
    row.try_get::<_, Option<T>>(i)
        .map_err(|e| Error::Decode(e.to_string()))
}

impl Row for PgRow<'_> {
    fn len(&self) -> usize {
        self.0.len()
    }

    fn name(&self, i: usize) -> Option<&str> {
        self.0.columns().get(i).map(|c| c.name())
    }

    fn value(&self, i: usize) -> Result<Value> {
        let row = self.0;
        let ty = row
            .columns()
            .get(i)
            .ok_or_else(|| Error::Decode(format!("no column {}", i + 1)))?
            .type_();
        let value = match *ty {
            Type::BOOL => get::<bool>(row, i)?.map(Value::Bool),
            Type::INT2 => get::<i16>(row, i)?.map(Value::I16),
            Type::INT4 => get::<i32>(row, i)?.map(Value::I32),
            Type::INT8 => get::<i64>(row, i)?.map(Value::I64),
            Type::FLOAT4 => get::<f32>(row, i)?.map(Value::F32),
            Type::FLOAT8 => get::<f64>(row, i)?.map(Value::F64),
            Type::BYTEA => get::<Vec<u8>>(row, i)?.map(Value::Blob),
            Type::DATE => get(row, i)?.map(Value::Date),
            Type::TIME => get(row, i)?.map(Value::Time),
            Type::TIMESTAMP => get(row, i)?.map(Value::DateTime),
            Type::TIMESTAMPTZ => get(row, i)?.map(Value::DateTimeUtc),
            #[cfg(feature = "uuid")]
            Type::UUID => get::<uuid::Uuid>(row, i)?.map(Value::Uuid),
            #[cfg(feature = "json")]
            Type::JSON | Type::JSONB => get::<serde_json::Value>(row, i)?.map(Value::Json),
            _ => get::<String>(row, i)?.map(Value::Text),
        };
        Ok(value.unwrap_or(Value::Null))
    }
}

impl<C> Connection for PgConnection<C>
where
    C: std::ops::DerefMut<Target = PgClient> + Send,
{
    fn dialect(&self) -> &'static dyn Dialect {
        &PostgresDialect
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        let stmt = self.0.prepare(sql)?;
        checked(&stmt, params)?;
        let binds = binds(params);
        self.0
            .client
            .execute(&stmt, &refs(&binds))
            .map_err(classify)
    }

    fn query(
        &mut self,
        sql: &str,
        params: &[Value],
        each: &mut dyn FnMut(&dyn Row) -> Result<()>,
    ) -> Result<()> {
        let stmt = self.0.prepare(sql)?;
        checked(&stmt, params)?;
        let binds = binds(params);
        let rows = self
            .0
            .client
            .query(&stmt, &refs(&binds))
            .map_err(classify)?;
        for row in &rows {
            each(&PgRow(row))?;
        }
        Ok(())
    }

    fn execute_batch(&mut self, sql: &str) -> Result<()> {
        self.0.client.batch_execute(sql).map_err(classify)
    }

    /// `COPY "table" ("a", "b") FROM STDIN (FORMAT binary)`, each value encoded for its
    /// column's type as the server gives it for `insert`'s parameters and checked as a bound
    /// parameter is (a value the column cannot take is [`Error::InvalidValue`] naming the
    /// column and the row). A row that fails ends the copy, which aborts it.
    fn load_rows(
        &mut self,
        table: &Table,
        columns: &[usize],
        insert: &str,
        next_row: &mut dyn FnMut(&mut Vec<Value>) -> Result<bool>,
    ) -> Result<u64> {
        let types = self.0.prepare(insert)?.params().to_vec();
        let mut copy = String::from("COPY ");
        let dialect = self.dialect();
        dialect.quote(&mut copy, table.name);
        copy.push_str(" (");
        for (n, &i) in columns.iter().enumerate() {
            if n > 0 {
                copy.push_str(", ");
            }
            dialect.quote(&mut copy, table.columns[i].name);
        }
        copy.push_str(") FROM STDIN (FORMAT binary)");
        let writer = self.0.client.copy_in(&copy).map_err(classify)?;
        let mut writer = BinaryCopyInWriter::new(writer, &types);
        let mut row = Vec::with_capacity(columns.len());
        let mut n = 0_u64;
        loop {
            row.clear();
            if !next_row(&mut row)? {
                break;
            }
            n += 1;
            if row.len() != types.len() {
                return Err(Error::Statement(format!(
                    "a row of {} values for {} columns",
                    row.len(),
                    types.len()
                )));
            }
            for ((value, ty), &column) in row.iter().zip(&types).zip(columns) {
                crate::bind::check(value, ty).map_err(|reason| {
                    Error::InvalidValue(format!(
                        "{}.{} in row {n} of the bulk load: {reason}",
                        table.name, table.columns[column].name
                    ))
                })?;
            }
            writer.write_raw(row.iter().map(Bind)).map_err(classify)?;
        }
        writer.finish().map_err(classify)
    }

    fn begin(&mut self) -> Result<()> {
        // Set first: a BEGIN that failed half-way leaves the client in doubt.
        self.0.in_transaction = true;
        self.execute_batch("BEGIN")
    }

    fn commit(&mut self) -> Result<()> {
        self.execute_batch("COMMIT")?;
        self.0.in_transaction = false;
        Ok(())
    }

    fn rollback(&mut self) -> Result<()> {
        self.execute_batch("ROLLBACK")?;
        self.0.in_transaction = false;
        Ok(())
    }

    /// Read from `pg_catalog`, in one snapshot.
    fn introspect(&mut self) -> Result<model_core::sql::Catalog> {
        crate::introspect::catalog(&mut self.0)
    }
}
