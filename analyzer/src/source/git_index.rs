//! A reader for git's index file, and the comparison of a tree with it, for
//! `--staged`: what `git diff --cached` computes, at git's speed.
//!
//! libgit2 loads an index by hashing the whole file (SHA-1 with collision
//! detection) and building a hash map of every entry, then compares it with
//! the tree entry by entry: on a repository of 20,000 files that is most of a
//! staged check's time, while git itself needs a few milliseconds. git is
//! fast because it trusts the file (its checksum is only verified by
//! `git fsck`) and because the index carries a *cache tree*: the tree id of
//! every directory whose entries have not changed since it was last written,
//! so a directory whose id equals the old tree's is skipped without being
//! read. This module does the same, and nothing else: any index it does not
//! fully understand (a split or sparse index, an unknown version or required
//! extension, anything malformed) is declined, and the caller falls back to
//! libgit2, which reads every form git writes.
//!
//! Format reference: git's `Documentation/gitformat-index.txt`.

use std::collections::HashMap;
use std::ops::Range;

use git2::{ObjectType, Oid, Repository, Tree};

/// Length of a SHA-1 object id; SHA-256 repositories are declined.
const OID_BYTES: usize = 20;
/// ctime, mtime, dev, ino, mode, uid, gid, size: ten 32-bit fields.
const STAT_BYTES: usize = 40;
const FLAG_EXTENDED: u16 = 0x4000;
const FLAG_NAME_MASK: u16 = 0x0fff;
const EXTENDED_INTENT_TO_ADD: u16 = 0x2000;

const MODE_TYPE_MASK: u32 = 0o170000;
const MODE_FILE: u32 = 0o100000;
const MODE_GITLINK: u32 = 0o160000;

/// One stage of one path: where it is in the file, and where its path is
/// (in the file for versions 2 and 3, in the arena for version 4, whose paths
/// are prefix-compressed). Other fields are decoded from the file when asked:
/// a comparison pruned by the cache tree looks at few entries.
#[derive(Debug, Clone, Copy)]
struct Entry {
    at: u32,
    path_start: u32,
    path_length: u32,
}

/// A parsed index: entries in index order (by path bytes, then stage), and
/// the cache tree's valid directories.
#[derive(Debug, Default)]
pub(crate) struct IndexSnapshot {
    bytes: IndexBytes,
    entries: Vec<Entry>,
    /// Version 4's paths, back to back.
    arena: Vec<u8>,
    paths_in_arena: bool,
    /// Directory path (`""` for the root, `a/b` without a trailing slash) →
    /// the tree id the index's entries under it would write.
    cache_tree: HashMap<Vec<u8>, Oid>,
}

/// The index file's bytes: mapped, as git maps it, or read.
#[derive(Debug)]
pub(crate) enum IndexBytes {
    Read(Vec<u8>),
    Mapped(memmap2::Mmap),
}

impl Default for IndexBytes {
    fn default() -> IndexBytes {
        IndexBytes::Read(Vec::new())
    }
}

impl std::ops::Deref for IndexBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            IndexBytes::Read(bytes) => bytes,
            IndexBytes::Mapped(map) => map,
        }
    }
}

impl IndexBytes {
    /// Maps the file (reading it when it cannot be mapped). Mapping spares
    /// copying a file of tens of megabytes on large repositories, most of
    /// which a comparison pruned by the cache tree never looks at.
    pub(crate) fn open(path: &std::path::Path) -> std::io::Result<IndexBytes> {
        let file = std::fs::File::open(path)?;
        // SAFETY: a mapping is undefined behaviour if the file changes
        // under it. git and libgit2 never write an index in place: they
        // write `index.lock` and rename it over the index, so the inode we
        // mapped keeps its content for as long as we hold it.
        match unsafe { memmap2::Mmap::map(&file) } {
            Ok(map) => Ok(IndexBytes::Mapped(map)),
            Err(_) => std::fs::read(path).map(IndexBytes::Read),
        }
    }
}

/// Why the index was not read here (the caller falls back to libgit2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Declined(pub &'static str);

/// Offsets inside an entry.
const MODE_AT: usize = 24;
const OID_AT: usize = STAT_BYTES;
const FLAGS_AT: usize = STAT_BYTES + OID_BYTES;

impl IndexSnapshot {
    /// Parses an index file's bytes.
    pub(crate) fn parse(bytes: IndexBytes) -> Result<IndexSnapshot, Declined> {
        if u32::try_from(bytes.len()).is_err() {
            return Err(Declined("index larger than 4 GiB"));
        }
        let mut reader = Reader {
            bytes: &bytes,
            at: 0,
        };
        if reader.take(4)? != b"DIRC" {
            return Err(Declined("not an index file"));
        }
        let version = reader.u32()?;
        if !(2..=4).contains(&version) {
            return Err(Declined("unknown index version"));
        }
        let count = reader.u32()? as usize;
        // No entry is shorter than 40 bytes: never trust a count the file
        // cannot hold.
        if count > bytes.len() / 40 {
            return Err(Declined("entry count larger than the file"));
        }
        let mut entries = Vec::with_capacity(count);
        let mut arena = Vec::new();
        let mut previous = 0..0;
        for _ in 0..count {
            let entry_start = reader.at;
            reader.take(STAT_BYTES + OID_BYTES)?;
            let mode = u32::from_be_bytes(read_array(&bytes, entry_start + MODE_AT)?);
            let flags = reader.u16()?;
            if flags & FLAG_EXTENDED != 0 {
                if version < 3 {
                    return Err(Declined("extended flags in a version 2 index"));
                }
                reader.u16()?;
            }
            let path = if version == 4 {
                // The path is the previous one minus `strip` bytes, plus a
                // NUL-terminated suffix.
                let strip = reader.offset_varint()?;
                let kept = previous
                    .len()
                    .checked_sub(strip)
                    .ok_or(Declined("bad path prefix"))?;
                let start = arena.len();
                arena.extend_from_within(previous.start..previous.start + kept);
                let suffix = reader.until_nul()?;
                arena.extend_from_slice(suffix);
                start..arena.len()
            } else {
                let name_length = usize::from(flags & FLAG_NAME_MASK);
                let start = reader.at;
                if name_length < usize::from(FLAG_NAME_MASK) {
                    reader.take(name_length)?;
                    if reader.take(1)? != [0] {
                        return Err(Declined("path not NUL-terminated"));
                    }
                } else {
                    reader.until_nul()?;
                }
                let end = reader.at - 1;
                // Entries are padded with NULs to a multiple of eight bytes.
                let unpadded = reader.at - entry_start;
                let padded = (unpadded + 7) & !7;
                reader.take(padded - unpadded)?;
                start..end
            };
            let path_bytes = if version == 4 {
                &arena[path.clone()]
            } else {
                &bytes[path.clone()]
            };
            // Sparse-directory entries (`dir/`, mode 040000) need the
            // directory's tree expanded: libgit2's business.
            match path_bytes.last() {
                None => return Err(Declined("empty path")),
                Some(b'/') => return Err(Declined("sparse directory entry")),
                Some(_) if mode & MODE_TYPE_MASK == 0o040000 => {
                    return Err(Declined("sparse directory entry"))
                }
                Some(_) => {}
            }
            entries.push(Entry {
                at: entry_start as u32,
                path_start: path.start as u32,
                path_length: path.len() as u32,
            });
            previous = path;
        }
        let checksum_start = bytes
            .len()
            .checked_sub(OID_BYTES)
            .ok_or(Declined("truncated"))?;
        let mut cache_tree = HashMap::new();
        while reader.at < checksum_start {
            let signature = reader.take(4)?;
            let size = reader.u32()? as usize;
            let data = reader.take(size)?;
            match signature {
                b"TREE" => cache_tree = parse_cache_tree(data)?,
                // Optional extensions start with an upper-case letter; a
                // lower-case one (split index `link`, sparse `sdir`) changes
                // what the entries mean.
                [first, ..] if first.is_ascii_uppercase() => {}
                _ => return Err(Declined("required index extension")),
            }
        }
        if reader.at != checksum_start {
            return Err(Declined("extensions overrun the checksum"));
        }
        Ok(IndexSnapshot {
            bytes,
            entries,
            arena,
            paths_in_arena: version == 4,
            cache_tree,
        })
    }

    fn len(&self) -> usize {
        self.entries.len()
    }

    fn path(&self, index: usize) -> &[u8] {
        let entry = self.entries[index];
        let range = entry.path_start as usize..(entry.path_start + entry.path_length) as usize;
        if self.paths_in_arena {
            &self.arena[range]
        } else {
            &self.bytes[range]
        }
    }

    /// Entries were bounds-checked by `parse`; a failure here is a bug, and
    /// reads as a zero field rather than a panic.
    fn field<const N: usize>(&self, index: usize, offset: usize) -> [u8; N] {
        read_array(&self.bytes, self.entries[index].at as usize + offset).unwrap_or([0; N])
    }

    fn side(&self, index: usize) -> Side {
        let oid: [u8; OID_BYTES] = self.field(index, OID_AT);
        Side {
            oid: Oid::from_bytes(&oid).unwrap_or(Oid::ZERO_SHA1),
            mode: u32::from_be_bytes(self.field(index, MODE_AT)),
        }
    }

    fn flags(&self, index: usize) -> u16 {
        u16::from_be_bytes(self.field(index, FLAGS_AT))
    }

    fn stage(&self, index: usize) -> u8 {
        ((self.flags(index) >> 12) & 3) as u8
    }

    fn intent_to_add(&self, index: usize) -> bool {
        self.flags(index) & FLAG_EXTENDED != 0
            && u16::from_be_bytes(self.field(index, FLAGS_AT + 2)) & EXTENDED_INTENT_TO_ADD != 0
    }

    /// The entries whose path starts with `prefix` (a directory with its
    /// trailing `/`), within `within`: contiguous, since entries are sorted.
    fn range_with_prefix(&self, within: Range<usize>, prefix: &[u8]) -> Range<usize> {
        let first = partition_point(within.clone(), |index| self.path(index) < prefix);
        let end = partition_point(first..within.end, |index| {
            self.path(index).starts_with(prefix)
        });
        first..end
    }
}

/// The first index of `range` where `predicate` turns false (it must be
/// true then false over the range).
fn partition_point(range: Range<usize>, predicate: impl Fn(usize) -> bool) -> usize {
    let (mut low, mut high) = (range.start, range.end);
    while low < high {
        let middle = low + (high - low) / 2;
        if predicate(middle) {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    low
}

fn read_array<const N: usize>(bytes: &[u8], at: usize) -> Result<[u8; N], Declined> {
    bytes
        .get(at..at + N)
        .and_then(|slice| slice.try_into().ok())
        .ok_or(Declined("truncated"))
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, length: usize) -> Result<&'a [u8], Declined> {
        let end = self.at.checked_add(length).ok_or(Declined("truncated"))?;
        let taken = self.bytes.get(self.at..end).ok_or(Declined("truncated"))?;
        self.at = end;
        Ok(taken)
    }

    fn u32(&mut self) -> Result<u32, Declined> {
        let bytes = self.take(4)?;
        Ok(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    fn u16(&mut self) -> Result<u16, Declined> {
        let bytes = self.take(2)?;
        Ok(u16::from_be_bytes([bytes[0], bytes[1]]))
    }

    fn until_nul(&mut self) -> Result<&'a [u8], Declined> {
        let rest = self.bytes.get(self.at..).ok_or(Declined("truncated"))?;
        let length = memchr::memchr(0, rest).ok_or(Declined("path not NUL-terminated"))?;
        let text = &rest[..length];
        self.at += length + 1;
        Ok(text)
    }

    /// git's "offset" varint (as in `OFS_DELTA`): each continuation adds one
    /// before shifting, so every value has one encoding.
    fn offset_varint(&mut self) -> Result<usize, Declined> {
        let mut byte = self.take(1)?[0];
        let mut value = usize::from(byte & 0x7f);
        while byte & 0x80 != 0 {
            byte = self.take(1)?[0];
            value = value
                .checked_add(1)
                .and_then(|value| value.checked_mul(128))
                .and_then(|value| value.checked_add(usize::from(byte & 0x7f)))
                .ok_or(Declined("bad path prefix"))?;
        }
        Ok(value)
    }
}

/// The `TREE` extension: directories in pre-order, each `name NUL
/// entry-count SP subtree-count LF [oid]`, the oid present only when the
/// entry count is not -1 (invalidated).
fn parse_cache_tree(data: &[u8]) -> Result<HashMap<Vec<u8>, Oid>, Declined> {
    let mut reader = Reader { bytes: data, at: 0 };
    let mut valid = HashMap::new();
    // (path of the directory, children still to read)
    let mut stack: Vec<(Vec<u8>, usize)> = Vec::new();
    let mut first = true;
    while reader.at < data.len() || first {
        let name = reader.until_nul()?;
        let count_text = reader.until_byte(b' ')?;
        let subtrees_text = reader.until_byte(b'\n')?;
        let entry_count = parse_decimal(count_text)?;
        let subtrees = usize::try_from(parse_decimal(subtrees_text)?)
            .map_err(|_| Declined("bad cache tree"))?;
        let path = match stack.last() {
            None if first => Vec::new(),
            None => return Err(Declined("bad cache tree")),
            Some((parent, _)) if parent.is_empty() => name.to_vec(),
            Some((parent, _)) => [parent.as_slice(), b"/", name].concat(),
        };
        first = false;
        if let Some((_, remaining)) = stack.last_mut() {
            *remaining -= 1;
        }
        if entry_count >= 0 {
            let oid =
                Oid::from_bytes(reader.take(OID_BYTES)?).map_err(|_| Declined("bad cache tree"))?;
            valid.insert(path.clone(), oid);
        }
        stack.push((path, subtrees));
        while stack.last().is_some_and(|(_, remaining)| *remaining == 0) {
            stack.pop();
        }
        if stack.is_empty() {
            break;
        }
    }
    Ok(valid)
}

impl<'a> Reader<'a> {
    fn until_byte(&mut self, end: u8) -> Result<&'a [u8], Declined> {
        let rest = self.bytes.get(self.at..).ok_or(Declined("truncated"))?;
        let length = memchr::memchr(end, rest).ok_or(Declined("bad cache tree"))?;
        let text = &rest[..length];
        self.at += length + 1;
        Ok(text)
    }
}

fn parse_decimal(text: &[u8]) -> Result<i64, Declined> {
    std::str::from_utf8(text)
        .ok()
        .and_then(|text| text.parse::<i64>().ok())
        .ok_or(Declined("bad cache tree"))
}

/// A blob-or-other entry on one side of the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Side {
    pub oid: Oid,
    pub mode: u32,
}

impl Side {
    pub(crate) fn is_file(self) -> bool {
        self.mode & MODE_TYPE_MASK == MODE_FILE
    }

    pub(crate) fn is_gitlink(self) -> bool {
        self.mode & MODE_TYPE_MASK == MODE_GITLINK
    }
}

/// One path that differs between the tree and the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IndexChange {
    /// Relative to the repository root, with `/`.
    pub path: Vec<u8>,
    pub old: Option<Side>,
    /// `None` when deleted (or only in the index as intent-to-add).
    pub new: Option<Side>,
    /// Unmerged: the index holds conflict stages for it.
    pub conflicted: bool,
}

/// Which paths the comparison is narrowed to (literal files or
/// directories, relative to the root); empty for everything.
pub(crate) struct Narrowing<'a>(pub &'a [String]);

impl Narrowing<'_> {
    fn keeps_file(&self, path: &[u8]) -> bool {
        self.0.is_empty()
            || self.0.iter().any(|spec| {
                let spec = spec.as_bytes();
                path == spec || (path.starts_with(spec) && path.get(spec.len()) == Some(&b'/'))
            })
    }

    /// `directory` with its trailing `/`.
    fn enters(&self, directory: &[u8]) -> bool {
        self.0.is_empty()
            || self.0.iter().any(|spec| {
                let spec = spec.as_bytes();
                spec.starts_with(directory)
                    || (directory.starts_with(spec) && directory.get(spec.len()) == Some(&b'/'))
            })
    }
}

/// Compares `tree` (the old side; `None` for the empty tree) with the index,
/// reading only the trees of directories the cache tree cannot vouch for.
pub(crate) fn compare(
    repository: &Repository,
    tree: Option<&Tree<'_>>,
    index: &IndexSnapshot,
    narrowing: &Narrowing<'_>,
) -> Result<Vec<IndexChange>, git2::Error> {
    let mut comparison = Comparison {
        repository,
        index,
        narrowing,
        changes: Vec::new(),
    };
    comparison.directory(b"", tree.map(Tree::id), 0..index.len())?;
    Ok(comparison.changes)
}

struct Comparison<'a> {
    repository: &'a Repository,
    index: &'a IndexSnapshot,
    narrowing: &'a Narrowing<'a>,
    changes: Vec<IndexChange>,
}

/// A child of a directory, keyed the way git orders them: directories as
/// if their name ended with `/`.
struct TreeChild {
    key: Vec<u8>,
    is_directory: bool,
    side: Side,
}

impl Comparison<'_> {
    /// `prefix` is the directory with its trailing `/` (empty for the root);
    /// `entries` are the index entries under it.
    fn directory(
        &mut self,
        prefix: &[u8],
        tree: Option<Oid>,
        entries: Range<usize>,
    ) -> Result<(), git2::Error> {
        let directory = prefix.strip_suffix(b"/").unwrap_or(prefix);
        if let Some(tree) = tree {
            if self.index.cache_tree.get(directory) == Some(&tree) {
                return Ok(());
            }
        }
        if !prefix.is_empty() && !self.narrowing.enters(prefix) {
            return Ok(());
        }
        let mut tree_children = match tree {
            Some(oid) => self.tree_children(oid)?,
            None => Vec::new(),
        };
        tree_children.sort_by(|a, b| a.key.cmp(&b.key));
        let mut tree_children = tree_children.into_iter().peekable();
        let mut at = entries.start;
        loop {
            // The next index child: a file (all its stages) or a directory
            // (every entry under it).
            let index_child = (at < entries.end).then(|| {
                let path = self.index.path(at);
                let relative = &path[prefix.len()..];
                match memchr::memchr(b'/', relative) {
                    Some(slash) => {
                        let key = path[..prefix.len() + slash + 1].to_vec();
                        let range = self.index.range_with_prefix(at..entries.end, &key);
                        (key[prefix.len()..].to_vec(), true, range)
                    }
                    None => {
                        let mut end = at + 1;
                        while end < entries.end && self.index.path(end) == path {
                            end += 1;
                        }
                        (relative.to_vec(), false, at..end)
                    }
                }
            });
            let ordering = match (tree_children.peek(), &index_child) {
                (None, None) => break,
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some(child), Some((key, _, _))) => child.key.as_slice().cmp(key.as_slice()),
            };
            match ordering {
                std::cmp::Ordering::Less => {
                    if let Some(child) = tree_children.next() {
                        let path = [prefix, child.key.as_slice()].concat();
                        self.only_in_tree(path, child)?;
                    }
                }
                std::cmp::Ordering::Greater => {
                    if let Some((_, _, range)) = index_child {
                        at = range.end;
                        self.only_in_index(range);
                    }
                }
                std::cmp::Ordering::Equal => {
                    let (Some(child), Some((key, is_directory, range))) =
                        (tree_children.next(), index_child)
                    else {
                        break;
                    };
                    at = range.end;
                    let path = [prefix, key.as_slice()].concat();
                    if is_directory {
                        self.directory(&path, Some(child.side.oid), range)?;
                    } else {
                        self.file_in_both(path, child.side, range);
                    }
                }
            }
        }
        Ok(())
    }

    fn tree_children(&self, oid: Oid) -> Result<Vec<TreeChild>, git2::Error> {
        let tree = self.repository.find_tree(oid)?;
        Ok(tree
            .iter()
            .map(|entry| {
                let is_directory = entry.kind() == Some(ObjectType::Tree);
                let mut key = entry.name_bytes().to_vec();
                if is_directory {
                    key.push(b'/');
                }
                TreeChild {
                    key,
                    is_directory,
                    side: Side {
                        oid: entry.id(),
                        mode: entry.filemode() as u32,
                    },
                }
            })
            .collect())
    }

    /// A file or directory the old tree has and the index does not.
    fn only_in_tree(&mut self, path: Vec<u8>, child: TreeChild) -> Result<(), git2::Error> {
        if !child.is_directory {
            self.push(path, Some(child.side), None, false);
            return Ok(());
        }
        if !self.narrowing.enters(&path) {
            return Ok(());
        }
        // Deleted files are rename sources: list them.
        for grandchild in self.tree_children(child.side.oid)? {
            let grandchild_path = [path.as_slice(), grandchild.key.as_slice()].concat();
            self.only_in_tree(grandchild_path, grandchild)?;
        }
        Ok(())
    }

    /// Index entries (one file's stages, or a directory's) the tree lacks.
    fn only_in_index(&mut self, range: Range<usize>) {
        let mut at = range.start;
        while at < range.end {
            let path = self.index.path(at).to_vec();
            let mut end = at + 1;
            while end < range.end && self.index.path(end) == path {
                end += 1;
            }
            let (new, conflicted) = self.index_side(at..end);
            if new.is_some() || conflicted {
                self.push(path, None, new, conflicted);
            }
            at = end;
        }
    }

    fn file_in_both(&mut self, path: Vec<u8>, old: Side, stages: Range<usize>) {
        let (new, conflicted) = self.index_side(stages);
        if conflicted || new != Some(old) {
            self.push(path, Some(old), new, conflicted);
        }
    }

    /// The staged side of one path: its stage-0 entry unless it is only an
    /// intent to add; conflicted when other stages are present.
    fn index_side(&self, stages: Range<usize>) -> (Option<Side>, bool) {
        let conflicted = stages.clone().any(|index| self.index.stage(index) != 0);
        let new = stages
            .clone()
            .find(|index| self.index.stage(*index) == 0 && !self.index.intent_to_add(*index))
            .map(|index| self.index.side(index));
        (new, conflicted)
    }

    fn push(&mut self, path: Vec<u8>, old: Option<Side>, new: Option<Side>, conflicted: bool) {
        if self.narrowing.keeps_file(&path) {
            self.changes.push(IndexChange {
                path,
                old,
                new,
                conflicted,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An index file in memory: version, entries `(path, mode, oid byte,
    /// stage)`, and raw extensions.
    fn index_bytes(version: u32, entries: &[(&str, u32, u8, u8)], extensions: &[u8]) -> Vec<u8> {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(b"DIRC");
        bytes.extend_from_slice(&version.to_be_bytes());
        bytes.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        let mut previous: &str = "";
        for (path, mode, oid_byte, stage) in entries {
            let start = bytes.len();
            bytes.extend_from_slice(&[0; 24]);
            bytes.extend_from_slice(&mode.to_be_bytes());
            bytes.extend_from_slice(&[0; 12]);
            bytes.extend_from_slice(&[*oid_byte; 20]);
            let flags = (u16::from(*stage) << 12) | path.len().min(0xfff) as u16;
            bytes.extend_from_slice(&flags.to_be_bytes());
            if version == 4 {
                let common = previous
                    .bytes()
                    .zip(path.bytes())
                    .take_while(|(a, b)| a == b)
                    .count();
                let strip = previous.len() - common;
                assert!(strip < 128);
                bytes.push(strip as u8);
                bytes.extend_from_slice(&path.as_bytes()[common..]);
                bytes.push(0);
            } else {
                bytes.extend_from_slice(path.as_bytes());
                let unpadded = bytes.len() - start;
                let padded = (unpadded + 8) & !7;
                bytes.resize(start + padded, 0);
            }
            previous = path;
        }
        bytes.extend_from_slice(extensions);
        bytes.extend_from_slice(&[0; 20]);
        bytes
    }

    fn parse(bytes: Vec<u8>) -> Result<IndexSnapshot, Declined> {
        IndexSnapshot::parse(IndexBytes::Read(bytes))
    }

    fn paths(snapshot: &IndexSnapshot) -> Vec<String> {
        (0..snapshot.len())
            .map(|index| String::from_utf8_lossy(snapshot.path(index)).into_owned())
            .collect()
    }

    const ENTRIES: &[(&str, u32, u8, u8)] = &[
        ("a.py", 0o100644, 1, 0),
        ("dir/b.py", 0o100644, 2, 0),
        ("dir/c d.py", 0o100755, 3, 0),
        ("dir/sub/e.py", 0o100644, 4, 0),
        ("z.py", 0o100644, 5, 0),
    ];

    #[test]
    fn versions_two_and_four_read_the_same_entries() {
        for version in [2, 3, 4] {
            let snapshot = parse(index_bytes(version, ENTRIES, b"")).unwrap();
            assert_eq!(
                paths(&snapshot),
                vec!["a.py", "dir/b.py", "dir/c d.py", "dir/sub/e.py", "z.py"],
                "version {version}"
            );
            assert_eq!(snapshot.side(2).mode, 0o100755);
            assert_eq!(snapshot.side(4).oid.as_bytes(), &[5; 20]);
            assert_eq!(snapshot.stage(4), 0);
        }
    }

    #[test]
    fn a_directory_is_a_contiguous_range() {
        let snapshot = parse(index_bytes(2, ENTRIES, b"")).unwrap();
        assert_eq!(snapshot.range_with_prefix(0..5, b"dir/"), 1..4);
        assert_eq!(snapshot.range_with_prefix(1..4, b"dir/sub/"), 3..4);
        assert_eq!(snapshot.range_with_prefix(0..5, b"nope/"), 4..4);
    }

    #[test]
    fn the_cache_tree_keeps_valid_directories_only() {
        let mut tree = Vec::new();
        tree.extend_from_slice(b"\x005 2\n");
        tree.extend_from_slice(&[9; 20]);
        tree.extend_from_slice(b"dir\x00-1 1\n");
        tree.extend_from_slice(b"sub\x001 0\n");
        tree.extend_from_slice(&[7; 20]);
        tree.extend_from_slice(b"other\x000 0\n");
        tree.extend_from_slice(&[8; 20]);
        let mut extension = b"TREE".to_vec();
        extension.extend_from_slice(&(tree.len() as u32).to_be_bytes());
        extension.extend_from_slice(&tree);
        let snapshot = parse(index_bytes(2, ENTRIES, &extension)).unwrap();
        let mut valid: Vec<(String, u8)> = snapshot
            .cache_tree
            .iter()
            .map(|(path, oid)| {
                (
                    String::from_utf8_lossy(path).into_owned(),
                    oid.as_bytes()[0],
                )
            })
            .collect();
        valid.sort();
        assert_eq!(
            valid,
            vec![
                (String::new(), 9),
                ("dir/sub".to_string(), 7),
                ("other".to_string(), 8)
            ]
        );
    }

    #[test]
    fn split_sparse_and_broken_indexes_are_declined() {
        let mut link = b"link".to_vec();
        link.extend_from_slice(&20u32.to_be_bytes());
        link.extend_from_slice(&[0; 20]);
        assert!(parse(index_bytes(2, ENTRIES, &link)).is_err());
        let sparse = [("dir/", 0o040000, 1, 0)];
        assert!(parse(index_bytes(2, &sparse, b"")).is_err());
        assert!(parse(index_bytes(5, ENTRIES, b"")).is_err());
        let whole = index_bytes(2, ENTRIES, b"");
        for cut in [0, 4, 12, 40, 100, whole.len() - 21] {
            assert!(parse(whole[..cut].to_vec()).is_err(), "cut at {cut}");
        }
        // Optional extensions are skipped.
        let mut optional = b"UNTR".to_vec();
        optional.extend_from_slice(&3u32.to_be_bytes());
        optional.extend_from_slice(b"abc");
        assert!(parse(index_bytes(2, ENTRIES, &optional)).is_ok());
    }

    #[test]
    fn narrowing_is_by_literal_file_or_directory() {
        let specs = ["dir/sub".to_string(), "a.py".to_string()];
        let narrowing = Narrowing(&specs);
        assert!(narrowing.keeps_file(b"a.py"));
        assert!(narrowing.keeps_file(b"dir/sub/e.py"));
        assert!(!narrowing.keeps_file(b"dir/b.py"));
        assert!(!narrowing.keeps_file(b"dir/subway.py"));
        assert!(narrowing.enters(b"dir/"));
        assert!(narrowing.enters(b"dir/sub/"));
        assert!(narrowing.enters(b"dir/sub/deeper/"));
        assert!(!narrowing.enters(b"other/"));
        assert!(!narrowing.enters(b"dir/subway/"));
    }
}
