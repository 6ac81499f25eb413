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

#[test]
fn smoke() -> Result<()> {
    let engine = tablemodel::create_engine("sqlite::memory:")?;
    metadata().create_all(&engine)?;
    let mut s = engine.session()?;
    let h = s.add(User::new("alice", "alice@example.com"))?;
    s.commit()?;
    let alice = s.refresh(h)?;
    assert_eq!(alice.id, Some(1));
    let found = s
        .exec(select::<User>().where_(User::username.contains("lic")))?
        .all();
    assert_eq!(found.len(), 1);
    let err = s.add(User::new("ab", "nope")).unwrap_err();
    println!("{err}");
    Ok(())
}
