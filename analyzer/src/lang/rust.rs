//! The rust front end.

use tree_sitter::Tree;

use crate::model::FileModel;

pub(crate) fn lower(tree: &Tree, source: &str) -> FileModel {
    let _ = tree;
    crate::lang::lowering::Lowering::new(source).finish()
}
