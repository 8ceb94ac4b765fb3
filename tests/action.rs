//! The GitHub Action (`action.yml`): its run step is `action/run.sh`, run
//! here with the built `snag` first on PATH, as the action's install step
//! leaves it.

mod common;

use std::path::Path;
use std::process::Command;

use common::{finish, Run, Scratch, PYTHON_TWO_FINDINGS};

fn run_step(directory: &Path, command: &str, args: &str) -> Run {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let binary_dir = Path::new(env!("CARGO_BIN_EXE_snag")).parent().unwrap();
    let path = std::env::join_paths(std::iter::once(binary_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    finish(
        Command::new("bash")
            .arg(root.join("action/run.sh"))
            .current_dir(directory)
            .env("PATH", path)
            .env("SNAG_COMMAND", command)
            .env("SNAG_ARGS", args)
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_REPOSITORY")
            .env_remove("GITHUB_EVENT_PATH")
            .env_remove("GITHUB_TOKEN")
            .output()
            .unwrap(),
    )
}

#[test]
fn the_action_installs_from_its_own_path_and_runs_its_script() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml")).unwrap();
    assert!(manifest.contains("using: composite"), "{manifest}");
    assert!(
        manifest.contains("cargo install --locked --path \"$GITHUB_ACTION_PATH\""),
        "{manifest}"
    );
    assert!(
        manifest.contains("run: bash \"$GITHUB_ACTION_PATH/action/run.sh\""),
        "{manifest}"
    );
    // No input is spliced into a script's text.
    for line in manifest
        .lines()
        .filter(|line| line.trim_start().starts_with("run:"))
    {
        assert!(!line.contains("${{"), "{line}");
    }
}

#[test]
fn the_run_step_passes_check_arguments_and_the_exit_code_through() {
    let scratch = Scratch::new("action");
    scratch.write("db.py", PYTHON_TWO_FINDINGS);
    let run = run_step(
        &scratch.path,
        "check",
        "--all  --format sarif --output snag.sarif",
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let sarif = std::fs::read_to_string(scratch.path.join("snag.sarif")).unwrap();
    let log: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 2);

    let exit_zero = run_step(&scratch.path, "check", "--all --exit-zero --format github");
    assert_eq!(exit_zero.code, 0, "{}", exit_zero.stderr);
    assert_eq!(exit_zero.stdout.lines().count(), 2, "{}", exit_zero.stdout);

    let wrong = run_step(&scratch.path, "scan", "");
    assert_eq!(wrong.code, 2);
    assert!(
        wrong
            .stdout
            .starts_with("::error title=snag::the action's command is `scan`"),
        "{}",
        wrong.stdout
    );

    // `review` reaches snag's own checks of the Actions environment.
    let review = run_step(&scratch.path, "review", "");
    assert_eq!(review.code, 2);
    assert!(
        review.stderr.contains("snag: error: GITHUB_"),
        "{}",
        review.stderr
    );
}
