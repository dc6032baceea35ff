//! Drawing a list-shaped result as a table: the rows on screen, a column per field, times in the user's zone.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row, Table, Widget};
use unicode_width::UnicodeWidthStr;

use crate::app::feed::FeedItem;
use crate::app::tools::result::ItemTable;
use crate::theme::Theme;
use crate::timefmt;

/// A server time as a person reads it in `tz`: relative to `now` when known, else a stamp.
fn when(raw: &str, now: Option<Timestamp>, tz: &TimeZone) -> String {
    match now {
        Some(now) => timefmt::when_in(raw, now, tz),
        None => match raw.trim().parse::<Timestamp>() {
            Ok(at) => timefmt::stamp_in(at, tz),
            Err(_) => raw.to_owned(),
        },
    }
}

/// One column: its header, its width, and its cell for an item.
struct Column<'a> {
    header: &'static str,
    width: Constraint,
    cell: Box<dyn Fn(&'a FeedItem) -> Span<'a> + 'a>,
}

pub fn render(
    table: &ItemTable,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
    now: Option<Timestamp>,
    tz: &TimeZone,
) {
    table.height.set(area.height.saturating_sub(1));
    if area.is_empty() {
        return;
    }
    let items = &table.items;
    let due = table.when_label == "Due";
    let overdue = move |item: &FeedItem| {
        due && item.done == Some(false)
            && now.is_some_and(|now| timefmt::is_past_day(&item.when, now, tz))
    };
    let any = |f: fn(&FeedItem) -> bool| items.iter().any(f);
    let mut columns: Vec<Column<'_>> = Vec::new();
    if any(|i| i.done.is_some()) {
        columns.push(Column {
            header: "",
            width: Constraint::Length(3),
            cell: Box::new(move |i| match i.done {
                Some(true) => Span::styled("[x]", theme.success),
                Some(false) if overdue(i) => Span::styled("[!]", theme.error),
                Some(false) => Span::styled("[ ]", theme.warning),
                None => Span::raw(""),
            }),
        });
    }
    if any(|i| !i.when.is_empty()) {
        // As wide as the widest time shown (`Thu 3 Dec 2025 09:30 overdue`), within reason.
        let widest = items
            .iter()
            .map(|i| when(&i.when, now, tz).width() + if overdue(i) { 8 } else { 0 })
            .max()
            .unwrap_or(0);
        columns.push(Column {
            header: table.when_label,
            width: Constraint::Length(u16::try_from(widest.clamp(4, 28)).unwrap_or(28)),
            cell: Box::new(move |i| {
                let text = when(&i.when, now, tz);
                if overdue(i) {
                    Span::styled(format!("{text} overdue"), theme.error)
                } else {
                    Span::styled(text, theme.dim)
                }
            }),
        });
    }
    columns.push(Column {
        header: "What",
        width: Constraint::Fill(3),
        cell: Box::new(|i| Span::styled(i.title.as_str(), theme.text)),
    });
    for (header, width, field) in [
        ("Who", 1, (|i| &i.who) as fn(&FeedItem) -> &String),
        ("Meeting", 2, |i| &i.source),
        ("Event", 1, |i| &i.kind),
    ] {
        if items.iter().any(|i| !field(i).is_empty()) {
            columns.push(Column {
                header,
                width: Constraint::Fill(width),
                cell: Box::new(move |i| Span::styled(field(i).as_str(), theme.dim)),
            });
        }
    }

    let height = usize::from(area.height.saturating_sub(1)).max(1);
    let offset = table.offset(height);
    let rows = items
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(n, item)| {
            let style = if n == table.selected() {
                theme.selection
            } else {
                Style::new()
            };
            Row::new(columns.iter().map(|c| Cell::from((c.cell)(item)))).style(style)
        });
    let header = Row::new(columns.iter().map(|c| c.header)).style(theme.title);
    Table::new(rows, columns.iter().map(|c| c.width))
        .header(header)
        .column_spacing(1)
        .render(area, buf);
}
