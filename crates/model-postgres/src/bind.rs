//! Values bound to PostgreSQL parameters, converted to the type the server expects.

use std::error::Error as StdError;

use bytes::BytesMut;
use model_core::Value;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};

type BoxError = Box<dyn StdError + Sync + Send>;

/// A value bound to a parameter. PostgreSQL types parameters from the statement, so the value
/// is converted to that type (an `i64` bound where an INTEGER is expected, say) and refused
/// with a clear error when it cannot be.
#[derive(Debug)]
pub(crate) struct Bind<'a>(pub &'a Value);

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
            Value::Time(t) => t.to_sql(ty, out),
            Value::DateTime(d) => {
                if *ty == Type::TIMESTAMPTZ {
                    d.and_utc().to_sql(ty, out)
                } else {
                    d.to_sql(ty, out)
                }
            }
            Value::DateTimeUtc(d) => {
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
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn int(v: i64, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
    match *ty {
        Type::INT2 => i16::try_from(v)
            .map_err(|_| out_of_range(v, ty))?
            .to_sql(ty, out),
        Type::INT4 => i32::try_from(v)
            .map_err(|_| out_of_range(v, ty))?
            .to_sql(ty, out),
        Type::FLOAT4 => (v as f32).to_sql(ty, out),
        Type::FLOAT8 => (v as f64).to_sql(ty, out),
        Type::BOOL => (v != 0).to_sql(ty, out),
        Type::TEXT | Type::VARCHAR => v.to_string().to_sql(ty, out),
        _ => v.to_sql(ty, out),
    }
}

fn float(v: f64, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
    match *ty {
        Type::FLOAT4 => (v as f32).to_sql(ty, out),
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
