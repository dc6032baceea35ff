//! The home screen: tabs, the meetings table (with the search box and its hits) and the feeds.

use std::cell::RefCell;

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Padding, Paragraph, Row, Table, Widget, Wrap};

use crate::app::feed::Feed;
use crate::app::requests::Pending;
use crate::app::{State, Tab};
use crate::ui::meeting::tone;
use crate::ui::{Theme, focused_pane, layout, marked, prompt_line, spinner, status};

thread_local! {
    // Highlighting needs a matcher; one per thread keeps drawing allocation-free and pure in effect.
    static MATCHER: RefCell<Matcher> = RefCell::new(Matcher::new(Config::DEFAULT));
}

/// `1 meeting`, `1,570 meetings`.
fn meetings_count(n: usize) -> String {
    format!(
        "{} {}",
        group_digits(n),
        if n == 1 { "meeting" } else { "meetings" }
    )
}

/// `1570` as `1,570`.
fn group_digits(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn render(state: &State, area: Rect, buf: &mut Buffer) {
    let theme = &state.theme;
    let prompt = crate::app::prompt_open(state);
    let areas = layout::screen(area, prompt);
    tabs(state, areas.header, buf);
    if prompt && let Some(search) = &state.home.search {
        let n = search.total();
        let mut note = match &search.error {
            Some(error) => error.clone(),
            None => meetings_count(n),
        };
        if state.requests.server_search().is_some() || search.dirty_since.is_some() {
            note.push_str(&format!("  {} asking the server", spinner(state)));
        }
        let line = prompt_line(theme, "/ ", &search.input, note);
        let line = if search.editing {
            line
        } else {
            line.style(theme.dim)
        };
        line.render(areas.prompt, buf);
    }
    match state.home.tab {
        Tab::Meetings => meetings(state, areas.body, buf),
        tab => {
            if let Some(feed) = state.home.feed(tab) {
                feed_table(state, tab, feed, areas.body, buf);
            }
        }
    }
    status::render(state, areas.status, buf);
}

fn tabs(state: &State, area: Rect, buf: &mut Buffer) {
    let theme = &state.theme;
    let mut spans = Vec::new();
    for (i, tab) in Tab::ALL.iter().enumerate() {
        let style = if *tab == state.home.tab {
            theme.selection
        } else {
            theme.dim
        };
        spans.push(Span::styled(format!(" {} {} ", i + 1, tab.title()), style));
        spans.push(Span::styled("│", theme.border));
    }
    Line::from(spans).render(area, buf);
}

fn meetings(state: &State, area: Rect, buf: &mut Buffer) {
    let (area, preview_area) = layout::list_and_preview(area);
    if let Some(pane) = preview_area {
        preview(state, pane, buf);
    }
    let theme = &state.theme;
    let home = &state.home;
    let paging = &home.meetings.paging;
    let mut title = vec![Span::styled(" Meetings ", theme.title)];
    let count = home.meetings.listed();
    if let Some(search) = home.search.as_ref().filter(|_| home.searching()) {
        let server = search.hits.iter().filter(|h| h.server).count();
        let mut text = format!("· {} ", meetings_count(search.total()));
        if state.local.enabled && !state.local.complete && state.local.offline.is_none() {
            text.push_str(&format!(
                "· searching the {} meetings stored so far; asking the server too ",
                group_digits(count)
            ));
        }
        if server > 0 {
            text.push_str(&format!("· {server} from the server "));
        }
        if let Some(stored) = search
            .stored
            .as_ref()
            .filter(|s| s.text == search.store_text())
        {
            if stored.matched == crate::library::Matched::Fuzzy {
                text.push_str("· no meeting holds these words; names like them ");
            }
            if let Some(better) = &stored.suggestion {
                text.push_str(&format!("· did you mean “{better}”? "));
            }
        }
        title.push(Span::styled(text, theme.dim));
    } else {
        let more = if paging.exhausted { "" } else { "+" };
        title.push(Span::styled(format!("· {count}{more} "), theme.dim));
    }
    if !home.marked.is_empty() {
        title.push(Span::styled(
            format!("· ✓ {} marked ", home.marked.len()),
            theme.accent,
        ));
    }
    let loading = state.requests.any(|p| *p == Pending::MeetingsPage);
    let block = focused_pane(title, loading, state, theme);
    let inner = block.inner(area);
    block.render(area, buf);

    if home.visible_len() == 0 {
        let text = if loading && !paging.loaded_once {
            format!("{} Loading your meetings…", spinner(state))
        } else if let Some(error) = &paging.error {
            error.clone()
        } else if home.searching() {
            match home
                .search
                .as_ref()
                .and_then(|s| s.stored.as_ref().filter(|st| st.text == s.store_text()))
                .and_then(|st| st.suggestion.as_ref())
            {
                Some(better) => format!("No meeting matches. Did you mean “{better}”?"),
                None => "No meeting matches.".into(),
            }
        } else {
            "No meetings yet. Meetings recorded with Krisp show up here.".into()
        };
        let style = if paging.error.is_some() {
            theme.error
        } else {
            theme.dim
        };
        Paragraph::new(Line::styled(text, style))
            .wrap(Wrap { trim: true })
            .render(inner, buf);
        return;
    }

    let height = usize::from(inner.height.saturating_sub(1));
    let start = home.list.offset;
    let end = (start + height).min(home.visible_len());
    let search = home.search.as_ref().filter(|_| home.searching());
    let pattern = search.map(|s| {
        Pattern::parse(
            &crate::app::search::fuzzy_text(&s.parsed),
            CaseMatching::Smart,
            Normalization::Smart,
        )
    });
    // The length / state column, once any meeting's transcript has been seen, where the names
    // keep room enough beside it.
    // With a local store, lengths come in as the sync brings transcripts: the column is there
    // from the start, so nothing moves under the cursor when the first one arrives.
    let lengths = (state.local.enabled || !home.meetings.known.is_empty()) && inner.width >= 72;
    let mut widths = vec![
        Constraint::Length(10),
        Constraint::Length(5),
        Constraint::Length(1),
        Constraint::Fill(3),
    ];
    if lengths {
        widths.push(Constraint::Length(10));
    }
    widths.push(Constraint::Fill(2));
    // The last column's width, as the table will lay it out: an excerpt is cut to it around
    // its hit, so the matched word is always in view.
    let last_width = ratatui::layout::Layout::horizontal(widths.clone())
        .spacing(1)
        .split(inner)
        .last()
        .map_or(0, |r| usize::from(r.width));
    let rows = (start..end).map(|row| {
        let Some(i) = home.meeting_at(row) else {
            // A part of the store's list still being read.
            let style = if row == home.list.selected {
                theme.selection
            } else {
                Style::new()
            };
            return Row::new([Cell::from(Span::styled("…", theme.dim))]).style(style);
        };
        let r = &home.meetings.rows[i];
        let server = search.is_some_and(|s| s.hits.get(row).is_some_and(|h| h.server))
            || (search.is_none() && home.meetings.from_search.contains(&i));
        // An empty mark is a plain blank: styled, it would underline a cell in every row
        // under NO_COLOR.
        let mark = if home.marked.contains(&home.meetings.all[i].id) {
            Span::styled("✓", theme.accent)
        } else if server {
            Span::styled("◆", theme.accent)
        } else {
            Span::raw(" ")
        };
        let name = highlighted(&r.name, pattern.as_ref(), theme.text, theme);
        // A full-text hit says where it matched and shows the excerpt instead of the people.
        let found = search.and_then(|s| s.found.get(s.hits.get(row)?.found?));
        let people = match found {
            Some(f) => {
                // In a narrow column the time alone says where: the room goes to the hit.
                let hit = f.term().map_or(0, |t| t.chars().count());
                let place = match f.place.strip_prefix("transcript ") {
                    Some(time) if last_width < f.place.chars().count() + hit + 16 => time,
                    _ => f.place.as_str(),
                };
                let label = format!("{place} · ");
                let room = last_width.saturating_sub(label.chars().count());
                let (snippet, ranges) = crate::sanitize::centre(&f.snippet, &f.highlights, room);
                let marks: Vec<(usize, usize, Style)> = ranges
                    .iter()
                    .map(|r| (r.start, r.end, theme.highlight))
                    .collect();
                let mut spans = vec![Span::styled(label, theme.accent)];
                spans.extend(
                    marked(&[(theme.dim, snippet.as_str())], &marks)
                        .into_iter()
                        .map(|span| Span::styled(span.content.into_owned(), span.style)),
                );
                Line::from(spans)
            }
            None => highlighted(&r.people, pattern.as_ref(), theme.dim, theme),
        };
        let style = if row == home.list.selected {
            theme.selection
        } else {
            Style::new()
        };
        let mut cells = vec![
            Cell::from(Span::styled(r.date.as_str(), theme.dim)),
            Cell::from(Span::styled(r.time.as_str(), theme.dim)),
            Cell::from(mark),
            Cell::from(name),
        ];
        if lengths {
            cells.push(Cell::from(if r.processing {
                Line::styled("processing", theme.warning)
            } else {
                Line::styled(r.length.as_str(), theme.dim).right_aligned()
            }));
        }
        cells.push(Cell::from(people));
        Row::new(cells).style(style)
    });
    let mut header: Vec<Line> = ["Date", "Time", "", "Name"].map(Line::from).into();
    if lengths {
        header.push(Line::from("Length").right_aligned());
    }
    header.push(Line::from(if search.is_some_and(|s| !s.found.is_empty()) {
        "People / where it matched"
    } else {
        "People"
    }));
    Table::new(rows, widths)
        .header(Row::new(header).style(theme.title))
        .column_spacing(1)
        .render(inner, buf);
}

/// The selected meeting's notes, as laid out by `app::preview` (only the lines that fit).
fn preview(state: &State, area: Rect, buf: &mut Buffer) {
    let theme = &state.theme;
    let mut block = Block::bordered()
        .border_style(theme.border)
        .padding(Padding::horizontal(1))
        .title(Span::styled(" Preview ", theme.title));
    // Cut at the pane's height: say that there is more, and where it is.
    if state.home.preview.lines.len() > usize::from(area.height.saturating_sub(2)) {
        block = block.title_bottom(
            Line::styled(" more: Enter opens the meeting ", theme.dim).right_aligned(),
        );
    }
    let inner = block.inner(area);
    block.render(area, buf);
    let lines = state
        .home
        .preview
        .lines
        .iter()
        .take(usize::from(inner.height))
        .map(|l| {
            Line::from(
                l.spans
                    .iter()
                    .map(|(t, s)| Span::styled(s.as_str(), tone(theme, *t)))
                    .collect::<Vec<_>>(),
            )
        })
        .collect::<Vec<_>>();
    Paragraph::new(lines).render(inner, buf);
}

/// `text` with the fuzzy pattern's matched characters in the highlight style.
fn highlighted<'a>(
    text: &'a str,
    pattern: Option<&Pattern>,
    base: Style,
    theme: &Theme,
) -> Line<'a> {
    let Some(pattern) = pattern.filter(|p| !p.atoms.is_empty()) else {
        return Line::styled(text, base);
    };
    let mut indices = Vec::new();
    MATCHER.with_borrow_mut(|m| {
        let mut buf = Vec::new();
        let hay = Utf32Str::new(text, &mut buf);
        // Each atom separately, so a word that matches shows even when another does not.
        // Only matches the search itself would count (see `Search::refilter`), not noise.
        let mut found = Vec::new();
        for atom in &pattern.atoms {
            found.clear();
            let min = u32::try_from(atom.needle_text().len()).unwrap_or(u32::MAX) * 16;
            if atom
                .indices(hay, m, &mut found)
                .is_some_and(|score| u32::from(score) >= min)
            {
                indices.extend_from_slice(&found);
            }
        }
    });
    if indices.is_empty() {
        return Line::styled(text, base);
    }
    indices.sort_unstable();
    indices.dedup();
    let mut marks = Vec::with_capacity(indices.len());
    let mut wanted = indices.iter().peekable();
    for (ci, (bi, c)) in text.char_indices().enumerate() {
        if wanted.peek().is_some_and(|&&w| w as usize == ci) {
            wanted.next();
            marks.push((bi, bi + c.len_utf8(), theme.highlight));
        }
    }
    Line::from(marked(&[(base, text)], &marks))
}

fn feed_table(state: &State, tab: Tab, feed: &Feed, area: Rect, buf: &mut Buffer) {
    let theme = &state.theme;
    let mut title = vec![Span::styled(format!(" {} ", tab.title()), theme.title)];
    let filter = match tab {
        Tab::ActionItems => format!(
            "· {} · {} ",
            state.home.done_filter.label(),
            if state.home.mine {
                "mine"
            } else {
                "everyone's"
            }
        ),
        Tab::Upcoming => format!("· next {} days ", state.home.days),
        _ => String::new(),
    };
    title.push(Span::styled(filter, theme.dim));
    title.push(Span::styled(format!("· {} ", feed.items.len()), theme.dim));
    let loading = state.requests.any(|p| *p == Pending::Feed(tab));
    let block = focused_pane(title, loading, state, theme);
    let inner = block.inner(area);
    block.render(area, buf);
    if feed.items.is_empty() {
        let (text, style) = if let Some(e) = &feed.error {
            (e.clone(), theme.error)
        } else if feed.loaded_once {
            ("Nothing here.".to_owned(), theme.dim)
        } else {
            (format!("{} Loading…", spinner(state)), theme.dim)
        };
        Paragraph::new(Line::styled(text, style))
            .wrap(Wrap { trim: true })
            .render(inner, buf);
        return;
    }
    let height = usize::from(inner.height.saturating_sub(1));
    let mut offset = feed.offset;
    if feed.selected >= offset + height.max(1) {
        offset = feed.selected + 1 - height.max(1);
    }
    let end = (offset + height).min(feed.items.len());
    let tz = &state.zone;
    let rows = feed.items[offset.min(end)..end]
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let overdue = tab == Tab::ActionItems
                && item.done != Some(true)
                && state
                    .wall
                    .is_some_and(|now| crate::timefmt::is_past_day(&item.when, now, tz));
            let (mark, mark_style) = match item.done {
                Some(true) => ("[x]", theme.success),
                Some(false) if overdue => ("[!]", theme.error),
                Some(false) => ("[ ]", theme.warning),
                None => ("", theme.dim),
            };
            let style = if offset + i == feed.selected {
                theme.selection
            } else {
                Style::new()
            };
            // Server times in the user's zone, in words relative to now where they read better.
            let when = match state.wall {
                Some(now) => crate::timefmt::when_in(&item.when, now, tz),
                None => item.when.clone(),
            };
            let when = if overdue {
                Span::styled(format!("{when} overdue"), theme.error)
            } else {
                Span::styled(when, theme.dim)
            };
            let mut cells = vec![
                Cell::from(Span::styled(mark, mark_style)),
                Cell::from(when),
                Cell::from(Span::styled(item.title.as_str(), theme.text)),
            ];
            match tab {
                Tab::ActionItems => {
                    cells.push(Cell::from(Span::styled(item.who.as_str(), theme.dim)));
                    cells.push(Cell::from(Span::styled(item.source.as_str(), theme.dim)));
                }
                Tab::Activity => {
                    cells.push(Cell::from(Span::styled(item.kind.as_str(), theme.dim)))
                }
                _ => cells.push(Cell::from(Span::styled(item.who.as_str(), theme.dim))),
            }
            Row::new(cells).style(style)
        });
    let (header, widths): (&[&str], Vec<Constraint>) = match tab {
        Tab::ActionItems => (
            &["", "Due", "What", "Who", "Meeting"],
            vec![
                Constraint::Length(3),
                Constraint::Length(20),
                Constraint::Fill(3),
                Constraint::Fill(1),
                Constraint::Fill(2),
            ],
        ),
        Tab::Activity => (
            &["", "When", "What", "Event"],
            vec![
                Constraint::Length(0),
                Constraint::Length(20),
                Constraint::Fill(3),
                Constraint::Fill(1),
            ],
        ),
        _ => (
            &["", "When", "What", "Who"],
            vec![
                Constraint::Length(0),
                Constraint::Length(20),
                Constraint::Fill(3),
                Constraint::Fill(1),
            ],
        ),
    };
    Table::new(rows, widths)
        .header(Row::new(header.to_vec()).style(theme.title))
        .column_spacing(1)
        .render(inner, buf);
}
