//! Drawing: one file per pane, each a pure function of `&State`.

pub mod layout;
pub mod theme;

pub use theme::Theme;
