//! Hand-written SQL for the account service, run through diesel's `sql_query`.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_query;
use diesel::sql_types::{BigInt, Nullable, Text};

const USER_COLUMNS: &str = "id, username, email, role";

#[derive(Debug, QueryableByName)]
pub struct UserRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub username: String,
    #[diesel(sql_type = Text)]
    pub email: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub role: Option<String>,
}

#[derive(Debug, Default)]
pub struct UserFilter {
    pub role: Option<String>,
    pub active_only: bool,
}

pub fn find_by_username(conn: &mut PgConnection, username: &str) -> QueryResult<Vec<UserRow>> {
    sql_query(format!("SELECT id, username, email, role FROM users WHERE username = '{}'", username)) // snag-expect: sql-injection
        .load(conn)
}

pub fn find_by_email(conn: &mut PgConnection, email: &str) -> QueryResult<Vec<UserRow>> {
    sql_query(format!("SELECT {} FROM users WHERE lower(email) = lower($1)", USER_COLUMNS)) // snag-ok: sql-injection
        .bind::<Text, _>(email)
        .load(conn)
}

pub fn filtered(conn: &mut PgConnection, filter: &UserFilter) -> QueryResult<Vec<UserRow>> {
    let mut q = String::from("SELECT id, username, email, role FROM users WHERE true");
    if let Some(role) = &filter.role {
        q += &format!(" AND role = '{}'", role);
    }
    if filter.active_only {
        q += " AND deactivated_at IS NULL";
    }
    q += " ORDER BY username";
    diesel::sql_query(q).load(conn) // snag-expect: sql-injection
}

pub fn page(conn: &mut PgConnection, offset: i64) -> QueryResult<Vec<UserRow>> {
    let sql = format!("SELECT {} FROM users ORDER BY id LIMIT 100 OFFSET {}", USER_COLUMNS, offset);
    sql_query(sql).load(conn) // snag-ok: sql-injection
}

pub fn created_after(conn: &mut PgConnection, since: &str) -> QueryResult<Vec<UserRow>> {
    sql_query("SELECT id, username, email, role FROM users WHERE created_at > '".to_string() + since + "'::timestamptz") // snag-expect: sql-injection
        .load(conn)
}

pub fn with_statement_timeout(conn: &mut PgConnection, timeout_ms: u64) -> QueryResult<usize> {
    diesel::sql_query(format!("SET statement_timeout = {}", timeout_ms)).execute(conn) // snag-ok: sql-injection
}

pub fn rename_role(conn: &mut PgConnection, from: &str, to: &str) -> QueryResult<usize> {
    let sql = format!("UPDATE users SET role = '{}' WHERE role = '{}'", to, from);
    tracing::info!(%from, %to, "running {}", sql);
    sql_query(&sql).execute(conn) // snag-expect: sql-injection
}
