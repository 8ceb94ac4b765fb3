//! Inventory service client over tokio-postgres.
//!
//! The warehouse database is not behind the main pool, so this module keeps
//! one long-lived client per process.

use tokio_postgres::{Client, Error, NoTls, Row};

// snag-expect: select-star
const LOW_STOCK_SQL: &str = "SELECT s.* FROM stock_levels s
    WHERE s.quantity < s.reorder_point
    ORDER BY s.quantity";

const STOCK_VALUE_SQL: &str = "SELECT sum(quantity * unit_cost_cents)::bigint AS value_cents FROM stock_levels WHERE warehouse_id = $1"; // snag-ok: select-star

pub struct InventoryClient {
    client: Client,
}

impl InventoryClient {
    pub async fn connect(url: &str) -> Result<Self, Error> {
        let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::error!(error = %e, "inventory connection closed");
            }
        });
        Ok(Self { client })
    }

    pub async fn stock_for(&self, sku: &str) -> Result<Vec<Row>, Error> {
        self.client
            .query("SELECT * FROM stock_levels WHERE sku = $1", &[&sku]) // snag-expect: select-star
            .await
    }

    pub async fn low_stock(&self) -> Result<Vec<Row>, Error> {
        self.client.query(LOW_STOCK_SQL, &[]).await
    }

    pub async fn warehouse(&self, id: i32) -> Result<Row, Error> {
        let row = self
            .client
            .query_one("SELECT *, quantity_capacity - quantity_used AS free_slots FROM warehouses WHERE id = $1", &[&id]) // snag-expect: select-star
            .await?;
        Ok(row)
    }

    pub async fn stock_value(&self, warehouse_id: i32) -> Result<i64, Error> {
        let row = self.client.query_one(STOCK_VALUE_SQL, &[&warehouse_id]).await?;
        Ok(row.get::<_, Option<i64>>("value_cents").unwrap_or(0))
    }

    pub async fn is_tracked(&self, sku: &str) -> Result<bool, Error> {
        let row = self
            .client
            .query_one("SELECT EXISTS (SELECT * FROM stock_levels WHERE sku = $1)", &[&sku]) // snag-ok: select-star
            .await?;
        Ok(row.get(0))
    }

    pub async fn sku_count(&self) -> Result<i64, Error> {
        let row = self.client.query_one("SELECT COUNT(*) FROM stock_levels", &[]).await?; // snag-ok: select-star
        let n: i64 = row.get(0);
        if n == 0 {
            tracing::warn!("SELECT * FROM stock_levels would return nothing; is the sync running?"); // snag-ok: select-star
        }
        Ok(n)
    }

    pub async fn adjust(&self, sku: &str, delta: i32) -> Result<u64, Error> {
        self.client
            .execute(
                "UPDATE stock_levels SET quantity = quantity + $2 WHERE sku = $1",
                &[&sku, &delta],
            )
            .await
    }
}
