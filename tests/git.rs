//! End-to-end tests of the diff modes and the pre-commit hook: each builds a
//! real repository with the `git` CLI in a temp dir (with the machine's git
//! configuration shut out) and runs the built `snag` on it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::sandbox::Sandbox;
use common::{finish, Run, PYTHON_TWO_FINDINGS};

/// A file with one `SELECT *` (line 5) and nothing else.
const SELECT_STAR: &str = concat!(
    "import sqlite3\n",
    "\n",
    "def find(conn: sqlite3.Connection, name):\n",
    "    cur = conn.cursor()\n",
    "    cur.execute(\"SELECT * FROM users\")\n",
    "    return cur.fetchall()\n",
);

/// `SELECT_STAR` with an injection inserted as line 5 (the `SELECT *` moves
/// to line 6).
const SELECT_STAR_WITH_INJECTION: &str = concat!(
    "import sqlite3\n",
    "\n",
    "def find(conn: sqlite3.Connection, name):\n",
    "    cur = conn.cursor()\n",
    "    cur.execute(f\"SELECT id FROM users WHERE name = '{name}'\")\n",
    "    cur.execute(\"SELECT * FROM users\")\n",
    "    return cur.fetchall()\n",
);

const CLEAN: &str = "def add(a, b):\n    return a + b\n";

fn finding(path: &str, line: u64, rule: &str) -> (String, u64, String) {
    (path.to_string(), line, rule.to_string())
}

#[test]
fn modified_lines_only_findings_on_changed_lines_are_reported() {
    let sandbox = Sandbox::with_repo("modified");
    sandbox.write("db.py", SELECT_STAR);
    sandbox.write("legacy.py", PYTHON_TWO_FINDINGS);
    sandbox.commit_all("start");
    assert_eq!(sandbox.findings(&[]), vec![]);

    sandbox.write("db.py", SELECT_STAR_WITH_INJECTION);
    // The old `SELECT *` (now line 6) and the untouched legacy file stay quiet.
    assert_eq!(
        sandbox.findings(&[]),
        vec![finding("db.py", 5, "sql-injection")]
    );
    // Staged or not, the default mode sees the change.
    sandbox.git(&["add", "db.py"]);
    assert_eq!(
        sandbox.findings(&[]),
        vec![finding("db.py", 5, "sql-injection")]
    );
}

#[test]
fn lines_all_reports_every_finding_in_changed_files_only() {
    let sandbox = Sandbox::with_repo("lines-all");
    sandbox.write("db.py", SELECT_STAR);
    sandbox.write("legacy.py", PYTHON_TWO_FINDINGS);
    sandbox.commit_all("start");
    sandbox.write("db.py", SELECT_STAR_WITH_INJECTION);
    let expected = vec![
        finding("db.py", 5, "sql-injection"),
        finding("db.py", 6, "select-star"),
    ];
    assert_eq!(sandbox.findings(&["--lines", "all"]), expected);
    sandbox.git(&["add", "db.py"]);
    assert_eq!(sandbox.findings(&["--staged", "--lines", "all"]), expected);
    // `--all` is every file, all lines.
    assert_eq!(sandbox.findings(&["--all"]).len(), 4);
}

#[test]
fn a_finding_whose_related_span_is_on_a_changed_line_is_kept() {
    let sandbox = Sandbox::with_repo("related");
    sandbox.write("db.py", SELECT_STAR_WITH_INJECTION);
    sandbox.commit_all("start");
    // Only the signature changes: the injection's source (`name`) is there.
    sandbox.write(
        "db.py",
        SELECT_STAR_WITH_INJECTION.replace(
            "def find(conn: sqlite3.Connection, name):",
            "def find(conn, name):",
        ),
    );
    assert_eq!(
        sandbox.findings(&[]),
        vec![finding("db.py", 5, "sql-injection")]
    );
}

#[test]
fn added_files_staged_or_untracked_count_as_all_changed_and_ignored_files_do_not() {
    let sandbox = Sandbox::with_repo("added");
    sandbox.write(".gitignore", "build/\n");
    sandbox.write("README.md", "hello\n");
    sandbox.commit_all("start");
    sandbox.write("staged_new.py", PYTHON_TWO_FINDINGS);
    sandbox.git(&["add", "staged_new.py"]);
    sandbox.write("untracked/deep/new.py", PYTHON_TWO_FINDINGS);
    sandbox.write("build/generated.py", PYTHON_TWO_FINDINGS);
    assert_eq!(
        sandbox.findings(&[]),
        vec![
            finding("staged_new.py", 5, "sql-injection"),
            finding("staged_new.py", 6, "select-star"),
            finding("untracked/deep/new.py", 5, "sql-injection"),
            finding("untracked/deep/new.py", 6, "select-star"),
        ]
    );
    // What is staged is only the staged file: an intent to add
    // (`git add -N`) stages no content.
    sandbox.git(&["add", "-N", "untracked/deep/new.py"]);
    assert_eq!(
        sandbox.findings(&["--staged"]),
        vec![
            finding("staged_new.py", 5, "sql-injection"),
            finding("staged_new.py", 6, "select-star"),
        ]
    );
}

#[test]
fn deleted_files_are_skipped() {
    let sandbox = Sandbox::with_repo("deleted");
    sandbox.write("gone.py", PYTHON_TWO_FINDINGS);
    sandbox.write("gone_too.py", PYTHON_TWO_FINDINGS);
    sandbox.write("kept.py", CLEAN);
    sandbox.commit_all("start");
    sandbox.git(&["rm", "-q", "gone.py"]);
    std::fs::remove_file(sandbox.repo().join("gone_too.py")).unwrap();
    let run = sandbox.snag(&["check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("error"), "{}", run.stderr);
    assert_eq!(sandbox.findings(&["--staged"]), vec![]);
}

#[test]
fn renamed_files_count_only_their_edited_lines() {
    let sandbox = Sandbox::with_repo("renamed");
    let original = format!("{PYTHON_TWO_FINDINGS}    return cur.fetchall()\n");
    sandbox.write("old_name.py", &original);
    sandbox.write("moved_by_hand.py", &original);
    sandbox.commit_all("start");

    // A pure rename, staged with `git mv`, and a move git was not told of.
    sandbox.git(&["mv", "old_name.py", "new_name.py"]);
    std::fs::rename(
        sandbox.repo().join("moved_by_hand.py"),
        sandbox.repo().join("moved_elsewhere.py"),
    )
    .unwrap();
    assert_eq!(sandbox.findings(&[]), vec![]);
    assert_eq!(sandbox.findings(&["--staged"]), vec![]);

    // Renamed and edited: only the edited line counts.
    let edited = format!(
        "{original}\ndef again(conn, who):\n    conn.execute(f\"DELETE FROM users WHERE name = '{{who}}'\")\n"
    );
    sandbox.write("new_name.py", &edited);
    assert_eq!(
        sandbox.findings(&[]),
        vec![finding("new_name.py", 10, "sql-injection")]
    );
    sandbox.git(&["add", "new_name.py"]);
    assert_eq!(
        sandbox.findings(&["--staged"]),
        vec![finding("new_name.py", 10, "sql-injection")]
    );
}

#[test]
fn binary_files_are_skipped() {
    let sandbox = Sandbox::with_repo("binary");
    sandbox.write("logo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR");
    sandbox.write(
        "blob.py",
        b"x = 1\n\x00\x00\x00cur.execute('SELECT * FROM t')\n",
    );
    sandbox.commit_all("start");
    sandbox.write("logo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01");
    sandbox.write(
        "blob.py",
        b"x = 2\n\x00\x00\x00cur.execute(f'SELECT * FROM {t}')\n",
    );
    sandbox.write("new_blob.py", b"\x00\x01\x02SELECT * FROM t\n");
    let run = sandbox.snag(&["check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("blob.py: skipped: binary file"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("new_blob.py: skipped: binary file"),
        "{}",
        run.stderr
    );
    sandbox.git(&["add", "-A"]);
    assert_eq!(sandbox.findings(&["--staged"]), vec![]);
}

#[test]
fn subdirectories_paths_are_relative_to_the_root_and_paths_narrow_the_diff() {
    let sandbox = Sandbox::with_repo("subdir");
    sandbox.write("services/api/db.py", SELECT_STAR);
    sandbox.write("web/app.py", CLEAN);
    sandbox.commit_all("start");
    sandbox.write("services/api/db.py", SELECT_STAR_WITH_INJECTION);
    sandbox.write("web/query.py", PYTHON_TWO_FINDINGS);

    let everything = vec![
        finding("services/api/db.py", 5, "sql-injection"),
        finding("web/query.py", 5, "sql-injection"),
        finding("web/query.py", 6, "select-star"),
    ];
    // From a subdirectory, without PATHS: the whole change, root-relative.
    assert_eq!(sandbox.findings_in("repo/services/api", &[]), everything);
    // PATHS are relative to the current directory and narrow the diff.
    let api_only = vec![finding("services/api/db.py", 5, "sql-injection")];
    assert_eq!(sandbox.findings_in("repo/services/api", &["."]), api_only);
    assert_eq!(
        sandbox.findings_in("repo/services/api", &["db.py"]),
        api_only
    );
    assert_eq!(
        sandbox.findings_in("repo/services/api", &["../../web"]),
        everything[1..].to_vec()
    );
    assert_eq!(sandbox.findings_in("repo/services", &["../"]), everything);
    // The same under --staged.
    sandbox.git(&["add", "-A"]);
    assert_eq!(
        sandbox.findings_in("repo/services/api", &["--staged"]),
        everything
    );
    assert_eq!(
        sandbox.findings_in("repo/services/api", &["--staged", "."]),
        api_only
    );

    // A path outside the repository or missing is an error, not an empty result.
    let outside = sandbox.snag_in("repo/services", &["check", "../../home"]);
    assert_eq!(outside.code, 2, "{}", outside.stderr);
    assert!(
        outside.stderr.contains("outside the repository"),
        "{}",
        outside.stderr
    );
    let missing = sandbox.snag_in("repo/services", &["check", "nothing-here"]);
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(
        missing.stderr.contains("nothing-here"),
        "{}",
        missing.stderr
    );
}

#[test]
fn paths_with_spaces_and_non_ascii_names() {
    let sandbox = Sandbox::with_repo("names");
    sandbox.write("my app/données.py", SELECT_STAR);
    sandbox.commit_all("start");
    sandbox.write("my app/données.py", SELECT_STAR_WITH_INJECTION);
    sandbox.write("naïve query 1.py", PYTHON_TWO_FINDINGS);
    let expected = vec![
        finding("my app/données.py", 5, "sql-injection"),
        finding("naïve query 1.py", 5, "sql-injection"),
        finding("naïve query 1.py", 6, "select-star"),
    ];
    assert_eq!(sandbox.findings(&[]), expected);
    assert_eq!(sandbox.findings(&["my app"]), expected[..1].to_vec());
    assert_eq!(
        sandbox.findings(&["naïve query 1.py"]),
        expected[1..].to_vec()
    );
    sandbox.git(&["add", "-A"]);
    assert_eq!(sandbox.findings(&["--staged"]), expected);
    assert_eq!(
        sandbox.findings(&["--staged", "my app/données.py"]),
        expected[..1].to_vec()
    );
}

#[test]
fn staged_mode_judges_the_index_not_the_work_tree() {
    let sandbox = Sandbox::with_repo("partial");
    sandbox.write("db.py", SELECT_STAR);
    sandbox.write("clean.py", CLEAN);
    sandbox.commit_all("start");

    // Stage the injection, then edit the work tree again: the injection is
    // gone there and three lines were added above (`git add -p` leaves the
    // same state).
    sandbox.write("db.py", SELECT_STAR_WITH_INJECTION);
    sandbox.git(&["add", "db.py"]);
    sandbox.write("db.py", format!("# one\n# two\n# three\n{SELECT_STAR}"));
    // The reverse in another file: staged clean, injection only in the work tree.
    sandbox.write(
        "clean.py",
        format!("{CLEAN}\ndef run(conn, who):\n    conn.execute(f\"SELECT id FROM t WHERE n = '{{who}}'\")\n"),
    );

    // Line numbers are the staged content's.
    assert_eq!(
        sandbox.findings(&["--staged"]),
        vec![finding("db.py", 5, "sql-injection")]
    );
    // The default mode judges the work tree.
    assert_eq!(
        sandbox.findings(&[]),
        vec![finding("clean.py", 5, "sql-injection")]
    );
    // The work tree is not read under --staged: without the file on disk
    // the staged content is still judged.
    std::fs::remove_file(sandbox.repo().join("db.py")).unwrap();
    assert_eq!(
        sandbox.findings(&["--staged"]),
        vec![finding("db.py", 5, "sql-injection")]
    );
}

#[test]
fn staged_mode_reads_every_index_format_git_writes() {
    let sandbox = Sandbox::with_repo("index-formats");
    sandbox.write("db.py", SELECT_STAR);
    sandbox.write("pkg/a.py", CLEAN);
    sandbox.write("pkg/deep/b.py", CLEAN);
    sandbox.commit_all("start");
    sandbox.write("db.py", SELECT_STAR_WITH_INJECTION);
    sandbox.write("pkg/deep/c.py", PYTHON_TWO_FINDINGS);
    sandbox.git(&["add", "-A"]);
    let expected = vec![
        finding("db.py", 5, "sql-injection"),
        finding("pkg/deep/c.py", 5, "sql-injection"),
        finding("pkg/deep/c.py", 6, "select-star"),
    ];
    assert_eq!(sandbox.findings(&["--staged"]), expected);
    // Version 4 (prefix-compressed paths), read by snag's own reader.
    sandbox.git(&["update-index", "--index-version", "4"]);
    assert_eq!(sandbox.findings(&["--staged"]), expected);
    assert_eq!(
        sandbox.findings(&["--staged", "pkg"]),
        expected[1..].to_vec()
    );
    // A split index, which snag leaves to libgit2.
    sandbox.git(&["update-index", "--index-version", "2", "--split-index"]);
    assert_eq!(sandbox.findings(&["--staged"]), expected);
    assert_eq!(
        sandbox.findings(&["--staged", "pkg"]),
        expected[1..].to_vec()
    );
    // Without a cache tree (`read-tree` drops it), every tree is compared.
    sandbox.git(&["update-index", "--no-split-index"]);
    sandbox.git(&["read-tree", "HEAD"]);
    sandbox.git(&["add", "-A"]);
    assert_eq!(sandbox.findings(&["--staged"]), expected);
}

#[test]
fn merge_conflicts_are_skipped_under_staged_and_said() {
    let sandbox = Sandbox::with_repo("conflict");
    sandbox.write("db.py", SELECT_STAR);
    sandbox.commit_all("start");
    sandbox.git(&["checkout", "-q", "-b", "other"]);
    sandbox.write("db.py", SELECT_STAR.replace("users", "people"));
    sandbox.commit_all("other");
    sandbox.git(&["checkout", "-q", "main"]);
    sandbox.write(
        "db.py",
        SELECT_STAR_WITH_INJECTION.replace("users", "customers"),
    );
    sandbox.commit_all("main");
    let merge = sandbox
        .git_command(&sandbox.repo(), &["merge", "-q", "other"])
        .output()
        .unwrap();
    assert!(!merge.status.success(), "the merge should conflict");
    let run = sandbox.snag(&["check", "--staged"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("db.py: skipped: unmerged"),
        "{}",
        run.stderr
    );
}

#[test]
fn unborn_branch_everything_staged_is_new() {
    let sandbox = Sandbox::with_repo("unborn");
    sandbox.write("app/db.py", PYTHON_TWO_FINDINGS);
    sandbox.git(&["add", "app/db.py"]);
    sandbox.write("scratch.py", PYTHON_TWO_FINDINGS);
    let staged = vec![
        finding("app/db.py", 5, "sql-injection"),
        finding("app/db.py", 6, "select-star"),
    ];
    assert_eq!(sandbox.findings(&["--staged"]), staged);
    assert_eq!(sandbox.findings(&[]).len(), 4);
    // There is no merge base without a commit: say so.
    let base = sandbox.snag(&["check", "--base", "main"]);
    assert_eq!(base.code, 2, "{}", base.stderr);
    assert!(base.stderr.contains("main"), "{}", base.stderr);
}

#[test]
fn detached_head_works_in_every_mode() {
    let sandbox = Sandbox::with_repo("detached");
    sandbox.write("db.py", SELECT_STAR);
    sandbox.commit_all("start");
    sandbox.git(&["checkout", "-q", "--detach"]);
    sandbox.write("db.py", SELECT_STAR_WITH_INJECTION);
    let expected = vec![finding("db.py", 5, "sql-injection")];
    assert_eq!(sandbox.findings(&[]), expected);
    sandbox.git(&["add", "db.py"]);
    assert_eq!(sandbox.findings(&["--staged"]), expected);
    sandbox.git(&["commit", "-q", "-m", "detached work"]);
    assert_eq!(sandbox.findings(&[]), vec![]);
    assert_eq!(sandbox.findings(&["--base", "main"]), expected);
}

#[test]
fn base_mode_checks_changes_since_the_merge_base_committed_or_not() {
    let sandbox = Sandbox::with_repo("base");
    sandbox.write("db.py", SELECT_STAR);
    sandbox.write("legacy.py", PYTHON_TWO_FINDINGS);
    sandbox.commit_all("start");
    sandbox.git(&["checkout", "-q", "-b", "feature"]);
    sandbox.write("db.py", SELECT_STAR_WITH_INJECTION);
    sandbox.commit_all("feature work");
    // Meanwhile main drops legacy.py's `SELECT *` line: against main's tip
    // the feature branch would seem to add it; against the merge base it
    // did not touch legacy.py.
    sandbox.git(&["checkout", "-q", "main"]);
    sandbox.write(
        "legacy.py",
        PYTHON_TWO_FINDINGS.replace("    cur.execute(\"SELECT * FROM users\")\n", ""),
    );
    sandbox.commit_all("main moves on");
    sandbox.git(&["checkout", "-q", "feature"]);
    // Uncommitted and untracked changes count too.
    sandbox.write("untracked.py", PYTHON_TWO_FINDINGS);
    assert_eq!(
        sandbox.findings(&["--base", "main"]),
        vec![
            finding("db.py", 5, "sql-injection"),
            finding("untracked.py", 5, "sql-injection"),
            finding("untracked.py", 6, "select-star"),
        ]
    );
    assert_eq!(
        sandbox.findings(&["--base", "main", "db.py"]),
        vec![finding("db.py", 5, "sql-injection")]
    );
}

#[test]
fn linked_worktree_is_its_own_work_tree() {
    let sandbox = Sandbox::with_repo("worktree");
    sandbox.write("db.py", SELECT_STAR);
    sandbox.commit_all("start");
    let worktree = sandbox.path("linked");
    sandbox.git(&[
        "worktree",
        "add",
        "-q",
        "-b",
        "feature",
        worktree.to_str().unwrap(),
    ]);
    sandbox
        .scratch
        .write("linked/db.py", SELECT_STAR_WITH_INJECTION);
    let expected = vec![finding("db.py", 5, "sql-injection")];
    assert_eq!(sandbox.findings_in("linked", &[]), expected);
    sandbox.git_in(&worktree, &["add", "db.py"]);
    assert_eq!(sandbox.findings_in("linked", &["--staged"]), expected);
    // The main work tree and its index are untouched.
    assert_eq!(sandbox.findings(&[]), vec![]);
    assert_eq!(sandbox.findings(&["--staged"]), vec![]);
    sandbox.git_in(&worktree, &["commit", "-q", "-m", "feature work"]);
    assert_eq!(sandbox.findings_in("linked", &["--base", "main"]), expected);

    // The hook goes where git looks for it: the common git directory.
    let install = sandbox.snag_in("linked", &["hook", "install"]);
    assert_eq!(install.code, 0, "{}", install.stderr);
    assert!(sandbox.repo().join(".git/hooks/pre-commit").is_file());
}

#[test]
fn submodules_are_skipped_and_said() {
    let sandbox = Sandbox::with_repo("submodule");
    let library = sandbox.path("library");
    std::fs::create_dir_all(&library).unwrap();
    sandbox.git_in(&library, &["init", "-q"]);
    sandbox
        .scratch
        .write("library/query.py", PYTHON_TWO_FINDINGS);
    sandbox.git_in(&library, &["add", "-A"]);
    sandbox.git_in(&library, &["commit", "-q", "-m", "library"]);

    sandbox.write("app.py", CLEAN);
    sandbox.commit_all("start");
    sandbox.git(&[
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        library.to_str().unwrap(),
        "vendor/library",
    ]);
    for args in [&["check"][..], &["check", "--staged"][..]] {
        let run = sandbox.snag(args);
        assert_eq!(run.code, 0, "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains("vendor/library: submodule skipped"),
            "{args:?}: {}",
            run.stderr
        );
    }
}

#[test]
fn shallow_clone_without_the_merge_base_exits_two_saying_to_fetch_more() {
    let sandbox = Sandbox::with_repo("shallow");
    sandbox.write("db.py", SELECT_STAR);
    sandbox.commit_all("start");
    sandbox.git(&["checkout", "-q", "-b", "feature"]);
    sandbox.write("db.py", SELECT_STAR_WITH_INJECTION);
    sandbox.commit_all("feature work");
    sandbox.git(&["checkout", "-q", "main"]);
    sandbox.write("other.py", CLEAN);
    sandbox.commit_all("main moves on");

    let url = format!("file://{}", sandbox.repo().display());
    sandbox.git_in(
        &sandbox.scratch.path,
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            "--no-single-branch",
            "--branch",
            "feature",
            &url,
            "clone",
        ],
    );
    let run = sandbox.snag_in("clone", &["check", "--base", "origin/main"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("shallow"), "{}", run.stderr);
    assert!(
        run.stderr.contains("git fetch --unshallow"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    // The other modes do not need history.
    assert_eq!(sandbox.findings_in("clone", &[]), vec![]);

    // Following the advice fixes it.
    sandbox.git_in(&sandbox.path("clone"), &["fetch", "-q", "--unshallow"]);
    assert_eq!(
        sandbox.findings_in("clone", &["--base", "origin/main"]),
        vec![finding("db.py", 5, "sql-injection")]
    );
}

#[test]
fn nonexistent_revision_exits_two_naming_it() {
    let sandbox = Sandbox::with_repo("bad-rev");
    sandbox.write("db.py", PYTHON_TWO_FINDINGS);
    sandbox.commit_all("start");
    let run = sandbox.snag(&["check", "--base", "no-such-branch"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("`no-such-branch`"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

#[test]
fn outside_a_repository_every_file_is_checked_and_said_once() {
    let sandbox = Sandbox::new("outside");
    sandbox
        .scratch
        .write("plain/app/db.py", PYTHON_TWO_FINDINGS);
    sandbox.scratch.write("plain/other.py", PYTHON_TWO_FINDINGS);
    let run = sandbox.snag_in("plain", &["check", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.findings().len(), 4);
    assert_eq!(
        run.stderr.matches("not inside a git repository").count(),
        1,
        "{}",
        run.stderr
    );
    for flag in [&["--staged"][..], &["--base", "main"][..]] {
        let mut args = vec!["check"];
        args.extend_from_slice(flag);
        let run = sandbox.snag_in("plain", &args);
        assert_eq!(run.code, 2, "{flag:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("needs a git repository"),
            "{}",
            run.stderr
        );
    }
}

/// PATH with the directory of the snag under test first.
fn path_with_snag_first() -> std::ffi::OsString {
    let snag_directory = Path::new(env!("CARGO_BIN_EXE_snag")).parent().unwrap();
    let mut entries = vec![snag_directory.to_path_buf()];
    entries.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(entries).unwrap()
}

fn commit_through_hook(sandbox: &Sandbox, message: &str, path: &std::ffi::OsStr) -> Run {
    let mut command = sandbox.git_command(&sandbox.repo(), &["commit", "-q", "-m", message]);
    command.env("PATH", path);
    finish(command.output().unwrap())
}

fn commit_count(sandbox: &Sandbox) -> String {
    sandbox
        .git(&["rev-list", "--count", "HEAD"])
        .trim()
        .to_string()
}

#[test]
fn pre_commit_hook_blocks_an_injection_and_lets_a_clean_commit_through() {
    let sandbox = Sandbox::with_repo("hook");
    sandbox.write("db.py", SELECT_STAR);
    sandbox.commit_all("start");
    let install = sandbox.snag(&["hook", "install"]);
    assert_eq!(install.code, 0, "{}", install.stderr);
    let hook = sandbox.repo().join(".git/hooks/pre-commit");
    assert!(std::fs::read_to_string(&hook)
        .unwrap()
        .contains("snag check --staged"));

    // The injection is staged; a harmless work-tree edit is not what counts.
    sandbox.write("db.py", SELECT_STAR_WITH_INJECTION);
    sandbox.git(&["add", "db.py"]);
    let blocked = commit_through_hook(&sandbox, "add an injection", &path_with_snag_first());
    assert_ne!(blocked.code, 0, "{}{}", blocked.stdout, blocked.stderr);
    let shown = format!("{}{}", blocked.stdout, blocked.stderr);
    assert!(shown.contains("error[sql-injection]"), "{shown}");
    assert!(shown.contains("db.py:5:5"), "{shown}");
    assert_eq!(commit_count(&sandbox), "1");

    // Fixed: the commit passes (the old `SELECT *` is not this commit's doing).
    sandbox.write(
        "db.py",
        SELECT_STAR_WITH_INJECTION.replace(
            "f\"SELECT id FROM users WHERE name = '{name}'\"",
            "\"SELECT id FROM users WHERE name = ?\", (name,)",
        ),
    );
    sandbox.git(&["add", "db.py"]);
    let passed = commit_through_hook(&sandbox, "parameterised", &path_with_snag_first());
    assert_eq!(passed.code, 0, "{}{}", passed.stdout, passed.stderr);
    assert_eq!(commit_count(&sandbox), "2");

    // `git commit -a` stages into a temporary index (GIT_INDEX_FILE) that the
    // hook must read.
    sandbox.write("db.py", SELECT_STAR_WITH_INJECTION);
    let mut command = sandbox.git_command(
        &sandbox.repo(),
        &["commit", "-q", "-a", "-m", "all at once"],
    );
    command.env("PATH", path_with_snag_first());
    let blocked = finish(command.output().unwrap());
    assert_ne!(blocked.code, 0, "{}{}", blocked.stdout, blocked.stderr);
    assert!(
        blocked.stderr.contains("error[sql-injection]"),
        "{}",
        blocked.stderr
    );
    assert_eq!(commit_count(&sandbox), "2");
    sandbox.git(&["checkout", "--", "db.py"]);

    // Without snag on PATH the hook fails and says why.
    let empty_bin = sandbox.path("empty-bin");
    std::fs::create_dir_all(&empty_bin).unwrap();
    sandbox.write("more.py", CLEAN);
    sandbox.git(&["add", "more.py"]);
    let git = which_git();
    let mut command = Command::new(git);
    sandbox.isolate(&mut command);
    let missing = finish(
        command
            .current_dir(sandbox.repo())
            .args(["commit", "-q", "-m", "no snag"])
            .env("PATH", &empty_bin)
            .output()
            .unwrap(),
    );
    assert_ne!(missing.code, 0, "{}{}", missing.stdout, missing.stderr);
    assert!(
        missing.stderr.contains("`snag` is not on PATH"),
        "{}",
        missing.stderr
    );
    assert_eq!(commit_count(&sandbox), "2");
}

fn which_git() -> PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|directory| directory.join("git"))
        .find(|candidate| candidate.is_file())
        .expect("git on PATH")
}

#[test]
fn hook_install_refuses_a_foreign_hook_and_uninstall_removes_only_its_own() {
    let sandbox = Sandbox::with_repo("hook-foreign");
    let hook = sandbox.repo().join(".git/hooks/pre-commit");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    let foreign = "#!/bin/sh\nexec lint-staged\n";
    std::fs::write(&hook, foreign).unwrap();

    let refused = sandbox.snag(&["hook", "install"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("--force"), "{}", refused.stderr);
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), foreign);
    let left = sandbox.snag(&["hook", "uninstall"]);
    assert_eq!(left.code, 2, "{}", left.stderr);
    assert!(
        left.stderr.contains("not written by snag"),
        "{}",
        left.stderr
    );
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), foreign);

    let forced = sandbox.snag(&["hook", "install", "--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert!(std::fs::read_to_string(&hook)
        .unwrap()
        .contains("snag check --staged"));
    // Installing again updates snag's own hook without --force.
    assert_eq!(sandbox.snag(&["hook", "install"]).code, 0);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&hook).unwrap().permissions().mode();
        assert_eq!(mode & 0o111, 0o111, "{mode:o}");
    }
    let removed = sandbox.snag(&["hook", "uninstall"]);
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    assert!(!hook.exists());
    let again = sandbox.snag(&["hook", "uninstall"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again.stderr.contains("nothing to remove"),
        "{}",
        again.stderr
    );
}

#[test]
fn hook_install_respects_core_hooks_path() {
    let sandbox = Sandbox::with_repo("hooks-path");
    sandbox.write("db.py", SELECT_STAR);
    sandbox.commit_all("start");
    sandbox.git(&["config", "core.hooksPath", ".githooks"]);
    let install = sandbox.snag_in("repo", &["hook", "install"]);
    assert_eq!(install.code, 0, "{}", install.stderr);
    assert!(sandbox.repo().join(".githooks/pre-commit").is_file());
    assert!(!sandbox.repo().join(".git/hooks/pre-commit").exists());
    // git runs it from there.
    sandbox.write("db.py", SELECT_STAR_WITH_INJECTION);
    sandbox.git(&["add", "db.py"]);
    let blocked = commit_through_hook(&sandbox, "injection", &path_with_snag_first());
    assert_ne!(blocked.code, 0, "{}{}", blocked.stdout, blocked.stderr);
    assert!(
        format!("{}{}", blocked.stdout, blocked.stderr).contains("sql-injection"),
        "{}",
        blocked.stderr
    );
}

#[test]
fn pre_commit_framework_manifest_runs_snag_on_staged_changes() {
    let manifest = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    assert!(manifest.contains("- id: snag"), "{manifest}");
    assert!(
        manifest.contains("entry: snag check --staged"),
        "{manifest}"
    );
    assert!(manifest.contains("pass_filenames: false"), "{manifest}");
}

#[test]
fn a_baseline_at_the_repository_root_serves_checks_from_any_directory() {
    let sandbox = Sandbox::with_repo("baseline");
    sandbox.write("svc/api/db.py", SELECT_STAR);
    sandbox.commit_all("start");
    std::fs::create_dir_all(sandbox.repo().join("svc/api")).unwrap();
    // Written from a subdirectory, the baseline lands at the root and
    // records root-relative paths.
    let run = sandbox.snag_in("repo/svc", &["baseline"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let baseline = std::fs::read_to_string(sandbox.repo().join(".snag-baseline.json")).unwrap();
    assert!(
        baseline.contains("\"path\": \"svc/api/db.py\""),
        "{baseline}"
    );
    assert!(!sandbox.path("repo/svc/.snag-baseline.json").exists());

    // An edit above the finding moves it and touches the diff; the baseline
    // still hides it in the diff mode, and in --all from any directory.
    sandbox.write(
        "svc/api/db.py",
        format!("\"\"\"Lookups.\"\"\"\n\n{SELECT_STAR}"),
    );
    let diff = sandbox.snag(&["check", "--lines", "all", "--format", "json"]);
    assert_eq!(diff.code, 0, "{}{}", diff.stdout, diff.stderr);
    assert!(diff.stderr.contains("1 finding hidden"), "{}", diff.stderr);
    for directory in ["repo", "repo/svc", "repo/svc/api"] {
        let all = sandbox.snag_in(directory, &["check", "--all", "--format", "json"]);
        assert_eq!(all.findings(), vec![], "from {directory}: {}", all.stderr);
        assert!(all.stderr.contains("1 finding hidden"), "{}", all.stderr);
    }
    // The same finding elsewhere is another finding.
    sandbox.write("svc/web/db.py", SELECT_STAR);
    assert_eq!(
        sandbox.findings_in("repo/svc", &["--all"]),
        vec![finding("web/db.py", 5, "select-star")]
    );
}
