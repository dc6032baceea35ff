//! Toasts and the messages overlay's history: every note for the user goes through here
//! (sanitized once, remembered, timed).

use crate::app::{State, TOAST_FOR, Toast};
use crate::sanitize::clean_line;

/// Shows a toast that expires after [`TOAST_FOR`], and keeps it for the messages overlay.
pub(super) fn toast(state: &mut State, text: &str, error: bool) {
    show_toast(state, text, error, false);
}

/// A calm toast: why something is not available, or what is being tried.
pub(super) fn note(state: &mut State, text: &str) {
    show_toast(state, text, false, true);
}

pub(super) fn show_toast(state: &mut State, text: &str, error: bool, note: bool) {
    let text = clean_line(text).into_owned();
    remember(state, &text, error, note);
    state.toast = Some(Toast {
        text,
        error,
        note,
        lasting: false,
        until: state.now + TOAST_FOR,
    });
}

/// Keep a toast's text for the messages overlay.
pub(super) fn remember(state: &mut State, text: &str, error: bool, note: bool) {
    state.messages.push_back(crate::app::Message {
        text: text.to_owned(),
        error,
        note,
        at: state.wall,
    });
    while state.messages.len() > crate::app::MESSAGES_KEPT {
        state.messages.pop_front();
    }
}

/// Problems with the configuration, found at start: all of them in one toast, a line each,
/// that a request succeeding meanwhile does not take away; each in the messages overlay.
pub fn show_problems(state: &mut State, problems: &[String]) {
    if problems.is_empty() {
        return;
    }
    let lines: Vec<String> = problems
        .iter()
        .map(|p| clean_line(p).into_owned())
        .collect();
    for line in &lines {
        remember(state, line, true, false);
    }
    let seconds = u32::try_from(lines.len().min(3)).unwrap_or(3);
    state.toast = Some(Toast {
        text: lines.join("\n"),
        error: true,
        note: false,
        lasting: true,
        until: state.now + TOAST_FOR * seconds,
    });
}

/// A request succeeded: an error shown for an earlier one is no longer news.
pub(super) fn succeeded(state: &mut State) {
    state.status.last_error = None;
    if state.toast.as_ref().is_some_and(|t| t.error && !t.lasting) {
        state.toast = None;
    }
}
