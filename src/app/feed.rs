//! The home screen's other tabs (action items, upcoming, activity): tolerant rows from whatever
//! shape the tool answered with, since no reply bodies of those tools were ever captured.

use rmcp::model::CallToolResult;

use crate::sanitize::clean_line;

pub use crate::krisp::FeedItem;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Feed {
    pub items: Vec<FeedItem>,
    pub error: Option<String>,
    pub loaded_once: bool,
    /// No more pages.
    pub exhausted: bool,
    pub selected: usize,
    pub offset: usize,
}

impl Feed {
    /// Forget everything (a filter changed); the caller asks again.
    pub fn reset(&mut self) {
        *self = Feed::default();
    }
}

/// Rows from a tool result, sanitized for the screen.
pub fn items(result: &CallToolResult) -> Vec<FeedItem> {
    let texts = result.content.iter().filter_map(|c| c.as_text());
    crate::krisp::feed_items(
        result.structured_content.as_ref(),
        texts.map(|t| t.text.as_str()),
    )
    .into_iter()
    .map(shown)
    .collect()
}

/// A feed row as the screen shows it: its server text sanitized, each field on one line (a
/// `FeedLoaded` row where it comes in, `app::incoming`; a tool result's rows here).
pub fn shown(item: FeedItem) -> FeedItem {
    item.cleaned(|s| clean_line(s).into_owned())
}

/// Action items soonest due first, undated ones after them, each group in the server's order.
pub fn sort_by_due(items: &mut [FeedItem]) {
    items.sort_by(|a, b| match (a.when.is_empty(), b.when.is_empty()) {
        (false, false) => a.when.cmp(&b.when),
        (true, false) => std::cmp::Ordering::Greater,
        (false, true) => std::cmp::Ordering::Less,
        (true, true) => std::cmp::Ordering::Equal,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use rmcp::model::CallToolResult;
    use serde_json::json;

    #[test]
    fn shown_rows_are_sanitized() {
        let r = CallToolResult::structured(json!({"items": [
            {"title": "Send \u{1b}[31mplan", "attendees": ["Bob\u{7}"]}
        ]}));
        let items = items(&r);
        assert_eq!(items[0].title, "Send ␛[31mplan");
        assert_eq!(items[0].people, ["Bob␇"]);
    }
}
