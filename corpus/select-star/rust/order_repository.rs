//! Postgres-backed order repository used by the checkout and account services.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

const ORDER_BY_ID: &str = "SELECT * FROM orders WHERE id = $1"; // snag-expect: select-star

/// Example shown in the ops runbook; this module never executes it.
pub const RUNBOOK_EXAMPLE: &str = "SELECT * FROM orders WHERE id = '<order id>'"; // snag-ok: select-star

#[derive(Debug, Clone, FromRow)]
pub struct Order {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub status: String,
    pub total_cents: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, FromRow)]
pub struct LineTotal {
    pub id: Uuid,
    pub line_total: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error("order {0} not found")]
    NotFound(Uuid),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

pub struct OrderRepository {
    pool: PgPool,
}

impl OrderRepository {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    pub async fn find(&self, id: Uuid) -> Result<Order, RepoError> {
        sqlx::query_as::<_, Order>(ORDER_BY_ID)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(RepoError::NotFound(id))
    }

    pub async fn for_customer(&self, customer_id: Uuid) -> Result<Vec<Order>, RepoError> {
        let orders = sqlx::query_as::<_, Order>("SELECT o.* FROM orders o WHERE o.customer_id = $1 ORDER BY o.created_at DESC") // snag-expect: select-star
            .bind(customer_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(orders)
    }

    pub async fn recent(&self, limit: i64) -> Result<Vec<Order>, RepoError> {
        let orders = sqlx::query_as::<_, Order>(
            // snag-expect: select-star
            r#"
            SELECT *
            FROM orders
            WHERE created_at > now() - interval '1 day'
            ORDER BY created_at DESC
            LIMIT $1
            "#,
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(orders)
    }

    pub async fn by_status(&self, status: &str) -> Result<Vec<Order>, RepoError> {
        let orders = sqlx::query_as!(Order, "SELECT * FROM orders WHERE status = $1 ORDER BY created_at", status) // snag-expect: select-star
            .fetch_all(&self.pool)
            .await?;
        Ok(orders)
    }

    pub async fn count_open(&self) -> Result<i64, RepoError> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM orders WHERE status = 'open'") // snag-ok: select-star
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }

    pub async fn count_for_customer(&self, customer_id: Uuid) -> Result<i64, RepoError> {
        let row = sqlx::query!(r#"SELECT COUNT(*) AS "n!" FROM orders WHERE customer_id = $1"#, customer_id) // snag-ok: select-star
            .fetch_one(&self.pool)
            .await?;
        Ok(row.n)
    }

    pub async fn has_unpaid_invoices(&self, customer_id: Uuid) -> Result<bool, RepoError> {
        let unpaid: bool = sqlx::query_scalar("SELECT EXISTS (SELECT * FROM invoices WHERE customer_id = $1 AND paid_at IS NULL)") // snag-ok: select-star
            .bind(customer_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(unpaid)
    }

    pub async fn line_totals(&self, order_id: Uuid) -> Result<Vec<LineTotal>, RepoError> {
        let lines = sqlx::query_as::<_, LineTotal>("SELECT id, unit_price_cents * quantity AS line_total FROM order_lines WHERE order_id = $1") // snag-ok: select-star
            .bind(order_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(lines)
    }
}
