//! Drawing: one file per pane, each a pure function of `&State`.
