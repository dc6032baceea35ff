//! Drawing: one file per pane, each a pure function of `&State`.

pub mod json_tree;
pub mod markdown;
pub mod tools;
