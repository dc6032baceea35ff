//! `search_meetings` results: `structuredContent` first, else the Markdown text blocks.

use serde_json::{Map, Value};

use super::meeting::{bullet_lines, strip_bullet};
use super::{ActionItem, Meeting, MeetingDate, MeetingId, ParseError, Person};

/// A `search_meetings` result: `structuredContent` first, else the Markdown text blocks.
///
/// A meeting that cannot be read (no usable id) is skipped with a warning rather than failing
/// the whole page. Text without any meeting block (Krisp's "no meetings" reply) is an empty list;
/// a `structuredContent` of an unknown shape with no readable text is an error.
pub fn parse_search_result(
    structured: Option<&Value>,
    texts: &[&str],
) -> Result<Vec<Meeting>, ParseError> {
    // A list whose every meeting was unreadable falls through to the text, which may do better.
    if let Some(meetings) = structured.and_then(meetings_from_structured)
        && (!meetings.is_empty() || !has_meeting_block(&texts.join("\n")))
    {
        return Ok(meetings);
    }
    // Some servers put the JSON itself in a text block.
    for text in texts {
        let t = text.trim_start();
        if t.starts_with(['{', '['])
            && let Ok(v) = serde_json::from_str::<Value>(t)
            && let Some(meetings) = meetings_from_structured(&v)
        {
            return Ok(meetings);
        }
    }
    let markdown = texts.join("\n");
    let meetings = parse_search_markdown(&markdown);
    // Unreadable structuredContent, or meeting blocks none of which could be read: saying
    // "no meetings" would be a lie.
    if meetings.is_empty() && (structured.is_some() || has_meeting_block(&markdown)) {
        return Err(ParseError::Unrecognised { what: "search" });
    }
    Ok(meetings)
}

fn meetings_from_structured(v: &Value) -> Option<Vec<Meeting>> {
    let list = match v {
        Value::Array(list) => list,
        Value::Object(o) => match o.get("meetings").or_else(|| o.get("results")) {
            Some(Value::Array(list)) => list,
            Some(Value::Null) => return Some(Vec::new()),
            _ if o.contains_key("meeting_id") => {
                return Some(Meeting::from_value(v).ok().into_iter().collect());
            }
            // An empty page has been answered with a count and no list.
            _ if o.get("count").and_then(Value::as_u64) == Some(0) => return Some(Vec::new()),
            _ => return None,
        },
        _ => return None,
    };
    Some(
        list.iter()
            .filter_map(|m| {
                Meeting::from_value(m)
                    .inspect_err(|e| tracing::warn!("skipping a meeting: {e}"))
                    .ok()
            })
            .collect(),
    )
}

fn has_meeting_block(markdown: &str) -> bool {
    markdown.lines().any(|l| l.starts_with("## "))
}

/// Krisp's text rendering: one `## Name (date)` block per meeting, `key: value` lines, then
/// `### Key Points`, `### Action Items` and `### Detailed Summary` sections.
fn parse_search_markdown(markdown: &str) -> Vec<Meeting> {
    let mut meetings = Vec::new();
    let mut block: Option<Block> = None;
    for line in markdown.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            if let Some(done) = block.take() {
                meetings.extend(done.finish());
            }
            block = Some(Block::new(heading));
        } else if let Some(b) = block.as_mut() {
            b.line(line);
        }
    }
    if let Some(done) = block {
        meetings.extend(done.finish());
    }
    meetings
}

/// One meeting block being read.
struct Block {
    name: String,
    date: Option<MeetingDate>,
    fields: Map<String, Value>,
    section: Option<String>,
    sections: Vec<(String, String)>,
    loose: String,
}

impl Block {
    fn new(heading: &str) -> Block {
        let heading = heading.trim();
        let (name, date) = match split_trailing_parens(heading) {
            Some((name, inner)) if inner.starts_with(|c: char| c.is_ascii_digit()) => {
                (name, Some(MeetingDate::parse(inner)))
            }
            _ => (heading, None),
        };
        Block {
            name: name.to_owned(),
            date,
            fields: Map::new(),
            section: None,
            sections: Vec::new(),
            loose: String::new(),
        }
    }

    fn line(&mut self, line: &str) {
        if let Some(heading) = line.strip_prefix("### ") {
            self.section = Some(heading.trim().to_owned());
            self.sections
                .push((heading.trim().to_owned(), String::new()));
            return;
        }
        if self.section.is_some() {
            if let Some((_, body)) = self.sections.last_mut()
                && (!body.is_empty() || !line.trim().is_empty())
            {
                body.push_str(line);
                body.push('\n');
            }
            return;
        }
        if line.trim().is_empty() {
            return;
        }
        match line.split_once(':') {
            Some((key, value)) if is_field_name(key) => {
                self.fields
                    .insert(field_key(key), Value::String(value.trim().to_owned()));
            }
            _ => {
                self.loose.push_str(line);
                self.loose.push('\n');
            }
        }
    }

    fn finish(mut self) -> Option<Meeting> {
        let id = self.id()?;
        let mut meeting = Meeting::new(id, self.name);
        meeting.date = self.date;
        let mut take = |keys: &[&str]| super::meeting::take_str(&mut self.fields, keys);
        if let Some(date) = take(&["date"]) {
            meeting.date = Some(MeetingDate::parse(&date));
        }
        meeting.url = take(&["url", "link"]);
        meeting.recurring =
            take(&["is_recurring", "recurring"]).is_some_and(|v| v.eq_ignore_ascii_case("true"));
        if let Some(list) = take(&["attendees"]) {
            meeting.attendees = comma_list(&list).filter_map(Person::from_text).collect();
        }
        if let Some(list) = take(&["speakers"]) {
            meeting.speakers = comma_list(&list).map(str::to_owned).collect();
        }
        if let Some(list) = take(&["tags"]) {
            meeting.tags = comma_list(&list).map(str::to_owned).collect();
        }
        for (heading, body) in self.sections {
            let body = body.trim_end();
            match heading.to_ascii_lowercase().as_str() {
                "key points" => meeting
                    .key_points
                    .extend(bullet_lines(body).map(str::to_owned)),
                "action items" => meeting.action_items.extend(action_items(body)),
                "detailed summary" | "summary" => meeting.summary = Some(body.to_owned()),
                _ => {
                    self.fields.insert(heading, Value::String(body.to_owned()));
                }
            }
        }
        if !self.loose.is_empty() {
            self.fields.insert(
                "text".to_owned(),
                Value::String(self.loose.trim_end().to_owned()),
            );
        }
        meeting.extra = self.fields;
        Some(meeting)
    }

    /// `meeting_id:` (or `id:`), else the id at the end of the meeting's url.
    fn id(&mut self) -> Option<MeetingId> {
        let from_field = ["meeting_id", "id"].iter().find_map(|k| {
            let id = MeetingId::parse(self.fields.get(*k)?.as_str()?)?;
            self.fields.shift_remove(*k);
            Some(id)
        });
        let id = from_field.or_else(|| {
            let url = self.fields.get("url")?.as_str()?;
            MeetingId::parse(url.trim_end_matches('/').rsplit('/').next()?)
        });
        if id.is_none() {
            tracing::warn!(
                "skipping a meeting block without a readable id: {:?}",
                self.name
            );
        }
        id
    }
}

/// `meeting_id`, `Meeting ID`, `is_recurring`: a short run of letters, digits, `_` and spaces.
fn is_field_name(key: &str) -> bool {
    let key = key.trim();
    !key.is_empty()
        && key.len() <= 30
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == ' ')
}

/// `Meeting ID` → `meeting_id`, so both spellings are read alike.
fn field_key(key: &str) -> String {
    key.trim().to_lowercase().replace(' ', "_")
}

/// `Name (inner)` → `("Name", "inner")`, using the last parenthesised group.
fn split_trailing_parens(s: &str) -> Option<(&str, &str)> {
    let body = s.strip_suffix(')')?;
    let open = body.rfind('(')?;
    Some((body[..open].trim_end(), body[open + 1..].trim()))
}

fn comma_list(s: &str) -> impl Iterator<Item = &str> {
    s.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// `- [ ] text (Assignee)` / `- [x] text`; a plain bullet is an open item.
fn action_items(body: &str) -> impl Iterator<Item = ActionItem> + '_ {
    body.lines().filter(|l| !l.trim().is_empty()).map(|line| {
        let item = strip_bullet(line);
        let (completed, text) = if let Some(t) = item.strip_prefix("[ ]") {
            (false, t)
        } else if let Some(t) = item
            .strip_prefix("[x]")
            .or_else(|| item.strip_prefix("[X]"))
        {
            (true, t)
        } else {
            (false, item)
        };
        let text = text.trim();
        let (text, assignee) = match split_trailing_parens(text) {
            Some((t, who)) if !t.is_empty() && !who.is_empty() => (t, Some(who.to_owned())),
            _ => (text, None),
        };
        ActionItem {
            text: text.to_owned(),
            assignee,
            completed,
            due_date: None,
            extra: Map::new(),
        }
    })
}
