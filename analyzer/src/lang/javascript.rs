//! The javascript front end.

use tree_sitter::Tree;

use crate::model::{FileModel, Language};

pub(crate) fn lower(tree: &Tree, source: &str, language: Language) -> FileModel {
    let _ = (tree, language);
    crate::lang::lowering::Lowering::new(source).finish()
}
