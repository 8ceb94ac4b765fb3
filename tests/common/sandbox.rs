//! A scratch directory holding a home, a git repository (`repo/`) and what
//! else a scenario needs, with every git and snag command run in it shut off
//! from the machine's git configuration and any enclosing repository.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{finish, Run, Scratch};

/// Environment variables through which an enclosing git (a hook running
/// `cargo test`) or the machine could reach the repositories under test.
const GIT_ENVIRONMENT: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
    "GIT_CONFIG",
    "GIT_CONFIG_GLOBAL",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_PREFIX",
];

/// A scratch directory holding a home, a repository (`repo/`) and whatever
/// else a scenario needs (clones, worktrees, submodule origins).
pub struct Sandbox {
    pub scratch: Scratch,
}

impl Sandbox {
    pub fn new(name: &str) -> Sandbox {
        let scratch = Scratch::new(&format!("git-{name}"));
        std::fs::create_dir_all(scratch.path.join("home")).unwrap();
        Sandbox { scratch }
    }

    /// A sandbox with `repo/` initialised on branch `main`.
    pub fn with_repo(name: &str) -> Sandbox {
        let sandbox = Sandbox::new(name);
        std::fs::create_dir_all(sandbox.repo()).unwrap();
        sandbox.git(&["init", "-q", "--initial-branch=main"]);
        sandbox
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.scratch.path.join(relative)
    }

    pub fn repo(&self) -> PathBuf {
        self.path("repo")
    }

    /// Writes a file under `repo/`.
    pub fn write(&self, relative: &str, contents: impl AsRef<[u8]>) {
        self.scratch.write(&format!("repo/{relative}"), contents);
    }

    pub fn isolate(&self, command: &mut Command) {
        for name in GIT_ENVIRONMENT {
            command.env_remove(name);
        }
        let home = self.path("home");
        command
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Snag Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.com")
            .env("GIT_COMMITTER_NAME", "Snag Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.com")
            // Discovery never climbs out of the sandbox.
            .env("GIT_CEILING_DIRECTORIES", &self.scratch.path)
            .env("NO_COLOR", "1");
    }

    pub fn git_command(&self, directory: &Path, args: &[&str]) -> Command {
        let mut command = Command::new("git");
        self.isolate(&mut command);
        command
            .current_dir(directory)
            .args([
                "-c",
                "init.defaultBranch=main",
                "-c",
                "commit.gpgSign=false",
            ])
            .args(args);
        command
    }

    /// Runs git in `repo/`, failing the test if git fails.
    pub fn git(&self, args: &[&str]) -> String {
        self.git_in(&self.repo(), args)
    }

    pub fn git_in(&self, directory: &Path, args: &[&str]) -> String {
        let output = self.git_command(directory, args).output().unwrap();
        assert!(
            output.status.success(),
            "git {args:?} failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    pub fn commit_all(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }

    /// Runs snag in `directory` (relative to the sandbox).
    pub fn snag_in(&self, directory: &str, args: &[&str]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_snag"));
        self.isolate(&mut command);
        command.current_dir(self.path(directory)).args(args);
        finish(command.output().unwrap())
    }

    /// Runs snag in `repo/` with these environment variables set, and no
    /// proxy.
    pub fn snag_with_env(&self, args: &[&str], environment: &[(&str, &str)]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_snag"));
        self.isolate(&mut command);
        for proxy in [
            "ALL_PROXY",
            "all_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "HTTP_PROXY",
            "http_proxy",
        ] {
            command.env_remove(proxy);
        }
        command
            .current_dir(self.repo())
            .args(args)
            .envs(environment.iter().copied());
        finish(command.output().unwrap())
    }

    /// Runs snag in `repo/`.
    pub fn snag(&self, args: &[&str]) -> Run {
        self.snag_in("repo", args)
    }

    /// `(path, line, rule)` of a JSON check in `repo/`, after checking the
    /// exit code says the same.
    pub fn findings(&self, args: &[&str]) -> Vec<(String, u64, String)> {
        self.findings_in("repo", args)
    }

    pub fn findings_in(&self, directory: &str, args: &[&str]) -> Vec<(String, u64, String)> {
        let mut all_args = vec!["check", "--format", "json"];
        all_args.extend_from_slice(args);
        let run = self.snag_in(directory, &all_args);
        let findings = run.findings();
        let expected_code = if findings.is_empty() { 0 } else { 1 };
        assert_eq!(
            run.code, expected_code,
            "snag {all_args:?}\nstdout:\n{}\nstderr:\n{}",
            run.stdout, run.stderr
        );
        findings
    }
}
