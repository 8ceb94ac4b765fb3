//! Order history for the account page and the ops exports (sqlx, Postgres).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use futures::future::join_all;
use futures::TryStreamExt;
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone, FromRow)]
pub struct OrderRow {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub status: String,
    pub total_cents: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct Customer {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
}

#[derive(Debug, FromRow)]
pub struct LineRow {
    pub order_id: Uuid,
    pub sku: String,
    pub quantity: i32,
}

pub struct OrderHistory {
    pool: PgPool,
}

impl OrderHistory {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    pub async fn recent_for(&self, customer_id: Uuid, limit: i64) -> Result<Vec<OrderRow>, sqlx::Error> {
        sqlx::query_as::<_, OrderRow>(
            "SELECT id, customer_id, status, total_cents FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT $2",
        )
        .bind(customer_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    /// Customers of a page of orders, keyed by id.
    pub async fn customers_for(&self, orders: &[OrderRow]) -> Result<HashMap<Uuid, Customer>, sqlx::Error> {
        let mut out = HashMap::new();
        for order in orders {
            let customer = sqlx::query_as::<_, Customer>("SELECT id, email, display_name FROM customers WHERE id = $1") // snag-expect: n-plus-one
                .bind(order.customer_id)
                .fetch_one(&self.pool)
                .await?;
            out.insert(customer.id, customer);
        }
        Ok(out)
    }

    pub async fn customers_for_batched(&self, orders: &[OrderRow]) -> Result<HashMap<Uuid, Customer>, sqlx::Error> {
        let ids: Vec<Uuid> = orders.iter().map(|o| o.customer_id).collect(); // snag-ok: n-plus-one
        let customers = sqlx::query_as::<_, Customer>("SELECT id, email, display_name FROM customers WHERE id = ANY($1)") // snag-ok: n-plus-one
            .bind(&ids)
            .fetch_all(&self.pool)
            .await?;
        Ok(customers.into_iter().map(|c| (c.id, c)).collect()) // snag-ok: n-plus-one
    }

    /// Lines of several orders, fetched concurrently.
    pub async fn lines_for(&self, order_ids: &[Uuid]) -> Result<Vec<Vec<LineRow>>, sqlx::Error> {
        let results = join_all(order_ids.iter().map(|id| {
            sqlx::query_as::<_, LineRow>("SELECT order_id, sku, quantity FROM order_lines WHERE order_id = $1") // snag-expect: n-plus-one
                .bind(*id)
                .fetch_all(&self.pool)
        }))
        .await;
        results.into_iter().collect()
    }

    pub async fn lines_for_batched(&self, order_ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<LineRow>>, sqlx::Error> {
        let rows = sqlx::query_as::<_, LineRow>( // snag-ok: n-plus-one
            "SELECT order_id, sku, quantity FROM order_lines WHERE order_id = ANY($1) ORDER BY order_id, sku",
        )
        .bind(order_ids)
        .fetch_all(&self.pool)
        .await?;
        let mut grouped: HashMap<Uuid, Vec<LineRow>> = HashMap::new();
        for row in rows {
            grouped.entry(row.order_id).or_default().push(row); // snag-ok: n-plus-one
        }
        Ok(grouped)
    }

    pub async fn statuses(&self, order_ids: Vec<Uuid>) -> Vec<Option<String>> {
        let pool = &self.pool;
        join_all(order_ids.into_iter().map(|id| async move {
            sqlx::query_scalar::<_, String>("SELECT status FROM orders WHERE id = $1") // snag-expect: n-plus-one
                .bind(id)
                .fetch_optional(pool)
                .await
                .ok()
                .flatten()
        }))
        .await
    }

    pub async fn archive(&self, order_ids: &[Uuid]) -> Result<u64, sqlx::Error> {
        let mut archived = 0;
        for chunk in order_ids.chunks(500) {
            let done = sqlx::query("UPDATE orders SET archived_at = now() WHERE id = ANY($1) AND archived_at IS NULL") // snag-ok: n-plus-one
                .bind(chunk)
                .execute(&self.pool)
                .await?;
            archived += done.rows_affected();
        }
        Ok(archived)
    }

    /// Re-derives `orders.total_cents` from the line totals after a price correction.
    pub async fn recompute_totals(&self, since: DateTime<Utc>) -> Result<u64, sqlx::Error> {
        let mut totals = sqlx::query_as::<_, (Uuid, i64)>( // snag-ok: n-plus-one
            "SELECT order_id, sum(line_total_cents)::bigint FROM order_lines WHERE updated_at >= $1 GROUP BY order_id",
        )
        .bind(since)
        .fetch(&self.pool);
        let mut updated = 0;
        while let Some((order_id, total)) = totals.try_next().await? { // snag-ok: n-plus-one
            sqlx::query("UPDATE orders SET total_cents = $1 WHERE id = $2") // snag-expect: n-plus-one
                .bind(total)
                .bind(order_id)
                .execute(&self.pool)
                .await?;
            updated += 1;
        }
        Ok(updated)
    }

    pub async fn recompute_totals_batched(&self, since: DateTime<Utc>) -> Result<u64, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE orders o SET total_cents = t.total
             FROM (SELECT order_id, sum(line_total_cents)::bigint AS total
                   FROM order_lines WHERE updated_at >= $1 GROUP BY order_id) t
             WHERE o.id = t.order_id",
        )
        .bind(since)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    pub async fn counts_by_status(&self) -> Result<HashMap<&'static str, i64>, sqlx::Error> {
        let mut counts = HashMap::new();
        for status in ["pending", "shipped", "cancelled"] {
            let n: i64 = sqlx::query_scalar("SELECT count(id) FROM orders WHERE status = $1") // snag-ok: n-plus-one
                .bind(status)
                .fetch_one(&self.pool)
                .await?;
            counts.insert(status, n);
        }
        Ok(counts)
    }

    pub async fn spend_by_customer(&self, since: DateTime<Utc>) -> Result<HashMap<Uuid, i64>, sqlx::Error> {
        let orders = sqlx::query_as::<_, OrderRow>( // snag-ok: n-plus-one
            "SELECT id, customer_id, status, total_cents FROM orders WHERE created_at >= $1 AND status <> 'cancelled'",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        let mut spend = HashMap::new();
        for order in &orders {
            *spend.entry(order.customer_id).or_insert(0) += order.total_cents; // snag-ok: n-plus-one
        }
        Ok(spend)
    }
}
