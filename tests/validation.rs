//! Validation rules on models: every failing field and rule reported, nothing invalid staged,
//! and the bounded rules enforced by the database as CHECK constraints.

mod common;

use std::collections::BTreeMap;

use common::TestDb;
use tablemodel::prelude::*;
use tablemodel::{CheckRule, ValidationError, ValidationErrors};

fn not_reserved(name: &str) -> std::result::Result<(), ValidationError> {
    if ["admin", "root"].contains(&name.to_lowercase().as_str()) {
        return Err(ValidationError::new("reserved"));
    }
    Ok(())
}

fn no_spaces(handle: &str) -> std::result::Result<(), ValidationError> {
    if handle.contains(' ') {
        return Err(ValidationError::new("spaces"));
    }
    Ok(())
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "accounts")]
pub struct Account {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[validate(length(min = 3, max = 20), custom(function = not_reserved))]
    pub username: String,
    #[validate(email)]
    pub email: String,
    #[validate(length(equal = 2))]
    pub country_code: String,
    #[validate(range(min = 13, max = 130))]
    pub age: i32,
    #[validate(url)]
    pub homepage: Option<String>,
    #[validate(length(max = 40))]
    pub full_name: Option<String>,
    #[validate(contains(pattern = "#"))]
    pub tag: String,
    #[validate(length(min = 12), does_not_contain(pattern = "password"))]
    pub password: String,
    #[validate(range(min = 0.0, max = 5.0))]
    pub rating: Option<f64>,
}

impl Account {
    fn valid() -> Account {
        Account {
            rating: Some(4.5),
            homepage: Some("https://example.com/alice".into()),
            ..Account::new(
                "alice",
                "alice@example.com",
                "FR",
                30,
                "#rust",
                "s3cr3t-phrase",
            )
        }
    }
}

/// Custom messages and codes, on built-in rules and on a custom function.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "profiles")]
pub struct Profile {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[validate(length(min = 3, message = "pick a longer name", code = "name_too_short"))]
    pub name: String,
    #[validate(email(message = "not an email address"))]
    pub email: String,
    #[validate(custom(function = no_spaces, code = "bad_handle", message = "no spaces, please"))]
    pub handle: String,
    #[validate(custom(function = no_spaces))]
    pub nickname: Option<String>,
    #[validate(range(exclusive_min = 0, max = 10, code = "level"))]
    pub level: i16,
}

pub const MAX_NOTE: u64 = 10;

/// Bounds of other kinds: a float column, exclusive bounds, a bound named by a constant.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "gauges")]
pub struct Gauge {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[validate(range(min = 0.0, max = 0.1))]
    pub ratio: f32,
    #[validate(range(exclusive_min = 0, exclusive_max = 100))]
    pub level: i16,
    #[validate(length(max = MAX_NOTE))]
    pub note: String,
}

/// Field name -> error codes, sorted, from a validation failure.
fn failures(err: &ValidationErrors) -> BTreeMap<String, Vec<String>> {
    err.field_errors()
        .into_iter()
        .map(|(field, errors)| {
            let mut codes: Vec<String> = errors.iter().map(|e| e.code.to_string()).collect();
            codes.sort();
            (field.to_string(), codes)
        })
        .collect()
}

fn expected(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
    pairs
        .iter()
        .map(|(f, codes)| {
            let mut codes: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
            codes.sort();
            (f.to_string(), codes)
        })
        .collect()
}

fn validation_failures(result: Result<impl std::fmt::Debug>) -> BTreeMap<String, Vec<String>> {
    match result {
        Err(Error::Validation(e)) => failures(&e),
        other => panic!("expected Error::Validation, got {other:?}"),
    }
}

fn count_accounts(s: &mut Session) -> Result<i64> {
    s.exec(select::<Account>().count())
}

fn valid_models_pass_and_are_stored(db: &TestDb) -> Result<()> {
    assert!(Account::valid().validate().is_ok());
    // Lengths count characters, not bytes, in Rust and in the database alike.
    let wide = Account {
        username: "日本語".into(),
        country_code: "日本".into(),
        full_name: Some("é".repeat(40)),
        rating: Some(0.0),
        age: 130,
        ..Account::valid()
    };
    assert!(wide.validate().is_ok());
    let bounds = Account {
        username: "a".repeat(20),
        age: 13,
        rating: Some(5.0),
        homepage: None,
        full_name: None,
        email: "bob@example.com".into(),
        ..Account::valid()
    };
    let mut s = db.engine.session()?;
    s.add_all([wide.clone(), bounds.clone()])?;
    s.commit()?;
    let stored = s.exec(select::<Account>().order_by(Account::age))?.all();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0].username, bounds.username);
    assert_eq!(stored[1].full_name, wide.full_name);
    Ok(())
}

fn every_failing_field_and_rule_is_reported(db: &TestDb) -> Result<()> {
    let bad = Account {
        id: None,
        username: "ab".into(),
        email: "not-an-email".into(),
        country_code: "FRA".into(),
        age: 7,
        homepage: Some("not a url".into()),
        full_name: Some("x".repeat(41)),
        tag: "rust".into(),
        password: "password".into(),
        rating: Some(5.5),
    };
    let err = bad.validate().unwrap_err();
    let all = expected(&[
        ("username", &["length"]),
        ("email", &["email"]),
        ("country_code", &["length"]),
        ("age", &["range"]),
        ("homepage", &["url"]),
        ("full_name", &["length"]),
        ("tag", &["contains"]),
        ("password", &["length", "does_not_contain"]),
        ("rating", &["range"]),
    ]);
    assert_eq!(failures(&err), all);

    // The bounds travel with the error.
    let errors = err.field_errors();
    let username = &errors["username"][0];
    assert_eq!(username.params["min"], 3);
    assert_eq!(username.params["max"], 20);
    assert_eq!(errors["age"][0].params["min"], 13);
    assert_eq!(errors["country_code"][0].params["equal"], 2);

    // Several rules of one field fail together; a custom function is one of them.
    let reserved = Account {
        username: "admin".into(),
        ..Account::valid()
    };
    assert_eq!(
        failures(&reserved.validate().unwrap_err()),
        expected(&[("username", &["reserved"])])
    );
    let both = Account {
        username: "Root".into(),
        password: "short".into(),
        ..Account::valid()
    };
    assert_eq!(
        failures(&both.validate().unwrap_err()),
        expected(&[("username", &["reserved"]), ("password", &["length"])])
    );

    // The session reports the same list.
    let mut s = db.engine.session()?;
    assert_eq!(validation_failures(s.add(bad)), all);
    Ok(())
}

fn custom_messages_and_codes_are_reported(db: &TestDb) -> Result<()> {
    let good = Profile {
        id: None,
        name: "Deadpond".into(),
        email: "dive@example.com".into(),
        handle: "deadpond".into(),
        nickname: Some("dp".into()),
        level: 10,
    };
    assert!(good.validate().is_ok());
    let bad = Profile {
        name: "DP".into(),
        email: "dive".into(),
        handle: "dead pond".into(),
        nickname: Some("d p".into()),
        level: 0,
        ..good.clone()
    };
    let err = bad.validate().unwrap_err();
    assert_eq!(
        failures(&err),
        expected(&[
            ("name", &["name_too_short"]),
            ("email", &["email"]),
            ("handle", &["bad_handle"]),
            ("nickname", &["spaces"]),
            ("level", &["level"]),
        ])
    );
    let errors = err.field_errors();
    let message = |field: &str| errors[field][0].message.as_deref().map(str::to_owned);
    assert_eq!(message("name").as_deref(), Some("pick a longer name"));
    assert_eq!(message("email").as_deref(), Some("not an email address"));
    assert_eq!(message("handle").as_deref(), Some("no spaces, please"));
    assert_eq!(message("nickname"), None);
    assert_eq!(
        Error::Validation(err).to_string(),
        "validation failed: email: not an email address; handle: no spaces, please; level: \
         breaks the `level` rule (it must be greater than 0 and at most 10); name: pick a longer \
         name; nickname: breaks the `spaces` rule"
    );

    let mut s = db.engine.session()?;
    let h = s.add(good)?;
    s.commit()?;
    assert_eq!(s.refresh(h)?.level, 10);
    Ok(())
}

fn optional_fields_skip_their_rules_when_none(db: &TestDb) -> Result<()> {
    let none = Account {
        homepage: None,
        full_name: None,
        rating: None,
        ..Account::valid()
    };
    assert!(none.validate().is_ok());
    let some_bad = Account {
        homepage: Some("example dot com".into()),
        rating: Some(-0.5),
        ..none.clone()
    };
    assert_eq!(
        failures(&some_bad.validate().unwrap_err()),
        expected(&[("homepage", &["url"]), ("rating", &["range"])])
    );
    let profile = Profile {
        id: None,
        name: "Rusty-Man".into(),
        email: "tommy@example.com".into(),
        handle: "rusty".into(),
        nickname: None,
        level: 1,
    };
    assert!(profile.validate().is_ok());

    let mut s = db.engine.session()?;
    let h = s.add(none)?;
    s.commit()?;
    let stored = s.refresh(h)?;
    assert_eq!((stored.homepage, stored.rating), (None, None));
    Ok(())
}

fn add_insert_and_add_all_refuse_invalid_models(db: &TestDb) -> Result<()> {
    let invalid = Account {
        username: "x".into(),
        ..Account::valid()
    };
    let mut s = db.engine.session()?;

    assert!(matches!(s.add(invalid.clone()), Err(Error::Validation(_))));
    s.commit()?;
    assert_eq!(count_accounts(&mut s)?, 0, "add staged nothing");

    let mut copy = invalid.clone();
    let err = s.insert(&mut copy).unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    assert_eq!(copy.id, None);
    s.commit()?;
    assert_eq!(count_accounts(&mut s)?, 0, "insert wrote nothing");

    let batch = vec![
        Account::valid(),
        invalid.clone(),
        Account {
            username: "carol".into(),
            email: "carol@example.com".into(),
            ..Account::valid()
        },
    ];
    let failed = validation_failures(s.add_all(batch));
    assert_eq!(failed, expected(&[("username", &["length"])]));
    s.commit()?;
    assert_eq!(
        count_accounts(&mut s)?,
        0,
        "add_all staged none of the batch"
    );

    // Valid work still goes through, and an invalid change to a loaded row is refused too.
    let h = s.add(Account::valid())?;
    assert!(s.add(invalid).is_err());
    s.commit()?;
    assert_eq!(count_accounts(&mut s)?, 1);
    let mut alice = s.refresh(h)?;
    alice.age = 200;
    assert!(matches!(s.add(alice.clone()), Err(Error::Validation(_))));
    s.commit()?;
    let mut fresh = db.engine.session()?;
    let stored = fresh.exec(select::<Account>())?.one()?;
    assert_eq!(stored.age, 30);
    Ok(())
}

fn expect_check(result: Result<u64>, constraint: &str, column: &str) {
    match result {
        Err(Error::CheckViolation {
            table,
            constraint: c,
            columns,
            ..
        }) if table == "accounts" && c == constraint && columns == [column] => {}
        other => panic!("expected CHECK {constraint} on accounts.{column}, got {other:?}"),
    }
}

fn check_constraints_stop_bad_rows_written_by_sql(db: &TestDb) -> Result<()> {
    let checks: Vec<(String, &str, CheckRule)> = Account::TABLE
        .checks
        .iter()
        .map(|c| (c.name.to_owned(), c.column, c.rule))
        .collect();
    let length = |min, max| CheckRule::Length { min, max };
    let range = |min, max| CheckRule::Range {
        min,
        max,
        exclusive_min: None,
        exclusive_max: None,
    };
    let declared = [
        ("username", "length", length(Some(3), Some(20))),
        ("country_code", "length", length(Some(2), Some(2))),
        ("age", "range", range(Some(13.0), Some(130.0))),
        ("full_name", "length", length(None, Some(40))),
        ("password", "length", length(Some(12), None)),
        ("rating", "range", range(Some(0.0), Some(5.0))),
    ];
    let declared: Vec<(String, &str, CheckRule)> = declared
        .into_iter()
        .map(|(column, rule, check)| (format!("ck_accounts_{column}_{rule}"), column, check))
        .collect();
    assert_eq!(checks, declared);

    let insert = |username: &str,
                  country: &str,
                  age: i32,
                  full_name: Option<&str>,
                  rating: Option<f64>| {
        raw_execute(
            "INSERT INTO accounts (username, email, country_code, age, full_name, tag, password, rating) \
             VALUES (?, 'x@example.com', ?, ?, ?, '#', 'long enough!', ?)",
        )
        .bind(username.to_owned())
        .bind(country.to_owned())
        .bind(age)
        .bind(full_name.map(str::to_owned))
        .bind(rating)
    };
    let mut s = db.engine.session()?;
    s.exec(insert("alice", "FR", 30, None, None))?;
    s.commit()?;

    let long = "y".repeat(41);
    let cases = [
        (insert("al", "FR", 30, None, None), "username", "length"),
        (
            insert(&"z".repeat(21), "FR", 30, None, None),
            "username",
            "length",
        ),
        (insert("bob", "F", 30, None, None), "country_code", "length"),
        (
            insert("bob", "FRA", 30, None, None),
            "country_code",
            "length",
        ),
        (insert("bob", "FR", 12, None, None), "age", "range"),
        (insert("bob", "FR", 131, None, None), "age", "range"),
        (
            insert("bob", "FR", 30, Some(&long), None),
            "full_name",
            "length",
        ),
        (insert("bob", "FR", 30, None, Some(5.01)), "rating", "range"),
    ];
    for (statement, column, rule) in cases {
        let result = s.exec(statement);
        expect_check(result, &format!("ck_accounts_{column}_{rule}"), column);
        // The failed statement takes nothing else with it.
        assert_eq!(count_accounts(&mut s)?, 1);
    }
    let bulk = update::<Account>().set(Account::age, 200);
    expect_check(s.exec(bulk), "ck_accounts_age_range", "age");
    let short = update::<Account>().set(Account::password, "short");
    expect_check(s.exec(short), "ck_accounts_password_length", "password");

    // Characters, not bytes; NULL passes a check.
    s.exec(insert(
        "日本語",
        "日本",
        130,
        Some(&"é".repeat(40)),
        Some(0.0),
    ))?;
    s.exec(insert("carol", "DE", 13, None, None))?;
    s.commit()?;
    assert_eq!(count_accounts(&mut s)?, 3);
    Ok(())
}

fn float_bounds_accept_what_the_rules_accept(db: &TestDb) -> Result<()> {
    let edge = Gauge::new(0.1_f32, 1_i16, "at the top");
    assert!(edge.validate().is_ok(), "0.1 is within range(max = 0.1)");
    let mut s = db.engine.session()?;
    let h = s.add(edge)?;
    s.commit()?;
    assert_eq!(s.refresh(h)?.ratio, 0.1_f32);

    let over = Gauge::new(0.100_001_f32, 1_i16, "");
    assert_eq!(
        failures(&over.validate().unwrap_err()),
        expected(&[("ratio", &["range"])])
    );
    let long = Gauge::new(0.0_f32, 1_i16, "x".repeat(11));
    let err = long.validate().unwrap_err();
    assert_eq!(failures(&err), expected(&[("note", &["length"])]));
    assert_eq!(err.field_errors()["note"][0].params["max"], 10);
    Ok(())
}

fn exclusive_bounds_stop_bad_rows_written_by_sql(db: &TestDb) -> Result<()> {
    for level in [0_i16, 100] {
        let model = Gauge::new(0.0_f32, level, "");
        assert_eq!(
            failures(&model.validate().unwrap_err()),
            expected(&[("level", &["range"])])
        );
    }
    let mut s = db.engine.session()?;
    s.add(Gauge::new(0.0_f32, 99_i16, ""))?;
    s.commit()?;
    for level in [0_i16, 100] {
        let insert = raw_execute("INSERT INTO gauges (ratio, level, note) VALUES (0, ?, '')");
        match s.exec(insert.bind(level)) {
            Err(Error::CheckViolation { table, columns, .. }) => {
                assert_eq!(
                    (table.as_str(), columns),
                    ("gauges", vec!["level".to_owned()])
                );
            }
            other => {
                panic!("level {level} written by SQL: expected a CHECK violation, got {other:?}")
            }
        }
    }
    assert_eq!(s.exec(select::<Gauge>().count())?, 1);
    Ok(())
}

backend_tests!(
    valid_models_pass_and_are_stored,
    every_failing_field_and_rule_is_reported,
    custom_messages_and_codes_are_reported,
    optional_fields_skip_their_rules_when_none,
    add_insert_and_add_all_refuse_invalid_models,
    check_constraints_stop_bad_rows_written_by_sql,
    float_bounds_accept_what_the_rules_accept,
    exclusive_bounds_stop_bad_rows_written_by_sql,
);
