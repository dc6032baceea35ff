//! Application state and the pure `update` function (the only code that changes `State`).
