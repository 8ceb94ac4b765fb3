//! Finance reports that are easier to write in SQL than in the diesel DSL.
//!
//! Called from the `billing-report` binary; every function takes a borrowed
//! connection so the caller decides on transactions.

use chrono::NaiveDate;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_query;
use diesel::sql_types::{BigInt, Date, Nullable, Text, Timestamptz};

use crate::models::Invoice;
use crate::schema::invoices;

const ARCHIVE_TABLE: &str = "invoices_archive";

// snag-expect: select-star
const MONTHLY_TOTALS_SQL: &str = "
    WITH m AS (
        SELECT date_trunc('month', issued_on)::date AS month,
               sum(amount_cents) AS total_cents,
               count(*) AS invoices
        FROM invoices
        GROUP BY 1
    )
    SELECT * FROM m ORDER BY month";

#[derive(Debug, QueryableByName)]
pub struct InvoiceRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub customer_ref: String,
    #[diesel(sql_type = BigInt)]
    pub amount_cents: i64,
    #[diesel(sql_type = Date)]
    pub due_on: NaiveDate,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub paid_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, QueryableByName)]
pub struct MonthlyTotal {
    #[diesel(sql_type = Date)]
    pub month: NaiveDate,
    #[diesel(sql_type = BigInt)]
    pub total_cents: i64,
    #[diesel(sql_type = BigInt)]
    pub invoices: i64,
}

#[derive(Debug, QueryableByName)]
pub struct CustomerBalance {
    #[diesel(sql_type = Text)]
    pub customer_ref: String,
    #[diesel(sql_type = BigInt)]
    pub open_cents: i64,
    #[diesel(sql_type = BigInt)]
    pub open_invoices: i64,
}

pub fn overdue(conn: &mut PgConnection) -> QueryResult<Vec<InvoiceRow>> {
    sql_query("SELECT * FROM invoices WHERE due_on < CURRENT_DATE AND paid_at IS NULL ORDER BY due_on") // snag-expect: select-star
        .load::<InvoiceRow>(conn)
}

pub fn archived_since(conn: &mut PgConnection, since: NaiveDate) -> QueryResult<Vec<InvoiceRow>> {
    sql_query(format!("SELECT * FROM {} WHERE issued_on >= $1 ORDER BY issued_on", ARCHIVE_TABLE)) // snag-expect: select-star
        .bind::<Date, _>(since)
        .load::<InvoiceRow>(conn)
}

pub fn monthly_totals(conn: &mut PgConnection) -> QueryResult<Vec<MonthlyTotal>> {
    sql_query(MONTHLY_TOTALS_SQL).load::<MonthlyTotal>(conn)
}

pub fn open_balances(conn: &mut PgConnection) -> QueryResult<Vec<CustomerBalance>> {
    sql_query(
        "SELECT customer_ref, sum(amount_cents)::bigint AS open_cents, count(*) AS open_invoices FROM invoices WHERE paid_at IS NULL GROUP BY customer_ref", // snag-ok: select-star
    )
    .load::<CustomerBalance>(conn)
}

pub fn all_invoices(conn: &mut PgConnection) -> QueryResult<Vec<Invoice>> {
    invoices::table.load::<Invoice>(conn) // snag-ok: select-star
}

pub fn unpaid_invoices(conn: &mut PgConnection) -> QueryResult<Vec<Invoice>> {
    invoices::table
        .filter(invoices::paid_at.is_null())
        .select(Invoice::as_select()) // snag-ok: select-star
        .load(conn)
}
