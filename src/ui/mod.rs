//! Drawing: one file per pane, each a pure function of `&State`.

pub mod theme;

pub use theme::Theme;
