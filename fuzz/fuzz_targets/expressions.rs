//! Random condition trees, built through the typed API, rendered and run on SQLite: each
//! query gives rows or a typed error (a value the database cannot store), never a panic and
//! never an SQL syntax error; a condition and its negation never both match a row.
#![no_main]

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use tablemodel::prelude::*;
use tablemodel::{Cond, Engine};

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "fz_items")]
pub struct Item {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    pub note: Option<String>,
    pub n: i64,
    pub x: f64,
    pub flag: bool,
}

#[derive(Arbitrary, Debug)]
enum Expr {
    NameEq(String),
    NameNe(String),
    NameContains(String),
    NameStarts(String),
    NameEnds(String),
    NameLike(String),
    NameIlike(String),
    NameIn(Vec<String>),
    NameNotIn(Vec<String>),
    NoteEq(Option<String>),
    NoteNe(Option<String>),
    NoteNull,
    NGt(i64),
    NLe(i64),
    NBetween(i64, i64),
    NIn(Vec<i64>),
    XLt(f64),
    Flag(bool),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
}

fn cond(e: &Expr, depth: u32) -> Cond<Item> {
    if depth > 12 {
        return Item::flag.eq(true);
    }
    match e {
        Expr::NameEq(s) => Item::name.eq(s.as_str()),
        Expr::NameNe(s) => Item::name.ne(s.as_str()),
        Expr::NameContains(s) => Item::name.contains(s),
        Expr::NameStarts(s) => Item::name.starts_with(s),
        Expr::NameEnds(s) => Item::name.ends_with(s),
        Expr::NameLike(s) => Item::name.like(s),
        Expr::NameIlike(s) => Item::name.ilike(s),
        Expr::NameIn(v) => Item::name.in_(v.iter().map(String::as_str)),
        Expr::NameNotIn(v) => Item::name.not_in(v.iter().map(String::as_str)),
        Expr::NoteEq(v) => Item::note.eq(v.clone()),
        Expr::NoteNe(v) => Item::note.ne(v.clone()),
        Expr::NoteNull => Item::note.is_null(),
        Expr::NGt(v) => Item::n.gt(*v),
        Expr::NLe(v) => Item::n.le(*v),
        Expr::NBetween(a, b) => Item::n.between(*a, *b),
        Expr::NIn(v) => Item::n.in_(v.iter().copied()),
        Expr::XLt(v) => Item::x.lt(*v),
        Expr::Flag(b) => Item::flag.eq(*b),
        Expr::And(a, b) => cond(a, depth + 1) & cond(b, depth + 1),
        Expr::Or(a, b) => cond(a, depth + 1) | cond(b, depth + 1),
        Expr::Not(a) => !cond(a, depth + 1),
    }
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let engine = tablemodel::create_engine("sqlite::memory:").expect("engine");
        metadata().create_all(&engine).expect("tables");
        let mut s = engine.session().expect("session");
        for (i, name) in ["a", "b%", "c_d", "É", "", "it's", "x\\y"].iter().enumerate() {
            s.add(Item {
                id: None,
                name: (*name).into(),
                note: (i % 2 == 0).then(|| format!("note {i}")),
                n: i as i64 - 3,
                x: i as f64 / 2.0,
                flag: i % 3 == 0,
            })
            .expect("add");
        }
        s.commit().expect("seed");
        engine
    })
}

fuzz_target!(|e: Expr| {
    let c = cond(&e, 0);
    let mut s = engine().session().expect("session");
    let matched = s.exec(select::<Item>().where_(c.clone()));
    let negated = s.exec(select::<Item>().where_(!c));
    match (matched, negated) {
        (Ok(yes), Ok(no)) => {
            let yes: Vec<_> = yes.all().into_iter().filter_map(|i| i.id).collect();
            let no: Vec<_> = no.all().into_iter().filter_map(|i| i.id).collect();
            assert!(yes.iter().all(|id| !no.contains(id)), "{e:?} and its negation both match");
        }
        (Err(Error::InvalidValue(_)), _) | (_, Err(Error::InvalidValue(_))) => {}
        (Err(err), _) | (_, Err(err)) => panic!("{e:?}: {err:?}"),
    }
});
