mod common;

use common::TestDb;
use tablemodel::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "users")]
pub struct User {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(index, unique)]
    #[validate(length(min = 3, max = 50))]
    pub username: String,
    #[model(unique)]
    #[validate(email)]
    pub email: String,
    #[validate(length(max = 100))]
    pub full_name: Option<String>,
    #[model(default = true)]
    pub is_active: bool,
    #[model(default = chrono::Utc::now)]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

fn smoke(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let h = s.add(User::new("alice", "alice@example.com"))?;
    s.commit()?;
    let alice = s.refresh(h)?;
    assert_eq!(alice.id, Some(1));
    let found = s
        .exec(select::<User>().where_(User::username.contains("lic")))?
        .all();
    assert_eq!(found, vec![alice.clone()]);
    assert!(matches!(
        s.add(User::new("ab", "nope")),
        Err(Error::Validation(_))
    ));
    s.add(User::new("alice", "other@example.com"))?;
    let err = s.commit().unwrap_err();
    assert!(
        matches!(&err, Error::UniqueViolation { table, columns, .. } if table == "users" && columns == &["username"]),
        "{err:?}"
    );
    s.rollback()?;
    assert_eq!(s.exec(select::<User>().count())?, 1);
    Ok(())
}

backend_tests!(smoke);
