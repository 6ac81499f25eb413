mod common;

use common::TestDb;
use tablemodel::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "r_people")]
pub struct Person {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    pub age: i32,
    pub note: Option<String>,
}

const COLUMNS: &str = "SELECT id, name, age, note FROM r_people";

/// Commits Ann (25), Bob (31, note "tall"), Cid (40) and Dee (52, note "what?"), ids 1 to 4.
fn people(db: &TestDb) -> Result<Session> {
    let mut s = db.engine.session()?;
    let rows = [
        ("Ann", 25, None),
        ("Bob", 31, Some("tall")),
        ("Cid", 40, None),
        ("Dee", 52, Some("what?")),
    ];
    s.add_all(rows.map(|(name, age, note)| Person {
        id: None,
        name: name.into(),
        age,
        note: note.map(Into::into),
    }))?;
    s.commit()?;
    Ok(s)
}

fn pairs(rows: &[(&str, i64)]) -> Vec<(String, i64)> {
    rows.iter().map(|(n, a)| ((*n).to_owned(), *a)).collect()
}

fn tuples_from_bound_query(db: &TestDb) -> Result<()> {
    let mut s = people(db)?;
    let rows = s
        .exec(
            raw::<(String, i64)>("SELECT name, age FROM r_people WHERE age > ? ORDER BY age DESC")
                .bind(30),
        )?
        .all();
    assert_eq!(rows, pairs(&[("Dee", 52), ("Cid", 40), ("Bob", 31)]));
    let rows = s
        .exec(
            raw::<(String, i64)>("SELECT name, age FROM r_people WHERE age BETWEEN ? AND ? AND name <> ? ORDER BY id")
                .bind(25)
                .bind(45)
                .bind("Bob"),
        )?
        .all();
    assert_eq!(rows, pairs(&[("Ann", 25), ("Cid", 40)]));
    let rows = s
        .exec(
            raw::<(i64, Option<String>)>(
                "SELECT id, note FROM r_people WHERE id IN (?, ?) ORDER BY id",
            )
            .bind(2)
            .bind(3),
        )?
        .all();
    assert_eq!(rows, [(2, Some("tall".to_owned())), (3, None)]);
    let count = s
        .exec(raw::<i64>(
            "SELECT COUNT(*) FROM r_people WHERE note IS NULL",
        ))?
        .one()?;
    assert_eq!(count, 2);
    let none =
        s.exec(raw::<(String, i64)>("SELECT name, age FROM r_people WHERE age > ?").bind(99))?;
    assert!(none.is_empty());
    assert!(matches!(none.one(), Err(Error::NoResult)));
    Ok(())
}

fn whole_models(db: &TestDb) -> Result<()> {
    let mut s = people(db)?;
    let expected = s
        .exec(
            select::<Person>()
                .where_(Person::name.contains("e"))
                .order_by(Person::id),
        )?
        .all();
    assert_eq!(expected.len(), 1);
    let found = s
        .exec(raw::<Person>(&format!("{COLUMNS} WHERE name LIKE ? ORDER BY id")).bind("%e%"))?
        .all();
    assert_eq!(found, expected);
    let all = s
        .exec(raw::<Person>(&format!("{COLUMNS} ORDER BY age DESC")))?
        .all();
    assert_eq!(
        all.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["Dee", "Cid", "Bob", "Ann"]
    );
    assert_eq!(
        all[2],
        Person {
            id: Some(2),
            name: "Bob".into(),
            age: 31,
            note: Some("tall".into()),
        }
    );
    // A model followed by further columns.
    let with_len = s
        .exec(raw::<(Person, i64)>("SELECT id, name, age, note, LENGTH(note) FROM r_people WHERE note IS NOT NULL ORDER BY id"))?
        .all();
    assert_eq!(
        with_len.iter().map(|(p, n)| (p.id, *n)).collect::<Vec<_>>(),
        [(Some(2), 4), (Some(4), 5)]
    );
    Ok(())
}

fn execute_returns_affected_rows(db: &TestDb) -> Result<()> {
    let mut s = people(db)?;
    assert_eq!(
        s.exec(raw_execute("UPDATE r_people SET age = age + 1 WHERE age >= ?").bind(40))?,
        2
    );
    assert_eq!(
        s.exec(
            raw_execute("UPDATE r_people SET note = ? WHERE name = ?")
                .bind("x")
                .bind("Nobody")
        )?,
        0
    );
    assert_eq!(
        s.exec(
            raw_execute("INSERT INTO r_people (name, age, note) VALUES (?, ?, ?)")
                .bind("Eve")
                .bind(19)
                .bind(None::<String>)
        )?,
        1
    );
    assert_eq!(
        s.exec(raw_execute("DELETE FROM r_people WHERE age < ?").bind(30))?,
        2
    );
    s.commit()?;
    let rest = s.exec(select::<Person>().order_by(Person::id))?.all();
    assert_eq!(
        rest.iter()
            .map(|p| (p.name.as_str(), p.age))
            .collect::<Vec<_>>(),
        [("Bob", 31), ("Cid", 41), ("Dee", 53)]
    );
    // Raw statements are part of the session's transaction.
    assert_eq!(s.exec(raw_execute("DELETE FROM r_people"))?, 3);
    s.rollback()?;
    assert_eq!(s.exec(select::<Person>().count())?, 3);
    Ok(())
}

fn raw_queries_see_staged_rows(db: &TestDb) -> Result<()> {
    let mut s = people(db)?;
    s.add(Person {
        id: None,
        name: "Fay".into(),
        age: 60,
        note: None,
    })?;
    let oldest = s
        .exec(raw::<String>("SELECT name FROM r_people ORDER BY age DESC"))?
        .first();
    assert_eq!(oldest.as_deref(), Some("Fay"));
    Ok(())
}

fn question_marks_in_literals_are_not_placeholders(db: &TestDb) -> Result<()> {
    let mut s = people(db)?;
    let row = s
        .exec(
            raw::<(String, String)>("SELECT name, 'why?' FROM r_people WHERE name = ?").bind("Cid"),
        )?
        .one()?;
    assert_eq!(row, ("Cid".to_owned(), "why?".to_owned()));
    let names = s
        .exec(
            raw::<String>("SELECT name FROM r_people WHERE note = 'what?' OR age = ? ORDER BY id")
                .bind(25),
        )?
        .all();
    assert_eq!(names, ["Ann", "Dee"]);
    let row = s
        .exec(
            raw::<(String, i64)>(
                "SELECT 'it''s ?' AS \"really?\", age FROM r_people WHERE name = ? AND age > ?",
            )
            .bind("Bob")
            .bind(30),
        )?
        .one()?;
    assert_eq!(row, ("it's ?".to_owned(), 31));
    Ok(())
}

fn question_marks_in_comments_are_not_placeholders(db: &TestDb) -> Result<()> {
    let mut s = people(db)?;
    let names = s
        .exec(raw::<String>("SELECT name FROM r_people -- older than what?\nWHERE age > ? /* or? */ ORDER BY id").bind(35))?
        .all();
    assert_eq!(names, ["Cid", "Dee"]);
    Ok(())
}

fn bound_values_with_quotes(db: &TestDb) -> Result<()> {
    let mut s = people(db)?;
    let tricky = [
        "O'Hara",
        "Robert'); DROP TABLE r_people; --",
        "' OR '1'='1",
        "\"quoted\" ?",
        "back\\slash '?'",
    ];
    for (n, name) in tricky.iter().enumerate() {
        let inserted = s.exec(
            raw_execute("INSERT INTO r_people (name, age, note) VALUES (?, ?, ?)")
                .bind(*name)
                .bind(70 + n as i32)
                .bind(Some(*name)),
        )?;
        assert_eq!(inserted, 1);
    }
    s.commit()?;
    assert_eq!(
        s.exec(raw::<i64>("SELECT COUNT(*) FROM r_people"))?.one()?,
        9
    );
    for (n, name) in tricky.iter().enumerate() {
        let row = s
            .exec(
                raw::<(String, i64, Option<String>)>(
                    "SELECT name, age, note FROM r_people WHERE name = ?",
                )
                .bind(*name),
            )?
            .one()?;
        assert_eq!(
            row,
            ((*name).to_owned(), 70 + n as i64, Some((*name).to_owned()))
        );
        let person = s
            .exec(select::<Person>().where_(Person::name.eq(*name)))?
            .one()?;
        assert_eq!(person.note.as_deref(), Some(*name));
    }
    assert!(
        s.exec(raw::<String>("SELECT name FROM r_people WHERE name = ?").bind("x' OR 'a'='a"))?
            .is_empty()
    );
    assert_eq!(
        s.exec(raw_execute("DELETE FROM r_people WHERE note = ?").bind("' OR '1'='1"))?,
        1
    );
    s.commit()?;
    assert_eq!(s.exec(select::<Person>().count())?, 8);
    Ok(())
}

backend_tests!(
    tuples_from_bound_query,
    whole_models,
    execute_returns_affected_rows,
    raw_queries_see_staged_rows,
    question_marks_in_literals_are_not_placeholders,
    question_marks_in_comments_are_not_placeholders,
    bound_values_with_quotes,
);
