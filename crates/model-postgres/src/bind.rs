//! Values bound to PostgreSQL parameters, converted to the type the server expects.

use std::error::Error as StdError;

use bytes::BytesMut;
use chrono::SubsecRound;
use model_core::Value;
use postgres::types::{IsNull, Kind, ToSql, Type, to_sql_checked};
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;

type BoxError = Box<dyn StdError + Sync + Send>;

/// A value bound to a parameter. PostgreSQL types parameters from the statement, so the value
/// is converted to that type (an `i64` bound where an INTEGER or NUMERIC is expected, say).
/// [`check`] has refused, before anything is sent, every pair of value and type not converted
/// here: the driver alone would send the value's bytes as they are, which the server then
/// reads as the other type.
#[derive(Debug)]
pub(crate) struct Bind<'a>(pub &'a Value);

/// Whether a value of this kind can be bound where the server expects `ty`; `Err` says why
/// not, naming both types.
pub(crate) fn check(value: &Value, ty: &Type) -> Result<(), String> {
    let text_like = matches!(
        *ty,
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN
    ) || matches!(ty.kind(), Kind::Enum(_))
        || ty.name() == "citext";
    let ok = match value {
        Value::Null => true,
        Value::Bool(_) => *ty == Type::BOOL,
        Value::I16(_) | Value::I32(_) | Value::I64(_) => {
            let v = value.as_i64().unwrap_or_default();
            let fits = match *ty {
                Type::INT2 => i16::try_from(v).is_ok(),
                Type::INT4 => i32::try_from(v).is_ok(),
                _ => true,
            };
            if !fits {
                return Err(format!("{v} does not fit in {}", ty.name()));
            }
            matches!(
                *ty,
                Type::INT2 | Type::INT4 | Type::INT8 | Type::FLOAT4 | Type::FLOAT8 | Type::NUMERIC
            ) || text_like
        }
        Value::F32(_) | Value::F64(_) => {
            matches!(*ty, Type::FLOAT4 | Type::FLOAT8 | Type::NUMERIC)
        }
        Value::Text(_) => text_like || json(ty),
        Value::Blob(_) => *ty == Type::BYTEA,
        Value::Date(_) => *ty == Type::DATE,
        Value::Time(_) => *ty == Type::TIME,
        Value::DateTime(_) | Value::DateTimeUtc(_) => {
            matches!(*ty, Type::TIMESTAMP | Type::TIMESTAMPTZ)
        }
        #[cfg(feature = "uuid")]
        Value::Uuid(_) => *ty == Type::UUID,
        #[cfg(feature = "json")]
        Value::Json(_) => json(ty),
        // An IN list: an array of the element type, each element bound as it would be alone.
        Value::List(items) => {
            return match ty.kind() {
                Kind::Array(member) => items.iter().try_for_each(|item| check(item, member)),
                _ => Err(format!(
                    "a list cannot be bound where the server expects {}",
                    ty.name()
                )),
            };
        }
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "a {} value cannot be bound where the server expects {}",
            value.type_name(),
            ty.name()
        ))
    }
}

fn json(ty: &Type) -> bool {
    cfg!(feature = "json") && (*ty == Type::JSON || *ty == Type::JSONB)
}

fn out_of_range(v: i64, ty: &Type) -> BoxError {
    format!("{v} does not fit in {ty}").into()
}

impl ToSql for Bind<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Bool(b) => b.to_sql(ty, out),
            Value::I16(v) => int(i64::from(*v), ty, out),
            Value::I32(v) => int(i64::from(*v), ty, out),
            Value::I64(v) => int(*v, ty, out),
            Value::F32(v) => float(f64::from(*v), ty, out),
            Value::F64(v) => float(*v, ty, out),
            Value::Text(s) => text(s, ty, out),
            Value::Blob(b) => b.to_sql(ty, out),
            Value::Date(d) => d.to_sql(ty, out),
            // Times keep microseconds, PostgreSQL's precision, cut the same way on every
            // backend (the driver alone would round times before 2000 toward 2000).
            Value::Time(t) => t.trunc_subsecs(6).to_sql(ty, out),
            Value::DateTime(d) => {
                let d = d.trunc_subsecs(6);
                if *ty == Type::TIMESTAMPTZ {
                    d.and_utc().to_sql(ty, out)
                } else {
                    d.to_sql(ty, out)
                }
            }
            Value::DateTimeUtc(d) => {
                let d = d.trunc_subsecs(6);
                if *ty == Type::TIMESTAMP {
                    d.naive_utc().to_sql(ty, out)
                } else {
                    d.to_sql(ty, out)
                }
            }
            #[cfg(feature = "uuid")]
            Value::Uuid(u) => u.to_sql(ty, out),
            #[cfg(feature = "json")]
            Value::Json(j) => j.to_sql(ty, out),
            Value::List(items) => items.iter().map(Bind).collect::<Vec<_>>().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn int(v: i64, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
    match *ty {
        Type::NUMERIC => Decimal::from(v).to_sql(ty, out),
        Type::INT2 => i16::try_from(v)
            .map_err(|_| out_of_range(v, ty))?
            .to_sql(ty, out),
        Type::INT4 => i32::try_from(v)
            .map_err(|_| out_of_range(v, ty))?
            .to_sql(ty, out),
        Type::FLOAT4 => (v as f32).to_sql(ty, out),
        Type::FLOAT8 => (v as f64).to_sql(ty, out),
        Type::INT8 => v.to_sql(ty, out),
        // Text-like: the number as text.
        _ => v.to_string().to_sql(ty, out),
    }
}

fn float(v: f64, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
    // Zero is stored without its sign, as on SQLite (the session keeps 0.0 too).
    let v = if v == 0.0 { 0.0 } else { v };
    match *ty {
        Type::FLOAT4 => (v as f32).to_sql(ty, out),
        Type::NUMERIC => Decimal::from_f64(v)
            .ok_or_else(|| format!("{v} has no NUMERIC value"))?
            .to_sql(ty, out),
        _ => v.to_sql(ty, out),
    }
}

fn text(s: &str, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
    #[cfg(feature = "json")]
    if *ty == Type::JSON || *ty == Type::JSONB {
        let v: serde_json::Value = serde_json::from_str(s)?;
        return v.to_sql(ty, out);
    }
    s.to_sql(ty, out)
}
