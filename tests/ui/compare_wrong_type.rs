use tablemodel::prelude::*;

#[derive(Model)]
struct User {
    #[model(primary_key)]
    id: Option<i64>,
    name: String,
}

fn main() {
    let _ = select::<User>().where_(User::id.eq("x"));
    let _ = select::<User>().where_(User::name.gt(5));
}
