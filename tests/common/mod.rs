//! Helpers shared by the end-to-end tests: a scratch directory and a way to
//! run the real `snag` binary in it.

#![allow(dead_code)]

pub mod fake_github;
pub mod sandbox;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A directory under the system temp dir, removed when dropped.
pub struct Scratch {
    pub path: PathBuf,
}

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let path = std::env::temp_dir().join(format!(
            "snag-test-{name}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Scratch { path }
    }

    pub fn write(&self, relative: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|error| panic!("not JSON ({error}):\n{}\n{}", self.stdout, self.stderr))
    }

    /// `(path, line, rule)` of every finding in a JSON report.
    pub fn findings(&self) -> Vec<(String, u64, String)> {
        self.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|finding| {
                (
                    finding["path"].as_str().unwrap().to_string(),
                    finding["range"]["start"]["line"].as_u64().unwrap(),
                    finding["rule"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }
}

pub fn finish(output: Output) -> Run {
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

pub fn snag(directory: &Path, args: &[&str]) -> Run {
    finish(
        Command::new(env!("CARGO_BIN_EXE_snag"))
            .current_dir(directory)
            .args(args)
            .env("NO_COLOR", "1")
            .env_remove("SNAG_CACHE_DIR")
            .output()
            .unwrap(),
    )
}

pub fn snag_with_stdin(directory: &Path, args: &[&str], input: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_snag"))
        .current_dir(directory)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("SNAG_CACHE_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    finish(child.wait_with_output().unwrap())
}

/// A Python file with one injection (line 5) and one `SELECT *` (line 6).
pub const PYTHON_TWO_FINDINGS: &str = concat!(
    "import sqlite3\n",
    "\n",
    "def find(conn: sqlite3.Connection, name):\n",
    "    cur = conn.cursor()\n",
    "    cur.execute(f\"SELECT id FROM users WHERE name = '{name}'\")\n",
    "    cur.execute(\"SELECT * FROM users\")\n",
);
