//! The one sanitizer every server-provided string passes through before it reaches the terminal.
