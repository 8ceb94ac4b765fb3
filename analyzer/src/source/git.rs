//! Git as a source: the files a change touched, each with its content and
//! the new-side lines the change added or modified, read with libgit2 (the
//! `git2` crate); snag never runs a `git` executable.
//!
//! The decision that shapes this module: the bytes analysed are the bytes the
//! changed lines were computed on, and nothing outside the diff is read.
//! `--staged` compares the HEAD tree with the index by object id and reads the
//! changed index blobs, so the work tree is neither read nor stat'ed (a file
//! staged and edited again is judged as staged). The work-tree modes diff
//! through the index's stat cache, as `git status` does, so unchanged files
//! are not read either; only the files the diff names are.
//!
//! Renames are followed (libgit2's similarity detection, untracked files
//! included), so a moved file counts only for the lines edited in it.

use std::collections::HashMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};

use git2::{
    Delta, Diff, DiffFindOptions, DiffLineType, DiffOptions, ErrorCode, FileMode, Oid, Patch,
    Repository, Tree,
};
use thiserror::Error;

use crate::model::Language;
use crate::source::git_index::{self, IndexBytes, IndexSnapshot};
use crate::source::{is_always_skipped, ChangedLines, Exclusions, InMemoryFile, MAX_FILE_BYTES};

/// What can go wrong reading changes out of a repository. Every variant is
/// a reason to stop (exit 2): a diff mode never falls back to a full or an
/// empty scan.
#[derive(Debug, Error)]
pub enum GitError {
    #[error("cannot open the git repository: {0}")]
    Open(String),
    #[error("{0}: a bare repository has no work tree to check")]
    Bare(PathBuf),
    #[error("revision `{rev}` does not exist in this repository ({message})")]
    UnknownRevision { rev: String, message: String },
    #[error("--base {rev}: HEAD has no commit yet, so there is no merge base")]
    UnbornHead { rev: String },
    #[error(
        "--base {rev}: this is a shallow clone and the merge base of `{rev}` and HEAD is not in \
         its history; fetch more history (`git fetch --deepen=200`, or `git fetch --unshallow`, \
         or in CI a checkout with full depth) and run again"
    )]
    ShallowMergeBase { rev: String },
    #[error("--base {rev}: `{rev}` and HEAD have no common history (no merge base)")]
    NoMergeBase { rev: String },
    #[error("{}: outside the repository at {}", path.display(), root.display())]
    OutsideRepository { path: PathBuf, root: PathBuf },
    #[error("{context}: {message}")]
    Git { context: String, message: String },
    #[error(
        "{}: a pre-commit hook that snag did not write is already there; \
         pass --force to replace it",
        .0.display()
    )]
    ForeignHook(PathBuf),
    #[error("{}: {message}", path.display())]
    Io { path: PathBuf, message: String },
}

fn git_error(context: impl Into<String>) -> impl FnOnce(git2::Error) -> GitError {
    let context = context.into();
    move |error| GitError::Git {
        context,
        message: error.message().to_string(),
    }
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> GitError + '_ {
    move |error| GitError::Io {
        path: path.to_path_buf(),
        message: error.to_string(),
    }
}

/// Where the new side of the diff comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewSide {
    /// The index: what `git commit` would record.
    Index,
    /// The work tree, with untracked files that are not ignored.
    WorkTree,
}

/// What to diff.
#[derive(Debug, Clone)]
pub struct ChangeRequest<'a> {
    pub new_side: NewSide,
    /// Diff from the merge base of this revision and HEAD instead of HEAD.
    pub base: Option<&'a str>,
    /// Narrow the diff to these files or directories (relative to `cwd`);
    /// empty for the whole repository.
    pub paths: &'a [PathBuf],
    pub cwd: &'a Path,
    /// The user's `exclude` patterns.
    pub exclusions: &'a Exclusions,
}

/// Something about a changed path that is not a finding (a skipped submodule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitNotice {
    pub path: String,
    pub message: String,
}

impl fmt::Display for GitNotice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// The changed files snag can analyse, with their content and changed lines
/// (paths relative to the repository root, with `/`).
#[derive(Debug, Default)]
pub struct ChangeSet {
    pub files: Vec<InMemoryFile>,
    pub notices: Vec<GitNotice>,
}

/// An open repository with a work tree.
pub struct GitRepository {
    repository: Repository,
    /// The work tree's root, resolved (symbolic links followed).
    root: PathBuf,
}

impl fmt::Debug for GitRepository {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GitRepository")
            .field("root", &self.root)
            .finish()
    }
}

impl GitRepository {
    /// The repository holding the current directory, found the way git finds
    /// it: `GIT_DIR`, `GIT_WORK_TREE`, `GIT_INDEX_FILE` and
    /// `GIT_CEILING_DIRECTORIES` are honoured, so inside a hook that git runs
    /// (`git commit -a` stages into a temporary index) snag sees what git sees.
    /// `Ok(None)` outside any repository.
    pub fn from_current_dir() -> Result<Option<GitRepository>, GitError> {
        let repository = match Repository::open_from_env() {
            Ok(repository) => repository,
            Err(error) if error.code() == ErrorCode::NotFound => return Ok(None),
            Err(error) => return Err(GitError::Open(error.message().to_string())),
        };
        let Some(workdir) = repository.workdir() else {
            return Err(GitError::Bare(repository.path().to_path_buf()));
        };
        let root = workdir
            .canonicalize()
            .unwrap_or_else(|_| normalize_lexically(workdir));
        Ok(Some(GitRepository { repository, root }))
    }

    /// The repository holding `path` (a file or a directory), found by
    /// walking up from it as git does; `Ok(None)` when there is none. For
    /// the language server, whose documents may lie in any repository.
    pub fn containing(path: &Path) -> Result<Option<GitRepository>, GitError> {
        let start = if path.is_dir() {
            path
        } else {
            path.parent().unwrap_or(path)
        };
        let repository = match Repository::discover(start) {
            Ok(repository) => repository,
            Err(error) if error.code() == ErrorCode::NotFound => return Ok(None),
            Err(error) => return Err(GitError::Open(error.message().to_string())),
        };
        let Some(workdir) = repository.workdir() else {
            return Ok(None);
        };
        let root = workdir
            .canonicalize()
            .unwrap_or_else(|_| normalize_lexically(workdir));
        Ok(Some(GitRepository { repository, root }))
    }

    /// The lines of `content`, the unsaved text of the work-tree file at
    /// `path`, that differ from HEAD's version of that file (added or
    /// modified lines): every line when HEAD has no such file (a new file,
    /// or no commit yet). Nothing is read from the work tree.
    pub fn changed_lines_against_head(
        &self,
        path: &Path,
        content: &[u8],
    ) -> Result<ChangedLines, GitError> {
        let absolute = path
            .canonicalize()
            .unwrap_or_else(|_| normalize_lexically(path));
        let Ok(relative) = absolute.strip_prefix(&self.root) else {
            return Err(GitError::OutsideRepository {
                path: path.to_path_buf(),
                root: self.root.clone(),
            });
        };
        let display = display_path(relative);
        let Some(tree) = self.head_tree()? else {
            return Ok(ChangedLines::all());
        };
        let entry = match tree.get_path(relative) {
            Ok(entry) => entry,
            Err(error) if error.code() == ErrorCode::NotFound => return Ok(ChangedLines::all()),
            Err(error) => {
                return Err(git_error(format!("{display}: cannot read HEAD's tree"))(
                    error,
                ))
            }
        };
        if entry.kind() != Some(git2::ObjectType::Blob) {
            return Ok(ChangedLines::all());
        }
        let context = || format!("{display}: cannot compute the diff against HEAD");
        let blob = self
            .repository
            .find_blob(entry.id())
            .map_err(git_error(context()))?;
        let mut options = line_diff_options();
        let patch = Patch::from_buffers(
            blob.content(),
            Some(relative),
            content,
            Some(relative),
            Some(&mut options),
        )
        .map_err(git_error(context()))?;
        added_lines(&patch).map_err(git_error(context()))
    }

    /// The work tree's root: paths in findings are relative to it.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The files changed on the requested new side, against HEAD (or against
    /// the empty tree on a branch with no commit yet), or against the merge
    /// base of `base` and HEAD.
    pub fn changes(&self, request: &ChangeRequest<'_>) -> Result<ChangeSet, GitError> {
        let pathspecs = self.pathspecs(request.cwd, request.paths, request.new_side)?;
        let old_tree = match request.base {
            Some(rev) => Some(self.merge_base_tree(rev)?),
            None => self.head_tree()?,
        };
        if request.new_side == NewSide::Index {
            if let Some(index) = self.index_snapshot() {
                return self.staged_changes(old_tree.as_ref(), &index, &pathspecs, request);
            }
        }
        self.diffed_changes(old_tree.as_ref(), &pathspecs, request)
    }

    /// The changes through libgit2's diff: the work tree modes, and
    /// `--staged` on an index [`git_index`] declines.
    fn diffed_changes(
        &self,
        old_tree: Option<&Tree<'_>>,
        pathspecs: &[String],
        request: &ChangeRequest<'_>,
    ) -> Result<ChangeSet, GitError> {
        let diff = self.diff(old_tree, request.new_side, pathspecs)?;
        let mut changes = ChangeSet::default();
        for (delta_index, delta) in diff.deltas().enumerate() {
            let status = delta.status();
            if matches!(status, Delta::Deleted | Delta::Unmodified | Delta::Ignored) {
                continue;
            }
            let new_file = delta.new_file();
            let Some(relative) = new_file.path() else {
                continue;
            };
            match new_file.mode() {
                FileMode::Commit => {
                    changes.notices.push(submodule_notice(relative));
                    continue;
                }
                FileMode::Link | FileMode::Tree => continue,
                FileMode::Blob
                | FileMode::BlobExecutable
                | FileMode::BlobGroupWritable
                | FileMode::Unreadable => {}
            }
            let Some(language) = self.language_if_checked(relative, request.exclusions) else {
                continue;
            };
            let display = display_path(relative);
            if status == Delta::Conflicted && request.new_side == NewSide::Index {
                changes.notices.push(unmerged_notice(display));
                continue;
            }
            let bytes = match request.new_side {
                NewSide::Index => self.blob_bytes(new_file.id(), &display)?,
                NewSide::WorkTree => match std::fs::read(self.root.join(relative)) {
                    Ok(bytes) => bytes,
                    Err(error) => {
                        changes.notices.push(GitNotice {
                            path: display,
                            message: format!("skipped: cannot read: {error}"),
                        });
                        continue;
                    }
                },
            };
            let changed = match status {
                // No old side (or an old side of another kind): every line is new.
                Delta::Added | Delta::Untracked | Delta::Typechange | Delta::Copied => {
                    ChangedLines::all()
                }
                _ => {
                    let context = || format!("{display}: cannot compute the diff");
                    // `None` for binary content (or content past `max_size`).
                    match Patch::from_diff(&diff, delta_index).map_err(git_error(context()))? {
                        Some(patch) => added_lines(&patch).map_err(git_error(context()))?,
                        None => ChangedLines::none(),
                    }
                }
            };
            changes.files.push(InMemoryFile {
                path: display,
                language,
                bytes,
                changed: Some(changed),
            });
        }
        Ok(changes)
    }

    /// The index, read by [`git_index`] when it understands it (`None` sends
    /// the caller to libgit2). `GIT_INDEX_FILE` is honoured, as libgit2 does
    /// for a repository opened from the environment.
    fn index_snapshot(&self) -> Option<IndexSnapshot> {
        let path = match std::env::var_os("GIT_INDEX_FILE") {
            Some(path) if !path.is_empty() => PathBuf::from(path),
            _ => self.repository.path().join("index"),
        };
        match IndexBytes::open(&path) {
            Ok(bytes) => IndexSnapshot::parse(bytes).ok(),
            // No index yet (nothing ever staged): nothing is staged.
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                Some(IndexSnapshot::default())
            }
            Err(_) => None,
        }
    }

    /// `--staged` on a parsed index: the comparison reads only the trees of
    /// directories the cache tree cannot vouch for, then the changed blobs.
    fn staged_changes(
        &self,
        old_tree: Option<&Tree<'_>>,
        index: &IndexSnapshot,
        pathspecs: &[String],
        request: &ChangeRequest<'_>,
    ) -> Result<ChangeSet, GitError> {
        let compared = git_index::compare(
            &self.repository,
            old_tree,
            index,
            &git_index::Narrowing(pathspecs),
        )
        .map_err(git_error("cannot compare the index with the tree"))?;
        let mut changes = ChangeSet::default();
        let mut sources = Vec::new();
        let mut targets = Vec::new();
        let mut modified = Vec::new();
        for change in compared {
            let relative = path_from_bytes(&change.path);
            match change.new {
                _ if change.conflicted => {
                    if self
                        .language_if_checked(&relative, request.exclusions)
                        .is_some()
                    {
                        changes
                            .notices
                            .push(unmerged_notice(display_path(&relative)));
                    }
                }
                None => {
                    if let Some(old) = change.old.filter(|old| old.is_file()) {
                        sources.push((relative, old.oid));
                    }
                }
                Some(new) if new.is_gitlink() => changes.notices.push(submodule_notice(&relative)),
                Some(new) if !new.is_file() => {}
                Some(new) => match change.old.filter(|old| old.is_file()) {
                    Some(old) => modified.push((relative, old.oid, new.oid)),
                    None => targets.push((relative, new.oid)),
                },
            }
        }
        let renames = self.detect_renames(&sources, &targets);
        let mut files = Vec::new();
        for (relative, old, new) in modified {
            files.push((relative, Some((None, old)), new));
        }
        for (target_index, (relative, new)) in targets.into_iter().enumerate() {
            let old = renames
                .iter()
                .find(|(_, target)| *target == target_index)
                .map(|(source, _)| (Some(sources[*source].0.clone()), sources[*source].1));
            files.push((relative, old, new));
        }
        for (relative, old, new) in files {
            let Some(language) = self.language_if_checked(&relative, request.exclusions) else {
                continue;
            };
            let display = display_path(&relative);
            let new_blob = self.repository.find_blob(new).map_err(git_error(format!(
                "{display}: cannot read the staged content"
            )))?;
            let changed = match old {
                None => ChangedLines::all(),
                Some((old_path, old)) => {
                    let context = || format!("{display}: cannot compute the diff");
                    let old_blob = self
                        .repository
                        .find_blob(old)
                        .map_err(git_error(context()))?;
                    let mut options = line_diff_options();
                    // Buffers, not blobs: a patch of blobs looks up their
                    // `diff` attribute, and with it loads the whole index
                    // through libgit2, the cost this path exists to avoid.
                    // Binary content is still told by its bytes.
                    let patch = Patch::from_buffers(
                        old_blob.content(),
                        Some(old_path.as_deref().unwrap_or(&relative)),
                        new_blob.content(),
                        Some(&relative),
                        Some(&mut options),
                    )
                    .map_err(git_error(context()))?;
                    added_lines(&patch).map_err(git_error(context()))?
                }
            };
            changes.files.push(InMemoryFile {
                path: display,
                language,
                bytes: new_blob.content().to_vec(),
                changed: Some(changed),
            });
        }
        Ok(changes)
    }

    /// Pairs deleted files (sources) with added files (targets) the way
    /// git's rename detection does: identical content first, then content
    /// at least half the same (by lines, against the larger side), best
    /// pairs first, each file in one pair at most. Inexact detection is
    /// skipped past [`RENAME_PAIR_LIMIT`] pairs, as git's `diff.renameLimit`.
    fn detect_renames(
        &self,
        sources: &[(PathBuf, Oid)],
        targets: &[(PathBuf, Oid)],
    ) -> Vec<(usize, usize)> {
        let mut scored: Vec<(u32, usize, usize)> = Vec::new();
        for (target_index, (_, target)) in targets.iter().enumerate() {
            for (source_index, (_, source)) in sources.iter().enumerate() {
                if source == target {
                    scored.push((u32::MAX, source_index, target_index));
                }
            }
        }
        let inexact = !sources.is_empty()
            && !targets.is_empty()
            && sources.len().saturating_mul(targets.len()) <= RENAME_PAIR_LIMIT;
        if inexact {
            let source_lines: Vec<Option<LineCounts>> = sources
                .iter()
                .map(|(_, oid)| self.line_counts(*oid))
                .collect();
            for (target_index, (_, target)) in targets.iter().enumerate() {
                let Some(target_lines) = self.line_counts(*target) else {
                    continue;
                };
                for (source_index, source_lines) in source_lines.iter().enumerate() {
                    if let Some(score) = source_lines
                        .as_ref()
                        .and_then(|source_lines| source_lines.similarity(&target_lines))
                    {
                        scored.push((score, source_index, target_index));
                    }
                }
            }
        }
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let mut used_sources = vec![false; sources.len()];
        let mut used_targets = vec![false; targets.len()];
        let mut pairs = Vec::new();
        for (_, source_index, target_index) in scored {
            if !used_sources[source_index] && !used_targets[target_index] {
                used_sources[source_index] = true;
                used_targets[target_index] = true;
                pairs.push((source_index, target_index));
            }
        }
        pairs
    }

    /// How often each line occurs in a blob; `None` for binary or
    /// unreadable content, which is only ever renamed exactly.
    fn line_counts(&self, oid: Oid) -> Option<LineCounts> {
        let blob = self.repository.find_blob(oid).ok()?;
        if blob.is_binary() {
            return None;
        }
        let mut counts: HashMap<u64, u32> = HashMap::new();
        let mut total = 0u32;
        for line in blob.content().split_inclusive(|byte| *byte == b'\n') {
            *counts.entry(line_hash(line)).or_default() += 1;
            total = total.saturating_add(1);
        }
        Some(LineCounts { counts, total })
    }

    /// The language of a changed path snag checks; `None` for other files,
    /// dependency folders and the user's exclusions.
    fn language_if_checked(&self, relative: &Path, exclusions: &Exclusions) -> Option<Language> {
        let language = Language::from_path(relative)?;
        if in_skipped_directory(relative) || exclusions.excludes(&self.root.join(relative), false) {
            return None;
        }
        Some(language)
    }

    /// PATHS as literal pathspecs relative to the root. A path at (or
    /// above) the root means the whole repository.
    fn pathspecs(
        &self,
        cwd: &Path,
        paths: &[PathBuf],
        new_side: NewSide,
    ) -> Result<Vec<String>, GitError> {
        let mut pathspecs = Vec::new();
        for path in paths {
            let joined = cwd.join(path);
            let resolved = match joined.canonicalize() {
                Ok(resolved) => resolved,
                // A path the index holds need not exist on disk; in the work
                // tree modes a missing path is a typo, not an empty change.
                Err(error) if new_side == NewSide::WorkTree => {
                    return Err(GitError::Io {
                        path: path.clone(),
                        message: format!("cannot read: {error}"),
                    })
                }
                Err(_) => normalize_lexically(&joined),
            };
            let Ok(relative) = resolved.strip_prefix(&self.root) else {
                return Err(GitError::OutsideRepository {
                    path: path.clone(),
                    root: self.root.clone(),
                });
            };
            if relative.as_os_str().is_empty() {
                return Ok(Vec::new());
            }
            pathspecs.push(display_path(relative));
        }
        Ok(pathspecs)
    }

    /// The id of HEAD's commit, in hex; `None` on a branch with no commit yet.
    pub fn head_commit(&self) -> Result<Option<String>, GitError> {
        match self.repository.head() {
            Ok(head) => head
                .peel_to_commit()
                .map(|commit| Some(commit.id().to_string()))
                .map_err(git_error("cannot read HEAD's commit")),
            Err(error) if matches!(error.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => {
                Ok(None)
            }
            Err(error) => Err(git_error("cannot read HEAD")(error)),
        }
    }

    fn head_tree(&self) -> Result<Option<Tree<'_>>, GitError> {
        match self.repository.head() {
            Ok(head) => head
                .peel_to_tree()
                .map(Some)
                .map_err(git_error("cannot read HEAD's tree")),
            // No commit yet: everything staged or present is new.
            Err(error) if matches!(error.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => {
                Ok(None)
            }
            Err(error) => Err(git_error("cannot read HEAD")(error)),
        }
    }

    fn merge_base_tree(&self, rev: &str) -> Result<Tree<'_>, GitError> {
        let unknown = |error: git2::Error| GitError::UnknownRevision {
            rev: rev.to_string(),
            message: error.message().to_string(),
        };
        let base_commit = self
            .repository
            .revparse_single(rev)
            .and_then(|object| object.peel_to_commit())
            .map_err(unknown)?;
        let head_commit = match self.repository.head() {
            Ok(head) => head
                .peel_to_commit()
                .map_err(git_error("cannot read HEAD's commit"))?,
            Err(error) if matches!(error.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => {
                return Err(GitError::UnbornHead {
                    rev: rev.to_string(),
                })
            }
            Err(error) => return Err(git_error("cannot read HEAD")(error)),
        };
        let merge_base = match self
            .repository
            .merge_base(base_commit.id(), head_commit.id())
        {
            Ok(merge_base) => merge_base,
            // History cut short by a shallow clone looks like unrelated
            // history (or a missing object): either way the fix is to fetch.
            Err(_) if self.repository.is_shallow() => {
                return Err(GitError::ShallowMergeBase {
                    rev: rev.to_string(),
                })
            }
            Err(error) if error.code() == ErrorCode::NotFound => {
                return Err(GitError::NoMergeBase {
                    rev: rev.to_string(),
                })
            }
            Err(error) => {
                return Err(git_error(format!(
                    "cannot find the merge base of {rev} and HEAD"
                ))(error))
            }
        };
        self.repository
            .find_commit(merge_base)
            .and_then(|commit| commit.tree())
            .map_err(git_error(format!(
                "cannot read the merge base {merge_base}"
            )))
    }

    fn diff(
        &self,
        old_tree: Option<&Tree<'_>>,
        new_side: NewSide,
        pathspecs: &[String],
    ) -> Result<Diff<'_>, GitError> {
        let mut options = line_diff_options();
        options.include_typechange(true);
        if !pathspecs.is_empty() {
            // Literal paths (files or directories), not glob patterns: a
            // file named `[id].tsx` means itself.
            options.disable_pathspec_match(true);
            for pathspec in pathspecs {
                options.pathspec(pathspec);
            }
        }
        let mut diff = match new_side {
            NewSide::Index => {
                let index = self
                    .repository
                    .index()
                    .map_err(git_error("cannot read the index"))?;
                self.repository
                    .diff_tree_to_index(old_tree, Some(&index), Some(&mut options))
                    .map_err(git_error("cannot diff the index"))?
            }
            NewSide::WorkTree => {
                options.include_untracked(true).recurse_untracked_dirs(true);
                self.repository
                    .diff_tree_to_workdir_with_index(old_tree, Some(&mut options))
                    .map_err(git_error("cannot diff the work tree"))?
            }
        };
        let mut find = DiffFindOptions::new();
        find.renames(true).for_untracked(true);
        diff.find_similar(Some(&mut find))
            .map_err(git_error("cannot detect renames"))?;
        Ok(diff)
    }

    fn blob_bytes(&self, id: git2::Oid, display: &str) -> Result<Vec<u8>, GitError> {
        self.repository
            .find_blob(id)
            .map(|blob| blob.content().to_vec())
            .map_err(git_error(format!(
                "{display}: cannot read the staged content"
            )))
    }

    /// The directory git runs hooks from: `core.hooksPath` when set (relative
    /// to the work tree's root, as git takes it), else `hooks/` in the common
    /// git directory, which linked worktrees share with the main one.
    pub fn hooks_dir(&self) -> Result<PathBuf, GitError> {
        let config = self
            .repository
            .config()
            .map_err(git_error("cannot read the git config"))?;
        match config.get_path("core.hooksPath") {
            Ok(path) if path.is_absolute() => Ok(path),
            Ok(path) => Ok(self.root.join(path)),
            Err(error) if error.code() == ErrorCode::NotFound => {
                Ok(self.repository.commondir().join("hooks"))
            }
            Err(error) => Err(git_error("cannot read core.hooksPath")(error)),
        }
    }

    /// Writes the pre-commit hook. A hook snag wrote is updated; another is
    /// replaced only with [`HookOverwrite::Replace`].
    pub fn install_hook(&self, overwrite: HookOverwrite) -> Result<HookInstalled, GitError> {
        let directory = self.hooks_dir()?;
        let path = directory.join("pre-commit");
        let installed = match std::fs::read(&path) {
            Ok(existing) if is_snag_hook(&existing) => HookInstalled::Updated(path.clone()),
            Ok(_) if overwrite == HookOverwrite::Replace => HookInstalled::Replaced(path.clone()),
            Ok(_) => return Err(GitError::ForeignHook(path)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                HookInstalled::Created(path.clone())
            }
            Err(error) => return Err(io_error(&path)(error)),
        };
        std::fs::create_dir_all(&directory).map_err(io_error(&directory))?;
        std::fs::write(&path, PRE_COMMIT_HOOK).map_err(io_error(&path))?;
        make_executable(&path)?;
        Ok(installed)
    }

    /// Removes the pre-commit hook if snag wrote it; leaves any other alone.
    pub fn uninstall_hook(&self) -> Result<HookRemoved, GitError> {
        let path = self.hooks_dir()?.join("pre-commit");
        match std::fs::read(&path) {
            Ok(existing) if is_snag_hook(&existing) => {
                std::fs::remove_file(&path).map_err(io_error(&path))?;
                Ok(HookRemoved::Removed(path))
            }
            Ok(_) => Ok(HookRemoved::Foreign(path)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                Ok(HookRemoved::Absent(path))
            }
            Err(error) => Err(io_error(&path)(error)),
        }
    }
}

/// Renames are looked for only when sources × targets is at most this.
const RENAME_PAIR_LIMIT: usize = 10_000;
/// Renamed when at least this share (in percent) of lines is kept.
const RENAME_THRESHOLD_PERCENT: u64 = 50;

/// A blob's lines as a multiset of hashes, for rename similarity.
struct LineCounts {
    counts: HashMap<u64, u32>,
    total: u32,
}

impl LineCounts {
    /// The share of lines kept (in millionths), when at or above the
    /// threshold.
    fn similarity(&self, other: &LineCounts) -> Option<u32> {
        let larger = u64::from(self.total.max(other.total));
        let smaller = u64::from(self.total.min(other.total));
        if larger == 0 || smaller * 100 < larger * RENAME_THRESHOLD_PERCENT {
            return None;
        }
        let (few, many) = if self.counts.len() <= other.counts.len() {
            (self, other)
        } else {
            (other, self)
        };
        let common: u64 = few
            .counts
            .iter()
            .map(|(line, count)| {
                u64::from((*count).min(many.counts.get(line).copied().unwrap_or(0)))
            })
            .sum();
        (common * 100 >= larger * RENAME_THRESHOLD_PERCENT)
            .then(|| (common * 1_000_000 / larger) as u32)
    }
}

/// FNV-1a of a line, whitespace at its end ignored (so a changed line
/// ending does not hide a rename).
fn line_hash(line: &[u8]) -> u64 {
    let trimmed = line
        .iter()
        .rposition(|byte| !byte.is_ascii_whitespace())
        .map_or(&line[..0], |last| &line[..=last]);
    trimmed.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Options for line diffs: hunks without context, so every new-side line
/// of a hunk is changed; larger files are binary to the diff, and skipped
/// by the engine anyway.
fn line_diff_options() -> DiffOptions {
    let mut options = DiffOptions::new();
    options
        .context_lines(0)
        .interhunk_lines(0)
        .max_size(MAX_FILE_BYTES as i64);
    options
}

/// The lines of the new side that a patch added or modified (none for
/// binary content).
fn added_lines(patch: &Patch<'_>) -> Result<ChangedLines, git2::Error> {
    let mut added = Vec::new();
    for hunk_index in 0..patch.num_hunks() {
        for line_index in 0..patch.num_lines_in_hunk(hunk_index)? {
            let line = patch.line_in_hunk(hunk_index, line_index)?;
            if line.origin_value() == DiffLineType::Addition {
                if let Some(number) = line.new_lineno() {
                    added.push((number, number));
                }
            }
        }
    }
    Ok(ChangedLines::from_ranges(added))
}

fn submodule_notice(relative: &Path) -> GitNotice {
    GitNotice {
        path: display_path(relative),
        message: "submodule skipped: snag does not check inside submodules \
                  (run it in the submodule's own work tree)"
            .to_string(),
    }
}

fn unmerged_notice(display: String) -> GitNotice {
    GitNotice {
        path: display,
        message: "skipped: unmerged (resolve the conflict and stage the file)".to_string(),
    }
}

/// A path from the index's bytes (git paths are bytes; on Unix so are paths).
fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
    }
}

/// A repository-relative path as reports show it, with `/`.
fn display_path(relative: &Path) -> String {
    let text = relative.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        text.into_owned()
    } else {
        text.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

fn in_skipped_directory(relative: &Path) -> bool {
    let mut components = relative.components();
    components.next_back();
    components.any(|component| match component {
        Component::Normal(name) => name.to_str().is_some_and(is_always_skipped),
        _ => false,
    })
}

/// `a/./b/../c` → `a/c`, without touching the file system.
fn normalize_lexically(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut normalized = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                normalized.pop();
            }
            other => normalized.push(other),
        }
    }
    normalized
}

/// Whether to replace a pre-commit hook that snag did not write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookOverwrite {
    Refuse,
    Replace,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookInstalled {
    Created(PathBuf),
    /// snag's own hook was there and was rewritten.
    Updated(PathBuf),
    /// Another hook was there and was replaced (`--force`).
    Replaced(PathBuf),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookRemoved {
    Removed(PathBuf),
    /// No pre-commit hook at all.
    Absent(PathBuf),
    /// A hook snag did not write; left in place.
    Foreign(PathBuf),
}

/// The line that marks a hook as snag's: install updates and uninstall
/// removes only hooks that carry it.
pub const HOOK_SIGNATURE: &str =
    "# snag-hook: written by `snag hook install`; `snag hook uninstall` removes it.";

/// The pre-commit hook: checks the staged content with the `snag` on PATH.
pub const PRE_COMMIT_HOOK: &str = concat!(
    "#!/bin/sh\n",
    "# snag-hook: written by `snag hook install`; `snag hook uninstall` removes it.\n",
    "# Checks what is being committed (the staged content, changed lines only).\n",
    "# Skip it for one commit with `git commit --no-verify`.\n",
    "if ! command -v snag >/dev/null 2>&1; then\n",
    "    echo 'snag pre-commit hook: `snag` is not on PATH. Install snag, or remove this hook with `snag hook uninstall`.' >&2\n",
    "    exit 1\n",
    "fi\n",
    "exec snag check --staged\n",
);

fn is_snag_hook(contents: &[u8]) -> bool {
    String::from_utf8_lossy(contents)
        .lines()
        .any(|line| line.trim_end() == HOOK_SIGNATURE)
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<(), GitError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).map_err(io_error(path))
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> Result<(), GitError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hook_carries_its_signature() {
        assert!(is_snag_hook(PRE_COMMIT_HOOK.as_bytes()));
        assert!(!is_snag_hook(b"#!/bin/sh\nexec lint-staged\n"));
    }

    #[test]
    fn dependency_directories_are_skipped_but_not_files_named_like_them() {
        assert!(in_skipped_directory(Path::new(
            "web/node_modules/pg/index.js"
        )));
        assert!(!in_skipped_directory(Path::new("src/venv.py")));
        assert!(!in_skipped_directory(Path::new("app.py")));
    }

    #[test]
    fn lexical_normalization_drops_dots() {
        assert_eq!(
            normalize_lexically(Path::new("/repo/a/./b/../c")),
            PathBuf::from("/repo/a/c")
        );
    }

    #[test]
    fn unsaved_content_is_diffed_against_heads_blob() {
        let root = std::env::temp_dir().join(format!("snag-git-unsaved-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("app")).unwrap();
        let repository = Repository::init(&root).unwrap();
        std::fs::write(root.join("app/views.py"), "a = 1\nb = 2\nc = 3\n").unwrap();
        let mut index = repository.index().unwrap();
        index.add_path(Path::new("app/views.py")).unwrap();
        let tree_id = index.write_tree().unwrap();
        let tree = repository.find_tree(tree_id).unwrap();
        let signature = git2::Signature::now("test", "test@example.com").unwrap();
        repository
            .commit(Some("HEAD"), &signature, &signature, "init", &tree, &[])
            .unwrap();

        let opened = GitRepository::containing(&root.join("app/views.py"))
            .unwrap()
            .unwrap();
        // The work tree's file is not read: only the buffer counts.
        let changed = opened
            .changed_lines_against_head(
                &root.join("app/views.py"),
                b"a = 1\nb = 20\nc = 3\nd = 4\n",
            )
            .unwrap();
        assert_eq!(changed.ranges(), &[(2, 2), (4, 4)]);
        let unchanged = opened
            .changed_lines_against_head(&root.join("app/views.py"), b"a = 1\nb = 2\nc = 3\n")
            .unwrap();
        assert!(unchanged.is_empty());
        let new_file = opened
            .changed_lines_against_head(&root.join("app/new.py"), b"x = 1\n")
            .unwrap();
        assert!(new_file.touches(1, 1));
        let outside = std::env::temp_dir().join("snag-elsewhere.py");
        assert!(opened.changed_lines_against_head(&outside, b"").is_err());
        let _ = std::fs::remove_dir_all(&root);
    }
}
