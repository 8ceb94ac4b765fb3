//! The benchmarks' 5,000-line Python file and the edits made to it, shared
//! by `lsp_bench` (through the server) and `edit_phases` (in process).

pub const LINES: usize = 5_000;

/// One single-character change, in lines and UTF-8 columns (the file is
/// ASCII, so they are UTF-16 columns too).
pub struct Edit {
    pub line: u32,
    pub start: u32,
    pub end: u32,
    pub insert: &'static str,
}

/// `count` edits: an `x` typed at the start of a line's code, then deleted,
/// at lines spread over the whole file (a fixed pseudo-random sequence).
pub fn edits(text: &str, count: usize) -> impl Iterator<Item = Edit> + '_ {
    let lines: Vec<&str> = text.lines().collect();
    let mut random = 0x2545_f491_u64;
    let mut at = (0, 0);
    (0..count).map(move |edit| {
        if edit % 2 == 0 {
            random = random
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let line = (random >> 33) as usize % lines.len();
            let indent = lines[line].len() - lines[line].trim_start().len();
            at = (line as u32, indent as u32);
            Edit {
                line: at.0,
                start: at.1,
                end: at.1,
                insert: "x",
            }
        } else {
            Edit {
                line: at.0,
                start: at.1,
                end: at.1 + 1,
                insert: "",
            }
        }
    })
}

/// A service module of 5,000 lines: classes of data-access methods with
/// parameterized SQL, loops and comprehensions, and now and then an
/// injection or a `SELECT *`, so every rule has work on every analysis.
pub fn large_file() -> String {
    let mut text = String::from(
        "\"\"\"Order services.\"\"\"\nimport logging\n\nimport psycopg2\n\nlog = logging.getLogger(__name__)\n\n\n",
    );
    let mut block = 0;
    while text.lines().count() < LINES - 30 {
        let unsafe_query = if block % 10 == 3 {
            format!("f\"SELECT id FROM orders_{block} WHERE note LIKE '%{{term}}%'\"")
        } else {
            format!("\"SELECT id FROM orders_{block} WHERE note LIKE %s\", (term,)")
        };
        let star = if block % 10 == 7 { "*" } else { "id, total" };
        text.push_str(&format!(
            r#"class OrderService{block}:
    """Orders of tenant {block}."""

    def __init__(self, dsn):
        self.conn = psycopg2.connect(dsn)

    def recent(self, customer_id, limit=20):
        cur = self.conn.cursor()
        cur.execute(
            "SELECT id, total, status FROM orders_{block} WHERE customer_id = %s LIMIT %s",
            (customer_id, limit),
        )
        return cur.fetchall()

    def search(self, term):
        cur = self.conn.cursor()
        cur.execute({unsafe_query})
        return [row[0] for row in cur.fetchall()]

    def totals(self, ids):
        cur = self.conn.cursor()
        cur.execute("SELECT {star} FROM totals_{block}")
        by_id = {{row[0]: row[1] for row in cur.fetchall()}}
        log.debug("totals for %d orders", len(ids))
        return [by_id.get(order_id, 0) for order_id in ids]


"#
        ));
        block += 1;
    }
    while text.lines().count() < LINES {
        text.push_str("# end of module\n");
    }
    text
}
