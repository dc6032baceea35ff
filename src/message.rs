//! Every type that crosses a task boundary between the UI and the client task.
