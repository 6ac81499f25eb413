//! Row decoding, on any database content: a row of any values, of any length, decoded into a
//! model and into tuples of Rust types gives a value or a typed error, never a panic.
#![no_main]

use arbitrary::Arbitrary;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};
use libfuzzer_sys::fuzz_target;
use tablemodel::prelude::*;
use tablemodel::{FromRow, RowReader, Value};

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "fz_items")]
pub struct Item {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    pub note: Option<String>,
    pub small: i16,
    pub ratio: f32,
    pub flag: bool,
    pub day: Option<NaiveDate>,
    pub at: NaiveDateTime,
}

#[derive(Arbitrary, Debug)]
enum Cell {
    Null,
    Bool(bool),
    I16(i16),
    I32(i32),
    I64(i64),
    F32(f32),
    F64(f64),
    Text(String),
    Blob(Vec<u8>),
    Days(i32),
    Seconds(u32, u32),
    Stamp(i64, u32),
}

impl Cell {
    fn value(self) -> Value {
        match self {
            Cell::Null => Value::Null,
            Cell::Bool(v) => Value::Bool(v),
            Cell::I16(v) => Value::I16(v),
            Cell::I32(v) => Value::I32(v),
            Cell::I64(v) => Value::I64(v),
            Cell::F32(v) => Value::F32(v),
            Cell::F64(v) => Value::F64(v),
            Cell::Text(v) => Value::Text(v),
            Cell::Blob(v) => Value::Blob(v),
            Cell::Days(d) => NaiveDate::from_num_days_from_ce_opt(d).map_or(Value::Null, Value::Date),
            Cell::Seconds(s, n) => NaiveTime::from_num_seconds_from_midnight_opt(s, n)
                .map_or(Value::Null, Value::Time),
            Cell::Stamp(s, n) => DateTime::from_timestamp(s, n).map_or(Value::Null, |t| {
                if s % 2 == 0 {
                    Value::DateTime(t.naive_utc())
                } else {
                    Value::DateTimeUtc(t)
                }
            }),
        }
    }
}

fn decode<T: FromRow>(row: &Vec<Value>) {
    let _ = T::from_row(&mut RowReader::new(row));
}

fuzz_target!(|cells: Vec<Cell>| {
    let row: Vec<Value> = cells.into_iter().map(Cell::value).collect();
    decode::<Item>(&row);
    decode::<(i64, String, Option<f64>)>(&row);
    decode::<(Option<bool>, Vec<u8>, NaiveDateTime, Option<NaiveTime>)>(&row);
    decode::<(i32, i16, i64, f32)>(&row);
    decode::<(Item, Option<i64>)>(&row);
});
