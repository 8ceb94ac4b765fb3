//! `budget`: a household budget tracker on a local SQLite file.
//!
//!   budget add <amount> <category> [note]
//!   budget month <YYYY-MM>
//!   budget top <n>
//!   budget rename <old-category> <new-category>

use std::env;
use std::process::ExitCode;

use rusqlite::{params, Connection};

const DB_FILE: &str = "budget.sqlite3";

fn open() -> rusqlite::Result<Connection> {
    let conn = Connection::open(env::var("BUDGET_DB").unwrap_or_else(|_| DB_FILE.to_owned()))?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS expenses (id INTEGER PRIMARY KEY, amount_cents INTEGER NOT NULL, category TEXT NOT NULL, note TEXT, spent_on TEXT DEFAULT (date('now')))",
    )?;
    Ok(conn)
}

fn add(conn: &Connection, amount: &str, category: &str, note: Option<&String>) -> rusqlite::Result<()> {
    let cents = (amount.parse::<f64>().unwrap_or(0.0) * 100.0).round() as i64;
    conn.execute( // snag-ok: sql-injection
        "INSERT INTO expenses (amount_cents, category, note) VALUES (?1, ?2, ?3)",
        params![cents, category, note],
    )?;
    Ok(())
}

fn month_total(conn: &Connection, month: &str) -> rusqlite::Result<i64> {
    let mut sql = String::from("SELECT coalesce(sum(amount_cents), 0) FROM expenses WHERE strftime('%Y-%m', spent_on) = '");
    sql.push_str(month);
    sql.push('\'');
    conn.query_row(&sql, [], |row| row.get(0)) // snag-expect: sql-injection
}

fn top_categories(conn: &Connection, n: usize) -> rusqlite::Result<Vec<(String, i64)>> {
    let sql = format!("SELECT category, sum(amount_cents) AS total FROM expenses GROUP BY category ORDER BY total DESC LIMIT {n}");
    let mut stmt = conn.prepare(&sql)?; // snag-ok: sql-injection
    let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    rows.collect()
}

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let conn = match open() {
        Ok(conn) => conn,
        Err(err) => {
            eprintln!("cannot open database: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = match args.first().map(String::as_str) {
        Some("add") if args.len() >= 3 => add(&conn, &args[1], &args[2], args.get(3)),
        Some("month") if args.len() == 2 => month_total(&conn, &args[1]).map(|cents| println!("{:.2}", cents as f64 / 100.0)),
        Some("top") => {
            let n = args.get(1).and_then(|s| s.parse::<usize>().ok()).unwrap_or(5);
            top_categories(&conn, n).map(|rows| rows.iter().for_each(|(c, t)| println!("{c:<20} {:.2}", *t as f64 / 100.0)))
        }
        Some("rename") if args.len() == 3 => {
            let (old, new) = (&args[1], &args[2]);
            let statement = format!("UPDATE expenses SET category = '{new}' WHERE category = '{old}'");
            conn.execute(&statement, []).map(|n| println!("{n} expenses renamed")) // snag-expect: sql-injection
        }
        _ => {
            eprintln!("usage: budget add|month|top|rename ...");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}
