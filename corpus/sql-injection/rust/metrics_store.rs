//! Time-series storage for the metrics collector, on tokio-postgres.

use tokio_postgres::{Client, Error, Row};

const SCHEMA: &str = "metrics";

pub struct MetricsStore {
    client: Client,
}

impl MetricsStore {
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    pub async fn series(&self, name: &str, since_hours: i32) -> Result<Vec<Row>, Error> {
        let sql = format!(
            "SELECT ts, value FROM {}.samples WHERE series = '{}' AND ts > now() - interval '{} hours' ORDER BY ts",
            SCHEMA, name, since_hours
        );
        self.client.query(&sql, &[]).await // snag-expect: sql-injection
    }

    pub async fn rollup(&self, bucket: &str) -> Result<Vec<Row>, Error> {
        let table = match bucket {
            "hour" => "samples_hourly",
            "day" => "samples_daily",
            _ => "samples",
        };
        let sql = format!("SELECT series, ts, value FROM {}.{} ORDER BY ts DESC LIMIT 500", SCHEMA, table);
        self.client.query(&sql, &[]).await // snag-ok: sql-injection
    }

    pub async fn sample_count(&self, name: &str) -> Result<i64, Error> {
        let row = self
            .client
            .query_one(&format!("SELECT count(*) FROM {}.samples WHERE series = $1", SCHEMA), &[&name]) // snag-ok: sql-injection
            .await?;
        Ok(row.get(0))
    }

    pub async fn drop_series(&self, prefix: &str) -> Result<u64, Error> {
        let removed = self // snag-expect: sql-injection
            .client
            .execute(&format!("DELETE FROM {}.samples WHERE series LIKE '{}%'", SCHEMA, prefix), &[])
            .await?;
        tracing::info!("DELETE FROM {}.samples WHERE series LIKE '{}%' removed {} rows", SCHEMA, prefix, removed); // snag-ok: sql-injection
        Ok(removed)
    }

    pub async fn record(&self, series: &str, points: &[(i64, f64)]) -> Result<u64, Error> {
        if points.is_empty() {
            return Ok(0);
        }
        let mut sql = format!("INSERT INTO {}.samples (series, ts, value) VALUES ", SCHEMA);
        for (i, (ts, value)) in points.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("('{}', to_timestamp({}), {})", series, ts, value));
        }
        self.client.execute(&sql, &[]).await // snag-expect: sql-injection
    }

    pub async fn apply_retention(&self, retention_days: &str) -> Result<u64, Error> {
        let days = retention_days.parse::<i64>().unwrap_or(30);
        let sql = format!("DELETE FROM {}.samples WHERE ts < now() - interval '{} days'", SCHEMA, days);
        self.client.execute(&sql, &[]).await // snag-ok: sql-injection
    }

    pub async fn latest(&self, name: &str) -> Result<Option<Row>, Error> {
        let sql = format!("SELECT ts, value FROM {}.samples WHERE series = $1 ORDER BY ts DESC LIMIT 1", SCHEMA);
        let rows = self.client.query(&sql, &[&name]).await?; // snag-ok: sql-injection
        Ok(rows.into_iter().next())
    }
}
