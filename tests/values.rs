//! What is bound is what is stored: values the database cannot store as they are are refused
//! with a typed error naming the column or parameter, the same on every backend; times keep
//! microseconds cut one way; PostgreSQL parameters are converted to the type the server
//! expects, or refused; `= None` means `IS NULL`; a row with fewer columns than its target is a
//! decode error, not a panic.

mod common;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use common::{Backend, TestDb};
use tablemodel::prelude::*;
use tablemodel::{Results, Value};

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "va_samples")]
pub struct Sample {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub label: String,
    pub note: Option<String>,
    pub ratio: f64,
    pub maybe: Option<f64>,
    pub at: NaiveDateTime,
}

fn sample(label: &str) -> Sample {
    Sample {
        id: None,
        label: label.into(),
        note: None,
        ratio: 0.5,
        maybe: None,
        at: NaiveDate::from_ymd_opt(2024, 5, 6)
            .unwrap()
            .and_hms_opt(7, 8, 9)
            .unwrap(),
    }
}

/// Names longer than PostgreSQL's 63 bytes: its constraints' names are cut with a hash suffix
/// by the library, so the database reports the same names and errors name the columns.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "va_a_table_whose_name_is_long_enough_to_matter")]
pub struct LongNames {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(unique)]
    pub a_column_whose_name_is_long_as_well: String,
    #[validate(range(min = 0, max = 10))]
    pub another_column_with_a_rather_long_name: i32,
}

fn stored(db: &TestDb) -> Result<Vec<Sample>> {
    let mut s = db.engine.session()?;
    Ok(s.exec(select::<Sample>().order_by(Sample::id))?.all())
}

fn invalid_value(result: Result<impl std::fmt::Debug>) -> String {
    match result {
        Err(Error::InvalidValue(why)) => why,
        other => panic!("expected Error::InvalidValue, got {other:?}"),
    }
}

/// `column.eq(None)` is `IS NULL`, `ne(None)` is `IS NOT NULL`: `= NULL` would match nothing.
fn eq_none_is_null(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(sample("without"))?;
    s.add(Sample {
        note: Some("n".into()),
        ..sample("with")
    })?;
    s.commit()?;
    let without = s
        .exec(select::<Sample>().where_(Sample::note.eq(None::<String>)))?
        .all();
    assert_eq!(
        without.iter().map(|x| x.label.as_str()).collect::<Vec<_>>(),
        ["without"]
    );
    let with = s
        .exec(select::<Sample>().where_(Sample::note.ne(None::<String>)))?
        .all();
    assert_eq!(
        with.iter().map(|x| x.label.as_str()).collect::<Vec<_>>(),
        ["with"]
    );
    // The same through `update ... where`.
    let n = s.exec(
        update::<Sample>()
            .set(Sample::label, "was without")
            .where_(Sample::note.eq(None::<String>)),
    )?;
    assert_eq!(n, 1);
    s.commit()?;
    Ok(())
}

/// Text with a NUL character is refused before sending, naming the column, on every backend;
/// the session stays usable.
fn nul_text_is_refused_naming_the_column(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(sample("a\0b"))?;
    let why = invalid_value(s.commit());
    assert!(why.contains("va_samples.label"), "{why}");
    assert!(why.contains("NUL"), "{why}");
    s.rollback()?;

    // In an update of a loaded row, a bulk update, an INSERT statement and a raw bind.
    s.add(sample("fine"))?;
    s.commit()?;
    let mut row = s.exec(select::<Sample>())?.one()?;
    row.note = Some("x\0".into());
    s.add(row)?;
    let why = invalid_value(s.flush());
    assert!(why.contains("va_samples.note"), "{why}");
    s.rollback()?;
    let why = invalid_value(s.exec(update::<Sample>().set(Sample::label, "\0")));
    assert!(why.contains("va_samples.label"), "{why}");
    let why = invalid_value(s.exec(insert([sample("\0")])));
    assert!(why.contains("va_samples.label"), "{why}");
    let why = invalid_value(
        s.exec(raw::<i64>("SELECT COUNT(*) FROM va_samples WHERE label = ?").bind("\0")),
    );
    assert!(why.contains("parameter 1"), "{why}");
    s.rollback()?;

    assert_eq!(stored(db)?.len(), 1, "nothing else was written");
    s.add(sample("after"))?;
    s.commit()?;
    assert_eq!(stored(db)?.len(), 2, "the session works after the refusals");
    Ok(())
}

/// NaN: refused on SQLite (which would store NULL), naming the column; stored on PostgreSQL.
/// Infinities round-trip on both.
fn nan_and_infinities(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    for value in [
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MIN_POSITIVE / 2.0,
        -0.0,
    ] {
        s.add(Sample {
            ratio: value,
            maybe: Some(value),
            ..sample("inf")
        })?;
    }
    s.commit()?;
    let rows = stored(db)?;
    let ratios: Vec<f64> = rows.iter().map(|r| r.ratio).collect();
    assert_eq!(
        ratios,
        [
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE / 2.0,
            -0.0
        ]
    );
    assert!(rows.iter().all(|r| r.maybe == Some(r.ratio)));

    let nan_row = |maybe| Sample {
        ratio: f64::NAN,
        maybe,
        ..sample("nan")
    };
    s.add(nan_row(Some(f64::NAN)))?;
    match db.backend {
        Backend::Sqlite => {
            let why = invalid_value(s.commit());
            assert!(why.contains("va_samples.ratio"), "{why}");
            assert!(why.contains("NaN"), "{why}");
            s.rollback()?;
            s.add(Sample {
                ratio: 1.0,
                ..nan_row(Some(f64::NAN))
            })?;
            let why = invalid_value(s.commit());
            assert!(why.contains("va_samples.maybe"), "{why}");
            s.rollback()?;
            assert_eq!(stored(db)?.len(), 4);
        }
        Backend::Postgres => {
            s.commit()?;
            let back = stored(db)?.pop().expect("the NaN row");
            assert!(back.ratio.is_nan() && back.maybe.is_some_and(f64::is_nan));
        }
    }
    Ok(())
}

/// Times keep microseconds, cut toward the past on every backend, before 1970 and before
/// 2000 too; the session's copy is what was stored.
fn timestamps_keep_microseconds(db: &TestDb) -> Result<()> {
    let at = |y, mo, d, h, mi, sec, nanos| {
        NaiveDate::from_ymd_opt(y, mo, d)
            .unwrap()
            .and_time(NaiveTime::from_hms_nano_opt(h, mi, sec, nanos).unwrap())
    };
    let cases = [
        (
            at(1969, 12, 31, 23, 59, 59, 999_999_999),
            at(1969, 12, 31, 23, 59, 59, 999_999_000),
        ),
        (
            at(1999, 12, 31, 23, 59, 59, 999_999_500),
            at(1999, 12, 31, 23, 59, 59, 999_999_000),
        ),
        (at(1900, 1, 1, 0, 0, 0, 1), at(1900, 1, 1, 0, 0, 0, 0)),
        (
            at(2038, 1, 19, 3, 14, 7, 123_456_789),
            at(2038, 1, 19, 3, 14, 7, 123_456_000),
        ),
    ];
    let mut s = db.engine.session()?;
    let mut handles = Vec::new();
    for (given, _) in cases {
        handles.push(s.add(Sample {
            at: given,
            ..sample("t")
        })?);
    }
    s.commit()?;
    let rows = stored(db)?;
    for ((_, expected), row) in cases.iter().zip(&rows) {
        assert_eq!(row.at, *expected, "stored");
    }
    for ((_, expected), h) in cases.iter().zip(handles) {
        assert_eq!(s.refresh(h)?.at, *expected, "read back");
    }
    // The session compares later writes against what was stored: re-adding the stored values
    // writes nothing.
    let before = db.engine.statement_count();
    let mut again = db.engine.session()?;
    let loaded = again.exec(select::<Sample>())?.all();
    let read = db.engine.statement_count() - before;
    for row in loaded {
        again.add(row)?;
    }
    again.flush()?;
    assert_eq!(
        db.engine.statement_count() - before,
        read,
        "nothing to update"
    );
    Ok(())
}

/// A hand-written query that returns fewer columns than its target tuple: `Error::Decode`
/// naming the missing column, on every backend, never a panic.
fn fewer_columns_than_the_target_is_a_decode_error(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let result = s.exec(raw::<(i64, String)>("SELECT 1"));
    match result {
        Err(Error::Decode(why)) => assert!(why.contains("column 2"), "{why}"),
        other => panic!("expected Error::Decode, got {other:?}"),
    }
    // A model from a query that lacks its columns.
    s.rollback()?;
    let result = s.exec(raw::<Sample>("SELECT id, label FROM va_samples"));
    assert!(matches!(result, Ok(ref r) if r.is_empty()), "{result:?}");
    s.add(sample("one"))?;
    s.commit()?;
    let result = s.exec(raw::<Sample>("SELECT id, label FROM va_samples"));
    assert!(matches!(result, Err(Error::Decode(_))), "{result:?}");
    Ok(())
}

/// A statement with another number of placeholders than bound values is a typed error
/// before anything is sent.
fn placeholder_count_mismatch_is_refused(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let result =
        s.exec(raw::<i64>("SELECT COUNT(*) FROM va_samples WHERE id = ? OR id = ?").bind(1));
    assert!(matches!(result, Err(Error::Statement(_))), "{result:?}");
    s.rollback()?;
    let result = s.exec(raw::<i64>("SELECT COUNT(*) FROM va_samples").bind(1));
    assert!(matches!(result, Err(Error::Statement(_))), "{result:?}");
    Ok(())
}

/// PostgreSQL types parameters from the statement: an integer compared with a NUMERIC column
/// is converted, and a value that cannot be converted is refused naming the parameter and both
/// types (the driver alone would send its bytes as they are).
fn postgres_parameters_are_converted_or_refused(db: &TestDb) -> Result<()> {
    if db.backend != Backend::Postgres {
        return Ok(());
    }
    let mut s = db.engine.session()?;
    s.exec(raw_execute(
        "CREATE TABLE va_prices (id BIGINT PRIMARY KEY, price NUMERIC(10, 2), at TIMESTAMP)",
    ))?;
    s.exec(raw_execute(
        "INSERT INTO va_prices VALUES (1, 5.50, '2024-01-01'), (2, 15.25, '2024-01-02'), \
         (3, 9999.99, NULL)",
    ))?;
    s.commit()?;
    let count = |s: &mut Session, bound: Value| -> Result<i64> {
        s.exec(raw::<i64>("SELECT COUNT(*) FROM va_prices WHERE price < ?").bind(bound))?
            .one()
    };
    assert_eq!(count(&mut s, Value::I64(10))?, 1);
    assert_eq!(count(&mut s, Value::I32(16))?, 2);
    assert_eq!(count(&mut s, Value::F64(10_000.0))?, 3);
    assert_eq!(count(&mut s, Value::I64(0))?, 0);

    let refused = |result: Result<Results<i64>>| match result {
        Err(Error::Parameter { index, reason }) => (index, reason),
        other => panic!("expected Error::Parameter, got {other:?}"),
    };
    let (index, reason) =
        refused(s.exec(raw::<i64>("SELECT COUNT(*) FROM va_prices WHERE id = ?").bind("12345678")));
    assert_eq!(index, 1);
    assert!(
        reason.contains("text") && reason.contains("int8"),
        "{reason}"
    );
    let (index, reason) = refused(
        s.exec(
            raw::<i64>("SELECT COUNT(*) FROM va_prices WHERE id = ? AND at < ?")
                .bind(1)
                .bind("2024-01-05"),
        ),
    );
    assert_eq!(index, 2);
    assert!(reason.contains("timestamp"), "{reason}");
    let (_, reason) =
        refused(s.exec(raw::<i64>("SELECT COUNT(*) FROM va_prices WHERE price < ?").bind(true)));
    assert!(
        reason.contains("bool") && reason.contains("numeric"),
        "{reason}"
    );
    // An integer too large for the parameter's type.
    let (index, reason) = refused(
        s.exec(raw::<i64>("SELECT COUNT(*) FROM va_prices WHERE id::int2 = ?").bind(100_000)),
    );
    assert_eq!(index, 1);
    assert!(
        reason.contains("100000") && reason.contains("int2"),
        "{reason}"
    );
    // Nothing reached the server: the session goes on.
    assert_eq!(count(&mut s, Value::I64(10))?, 1);
    Ok(())
}

/// Hand-written SQL keeps its text: a `?` inside a string, a dollar-quoted body, an `E''`
/// string or a nested comment is not a placeholder; on PostgreSQL, SQL written with `$1`
/// placeholders is sent as written, so `?` stays the JSONB operator.
fn raw_placeholders_skip_text_and_comments(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let one = |s: &mut Session, q: tablemodel::Raw<String>| -> Result<String> { s.exec(q)?.one() };
    assert_eq!(
        one(&mut s, raw("SELECT 'it''s ?' || ? /* ? */").bind("!"))?,
        "it's ?!"
    );
    assert_eq!(
        one(
            &mut s,
            raw("SELECT ? -- a ? in a comment\n || '?'").bind("x")
        )?,
        "x?"
    );
    if db.backend == Backend::Postgres {
        assert_eq!(
            one(&mut s, raw("SELECT $$ it's ? $$ || ?").bind("x"))?,
            " it's ? x"
        );
        assert_eq!(
            one(&mut s, raw("SELECT $q$ ? $q$ || ? || $$?$$").bind("y"))?,
            " ? y?"
        );
        assert_eq!(
            one(&mut s, raw(r"SELECT E'it\'s ?' || ?").bind("!"))?,
            "it's ?!"
        );
        // PostgreSQL's comments nest.
        assert_eq!(
            one(&mut s, raw("SELECT ? /* ? /* ? */ ? */ || '!'").bind("z"))?,
            "z!"
        );
        let has_key = s
            .exec(raw::<bool>(r#"SELECT '{"a": 1}'::jsonb ? $1"#).bind("a"))?
            .one()?;
        assert!(has_key, "the JSONB ? operator with native placeholders");
        let any_key = s
            .exec(
                raw::<bool>(r#"SELECT '{"a": 1}'::jsonb ?| ARRAY[$1, $2]"#)
                    .bind("b")
                    .bind("a"),
            )?
            .one()?;
        assert!(any_key);
    }
    Ok(())
}

/// Constraints whose names pass 63 bytes still name their table and columns in errors.
fn long_constraint_names_are_enforced_and_reported(db: &TestDb) -> Result<()> {
    let row = |name: &str, n| LongNames {
        id: None,
        a_column_whose_name_is_long_as_well: name.into(),
        another_column_with_a_rather_long_name: n,
    };
    let mut s = db.engine.session()?;
    s.add(row("x", 1))?;
    s.commit()?;
    s.add(row("x", 2))?;
    match s.commit() {
        Err(Error::UniqueViolation { table, columns, .. }) => {
            assert_eq!(table, "va_a_table_whose_name_is_long_enough_to_matter");
            assert_eq!(columns, ["a_column_whose_name_is_long_as_well"]);
        }
        other => panic!("expected a unique violation, got {other:?}"),
    }
    s.rollback()?;
    // Past validation, straight to the database's CHECK constraint.
    let n = s.exec(raw_execute(
        "UPDATE va_a_table_whose_name_is_long_enough_to_matter \
         SET another_column_with_a_rather_long_name = 99",
    ));
    match n {
        Err(Error::CheckViolation { columns, .. }) => {
            assert_eq!(columns, ["another_column_with_a_rather_long_name"]);
        }
        other => panic!("expected a check violation, got {other:?}"),
    }
    Ok(())
}

/// An upsert whose rows repeat their conflict key is one typed error on every backend
/// (PostgreSQL would refuse it untyped, SQLite would update the row twice).
fn upsert_repeating_a_conflict_key_is_refused(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let row = |name: &str, n| LongNames {
        id: None,
        a_column_whose_name_is_long_as_well: name.into(),
        another_column_with_a_rather_long_name: n,
    };
    let result = s.exec(
        insert([row("z", 1), row("y", 2), row("z", 3)])
            .on_conflict(LongNames::a_column_whose_name_is_long_as_well)
            .do_update(LongNames::another_column_with_a_rather_long_name),
    );
    match result {
        Err(Error::Statement(why)) => assert!(why.contains("rows 1 and 3"), "{why}"),
        other => panic!("expected Error::Statement, got {other:?}"),
    }
    s.rollback()?;
    let n = s.exec(select::<LongNames>().count())?;
    assert_eq!(n, 0, "nothing stored");
    Ok(())
}

/// A driver error that quotes a huge statement is cut to a readable message; its source keeps
/// all of it.
fn huge_statement_errors_are_readable(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let filler = "x".repeat(130_000);
    let result = s.exec(raw_execute(&format!("SELEKT '{filler}'")));
    let err = result.expect_err("a syntax error");
    let message = err.to_string();
    assert!(message.len() < 2_000, "{} characters", message.len());
    if let Error::Backend { source, .. } = &err {
        assert!(!source.to_string().is_empty());
    }
    Ok(())
}

/// SQLite constraint codes other than the common four come out typed: a foreign key enforced
/// by a trigger's RAISE is a foreign key violation.
fn sqlite_trigger_constraints_are_typed(db: &TestDb) -> Result<()> {
    if db.backend != Backend::Sqlite {
        return Ok(());
    }
    let mut s = db.engine.session()?;
    s.exec(raw_execute(
        "CREATE TRIGGER va_fk BEFORE INSERT ON va_samples WHEN NEW.label = 'orphan' \
         BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed'); END",
    ))?;
    s.exec(raw_execute(
        "CREATE TRIGGER va_other BEFORE INSERT ON va_samples WHEN NEW.label = 'odd' \
         BEGIN SELECT RAISE(ABORT, 'labels may not be odd'); END",
    ))?;
    s.commit()?;
    s.add(sample("orphan"))?;
    let err = s.commit().expect_err("the trigger refuses");
    assert!(matches!(err, Error::ForeignKeyViolation { .. }), "{err:?}");
    s.rollback()?;
    s.add(sample("odd"))?;
    match s.commit() {
        Err(Error::CheckViolation { constraint, .. }) => {
            assert!(constraint.contains("odd"), "{constraint}")
        }
        other => panic!("expected a check violation, got {other:?}"),
    }
    Ok(())
}

/// `insert([...])` of more rows than one statement can bind goes out in several statements,
/// all or nothing; `in_` with more values than the parameter limit is one list parameter.
fn parameter_limits_are_not_the_users_problem(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let rows: Vec<Sample> = (0..35_000)
        .map(|i| Sample {
            note: (i % 2 == 0).then(|| format!("n{i}")),
            ..sample(&format!("r{i}"))
        })
        .collect();
    let stored = s.exec(insert(rows))?;
    assert_eq!(stored.len(), 35_000);
    s.commit()?;
    assert_eq!(s.exec(select::<Sample>().count())?, 35_000);

    // One bad row among many: nothing of the statement stays.
    let mut bad: Vec<Sample> = (0..20_000).map(|i| sample(&format!("b{i}"))).collect();
    bad[19_999].label = "\0".into();
    assert!(s.exec(insert(bad)).is_err());
    s.rollback()?;
    assert_eq!(s.exec(select::<Sample>().count())?, 35_000);

    // More values than either database binds in one statement (SQLite 32 766, PostgreSQL
    // 65 535).
    let wanted: Vec<String> = (0..70_000).map(|i| format!("r{}", i * 2)).collect();
    let n = s.exec(
        select::<Sample>()
            .where_(Sample::label.in_(wanted.clone()))
            .count(),
    )?;
    assert_eq!(n, 17_500, "r0, r2, ... r34998");
    let n = s.exec(
        select::<Sample>()
            .where_(Sample::label.not_in(wanted))
            .count(),
    )?;
    assert_eq!(n, 17_500);
    // Lists of other types, and NULL inside a list (which matches nothing, as in SQL).
    let ids: Vec<i64> = (1..=70_000).collect();
    assert_eq!(
        s.exec(select::<Sample>().where_(Sample::id.in_(ids)).count())?,
        35_000
    );
    let notes = vec![Some("n0".to_owned()), None, Some("n2".to_owned())];
    assert_eq!(
        s.exec(select::<Sample>().where_(Sample::note.in_(notes)).count())?,
        2
    );
    // Long lists (matched another way than short ones on PostgreSQL) keep SQL's meaning of
    // NULL: a NULL matches nothing, and NOT IN a list holding NULL matches no row.
    let mut notes: Vec<Option<String>> = (0..41).map(|i| Some(format!("n{i}"))).collect();
    notes.push(None);
    let in_long = Sample::note.in_(notes.clone());
    assert_eq!(s.exec(select::<Sample>().where_(in_long).count())?, 21);
    let not_in_long = Sample::note.not_in(notes);
    assert_eq!(s.exec(select::<Sample>().where_(not_in_long).count())?, 0);
    // A refused value inside a list is refused like any other.
    let result = s.exec(select::<Sample>().where_(Sample::label.in_(["ok", "\0"])));
    assert!(matches!(result, Err(Error::InvalidValue(_))), "{result:?}");
    Ok(())
}

backend_tests!(
    parameter_limits_are_not_the_users_problem,
    upsert_repeating_a_conflict_key_is_refused,
    huge_statement_errors_are_readable,
    sqlite_trigger_constraints_are_typed,
    long_constraint_names_are_enforced_and_reported,
    raw_placeholders_skip_text_and_comments,
    eq_none_is_null,
    nul_text_is_refused_naming_the_column,
    nan_and_infinities,
    timestamps_keep_microseconds,
    fewer_columns_than_the_target_is_a_decode_error,
    placeholder_count_mismatch_is_refused,
    postgres_parameters_are_converted_or_refused,
);
