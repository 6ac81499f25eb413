use tablemodel::prelude::*;

#[derive(Model)]
struct Team {
    #[model(primary_key)]
    id: Option<i64>,
    name: String,
}

#[derive(Model)]
#[model(table = "users", unique(name, team_id))]
struct User {
    #[model(primary_key)]
    id: Option<i64>,
    #[validate(length(min = 1, max = 50))]
    name: String,
    age: Option<i32>,
    #[model(foreign_key = Team::id, on_delete = cascade)]
    team_id: Option<i64>,
}

#[derive(Model)]
struct Country {
    #[model(primary_key)]
    code: String,
}

fn main() {
    let _ = select::<User>()
        .where_(User::id.eq(1) & User::name.eq("x") & User::age.gt(5))
        .where_(User::name.contains("a") | User::age.is_null())
        .order_by(User::name);
    let _ = select::<Team>().where_(Team::name.like("A%"));
    let _ = select::<Country>().where_(Country::code.eq("fr"));
    let _ = update::<User>().set(User::age, 42).where_(User::id.eq(1));
    let _ = User::new("alice");
}
