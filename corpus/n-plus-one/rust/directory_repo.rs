//! Repository for the staff directory service (diesel 2 + r2d2, Postgres).
//!
//! Handlers call into this module from `web::block`, so everything here is sync.

use std::collections::HashMap;

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, PooledConnection};

use crate::schema::{login_events, memberships, teams, users};

pub type Conn = PooledConnection<ConnectionManager<PgConnection>>;

#[derive(Queryable, Selectable, Identifiable, Debug, Clone)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub manager_id: Option<i64>,
    pub team_id: Option<i64>,
}

#[derive(Queryable, Selectable, Identifiable, Associations, Debug)]
#[diesel(belongs_to(User))]
#[diesel(primary_key(team_id, user_id))]
#[diesel(table_name = memberships)]
pub struct Membership {
    pub team_id: i64,
    pub user_id: i64,
    pub role: String,
}

#[derive(Insertable)]
#[diesel(table_name = login_events)]
pub struct NewLoginEvent<'a> {
    pub user_id: i64,
    pub source: &'a str,
    pub at: NaiveDateTime,
}

pub fn load_users(conn: &mut Conn, ids: &[i64]) -> QueryResult<Vec<User>> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let user = users::table.find(*id).select(User::as_select()).first(conn)?; // snag-expect: n-plus-one
        out.push(user);
    }
    Ok(out)
}

pub fn load_users_batched(conn: &mut Conn, ids: &[i64]) -> QueryResult<Vec<User>> {
    users::table // snag-ok: n-plus-one
        .filter(users::id.eq_any(ids))
        .select(User::as_select())
        .load(conn)
}

pub fn display_names(conn: &mut Conn, user_ids: &[i64]) -> QueryResult<HashMap<i64, String>> {
    use crate::schema::users::dsl::{display_name, users};

    let mut names = HashMap::new();
    for uid in user_ids {
        let name: String = users.find(uid).select(display_name).first(conn)?; // snag-expect: n-plus-one
        names.insert(*uid, name);
    }
    Ok(names)
}

pub fn with_manager(conn: &mut Conn, user_id: i64) -> QueryResult<(User, Option<User>)> {
    let user: User = users::table.find(user_id).select(User::as_select()).first(conn)?;
    let manager = user.manager_id.map(|mid| users::table.find(mid).select(User::as_select()).first(conn)).transpose()?; // snag-ok: n-plus-one
    Ok((user, manager))
}

pub fn team_names(conn: &mut Conn, members: &[User]) -> QueryResult<Vec<Option<String>>> {
    members
        .iter()
        .map(|member| match member.team_id {
            Some(tid) => teams::table.find(tid).select(teams::name).first::<String>(conn).optional(), // snag-expect: n-plus-one
            None => Ok(None),
        })
        .collect()
}

pub fn team_names_batched(conn: &mut Conn, members: &[User]) -> QueryResult<Vec<Option<String>>> {
    let team_ids: Vec<i64> = members.iter().filter_map(|m| m.team_id).collect(); // snag-ok: n-plus-one
    let names: HashMap<i64, String> = teams::table // snag-ok: n-plus-one
        .filter(teams::id.eq_any(&team_ids))
        .select((teams::id, teams::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    Ok(members.iter().map(|m| m.team_id.and_then(|t| names.get(&t).cloned())).collect()) // snag-ok: n-plus-one
}

pub fn memberships_by_user(conn: &mut Conn, people: &[User]) -> QueryResult<Vec<(i64, Vec<Membership>)>> {
    let all = Membership::belonging_to(people) // snag-ok: n-plus-one
        .select(Membership::as_select())
        .load(conn)?;
    Ok(all
        .grouped_by(people)
        .into_iter()
        .zip(people)
        .map(|(ms, person)| (person.id, ms)) // snag-ok: n-plus-one
        .collect())
}

pub fn record_logins(conn: &mut Conn, user_ids: &[i64], source: &str) -> QueryResult<usize> {
    let now = Utc::now().naive_utc();
    let mut inserted = 0;
    for uid in user_ids {
        inserted += diesel::insert_into(login_events::table) // snag-expect: n-plus-one
            .values(NewLoginEvent { user_id: *uid, source, at: now })
            .execute(conn)?;
    }
    Ok(inserted)
}

pub fn record_logins_batched(conn: &mut Conn, user_ids: &[i64], source: &str) -> QueryResult<usize> {
    let now = Utc::now().naive_utc();
    let rows: Vec<NewLoginEvent> = user_ids
        .iter()
        .map(|uid| NewLoginEvent { user_id: *uid, source, at: now }) // snag-ok: n-plus-one
        .collect();
    let mut inserted = 0;
    for batch in rows.chunks(1000) {
        inserted += diesel::insert_into(login_events::table).values(batch).execute(conn)?; // snag-ok: n-plus-one
    }
    Ok(inserted)
}

pub fn move_to_team(conn: &mut Conn, user_ids: &[i64], team: i64) -> QueryResult<()> {
    conn.transaction(|conn| {
        user_ids.iter().try_for_each(|uid| {
            diesel::update(users::table.find(*uid)) // snag-expect: n-plus-one
                .set(users::team_id.eq(Some(team)))
                .execute(conn)
                .map(|_| ())
        })
    })
}

pub fn move_to_team_batched(conn: &mut Conn, user_ids: &[i64], team: i64) -> QueryResult<usize> {
    diesel::update(users::table.filter(users::id.eq_any(user_ids))) // snag-ok: n-plus-one
        .set(users::team_id.eq(Some(team)))
        .execute(conn)
}

pub fn remove_from_teams(conn: &mut Conn, user_id: i64, team_ids: &[i64]) -> QueryResult<usize> {
    let mut removed = 0;
    for tid in team_ids {
        removed += diesel::delete(memberships::table.find((*tid, user_id))).execute(conn)?; // snag-expect: n-plus-one
    }
    Ok(removed)
}

pub fn headcount_by_role(conn: &mut Conn, team: i64) -> QueryResult<Vec<(&'static str, i64)>> {
    let mut out = Vec::new();
    for role in ["owner", "maintainer", "member"] {
        let n = memberships::table // snag-ok: n-plus-one
            .filter(memberships::team_id.eq(team))
            .filter(memberships::role.eq(role))
            .count()
            .get_result::<i64>(conn)?;
        out.push((role, n));
    }
    Ok(out)
}
