//! The local MCP server's tools over the `Library`: arguments checked into one sentence each,
//! answers as `structuredContent` plus a readable text, every answer under the size cap.
//!
//! Synchronous and free of rmcp's server machinery, so the whole surface is testable by calling
//! [`call`]. The schemas the tools declare are `tools.json` beside this file.

use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine;
use rmcp::model::{CallToolResult, ContentBlock, JsonObject, Tool};
use serde_json::{Value, json};

use crate::krisp::{Meeting, MeetingDate, MeetingId, TalkTime, Turn, clock, parse_offset};
use crate::library::{
    DocState, Filter, Hit, Library, LibraryError, ListRow, Matched, Place, TaskItem, Window,
};

/// No tool result (the `result` object of the JSON-RPC reply, as it goes out) is longer than
/// this many bytes, so never longer in characters either: agents refuse results over about
/// 25,000 tokens.
pub const MAX_RESULT_BYTES: usize = 40_000;
/// Room left for the JSON-RPC envelope around a result (`{"jsonrpc":"2.0","id":…,"result":…}`).
const ENVELOPE: usize = 100;
pub const MAX_LIMIT: usize = 50;

/// The tools, as `tools/list` shows them.
pub fn tools() -> &'static [Tool] {
    static TOOLS: OnceLock<Vec<Tool>> = OnceLock::new();
    TOOLS.get_or_init(|| {
        serde_json::from_str(include_str!("tools.json")).unwrap_or_else(|e| {
            // A compile-time constant: the unit tests parse it, so this cannot happen in a build
            // that passed them.
            panic!("tools.json is not a list of tools: {e}")
        })
    })
}

/// What a tool answers: the data, and the same for a reader.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub structured: Value,
    pub text: String,
}

impl Answer {
    pub fn into_result(self) -> CallToolResult {
        let mut result = CallToolResult::success(vec![ContentBlock::text(self.text)]);
        result.structured_content = Some(self.structured);
        result
    }
}

/// Runs tool `name`; `None` when there is no such tool. `Err` is the sentence of an `isError`
/// result: a bad argument (named), an unknown meeting, a missing store.
pub fn call(
    library: &Library,
    name: &str,
    arguments: Option<&JsonObject>,
) -> Option<Result<Answer, String>> {
    let empty = JsonObject::new();
    let args = Args {
        map: arguments.unwrap_or(&empty),
        tool: tools().iter().find(|t| t.name == name)?,
    };
    if let Err(e) = args.known() {
        return Some(Err(e));
    }
    Some(match name {
        "search" => search(library, &args),
        "list_meetings" => list_meetings(library, &args),
        "get_meeting" => get_meeting(library, &args),
        "get_transcript" => get_transcript(library, &args),
        "list_action_items" => list_action_items(library, &args),
        _ => return None,
    })
}

/// A library failure as the sentence of an `isError` result.
fn failed(e: LibraryError) -> String {
    match e {
        LibraryError::Query(e) => format!("query: {e}"),
        e => e.to_string(),
    }
}

struct Args<'a> {
    map: &'a JsonObject,
    tool: &'a Tool,
}

impl Args<'_> {
    /// Every argument given is one the tool takes.
    fn known(&self) -> Result<(), String> {
        let properties = self
            .tool
            .input_schema
            .get("properties")
            .and_then(Value::as_object);
        for key in self.map.keys() {
            if !properties.is_some_and(|p| p.contains_key(key)) {
                let names: Vec<&str> = properties
                    .map(|p| p.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                return Err(format!(
                    "{key}: {} takes no argument {key:?}; it takes {}.",
                    self.tool.name,
                    names.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// A string argument; `null` counts as absent.
    fn text(&self, key: &str) -> Result<Option<&str>, String> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(format!("{key} must be a string, not {other}.")),
        }
    }

    fn required(&self, key: &str) -> Result<&str, String> {
        self.text(key)?
            .ok_or_else(|| format!("{key} is required ({} needs it).", self.tool.name))
    }

    /// A day `YYYY-MM-DD`.
    fn day(&self, key: &str) -> Result<Option<String>, String> {
        let Some(text) = self.text(key)? else {
            return Ok(None);
        };
        let text = text.trim();
        crate::timefmt::parse_day(text)
            .map(|_| Some(text.to_owned()))
            .ok_or_else(|| format!("{key}: {text:?} is not a date; write it as YYYY-MM-DD."))
    }

    fn limit(&self, default: usize) -> Result<usize, String> {
        let bad =
            |v: &Value| format!("limit must be a whole number from 1 to {MAX_LIMIT}, not {v}.");
        match self.map.get("limit") {
            None | Some(Value::Null) => Ok(default),
            Some(v) => {
                let n = v
                    .as_u64()
                    .or_else(|| {
                        v.as_f64()
                            .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                            .map(|f| f as u64)
                    })
                    .ok_or_else(|| bad(v))?;
                usize::try_from(n)
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| bad(v))
            }
        }
    }

    fn id(&self) -> Result<MeetingId, String> {
        let text = self.required("id")?;
        MeetingId::parse(text).ok_or_else(|| {
            format!("id: {text:?} is not a meeting id (32 hex digits, as search and list_meetings give them).")
        })
    }

    /// The fields of a cursor this tool gave out, after its tool name.
    fn cursor(&self) -> Result<Option<Vec<String>>, String> {
        let Some(text) = self.text("cursor")? else {
            return Ok(None);
        };
        let bad = || {
            format!(
                "cursor: {text:?} is not a cursor {} gave; pass next_cursor back unchanged.",
                self.tool.name
            )
        };
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text.trim())
            .map_err(|_| bad())?;
        let decoded = String::from_utf8(bytes).map_err(|_| bad())?;
        let mut fields = decoded.split(':').map(str::to_owned);
        if fields.next().as_deref() != Some(&*self.tool.name) {
            return Err(bad());
        }
        Ok(Some(fields.collect()))
    }

    /// A cursor that is only an offset.
    fn offset(&self) -> Result<usize, String> {
        match self.cursor()?.as_deref() {
            None => Ok(0),
            Some([n]) => n.parse().map_err(|_| self.bad_cursor()),
            Some(_) => Err(self.bad_cursor()),
        }
    }

    fn bad_cursor(&self) -> String {
        format!(
            "cursor: not a cursor {} gave; pass next_cursor back unchanged.",
            self.tool.name
        )
    }

    fn filter(&self) -> Result<Filter, String> {
        Ok(Filter {
            after: self.day("after")?,
            before: self.day("before")?,
            with: self.text("with")?.map(str::to_owned).into_iter().collect(),
            tags: self.text("tag")?.map(str::to_owned).into_iter().collect(),
            zone: None,
        })
    }
}

fn cursor(tool: &str, fields: &[String]) -> String {
    let mut text = tool.to_owned();
    for f in fields {
        text.push(':');
        text.push_str(f);
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

/// The length of `result` as it goes out: serialized, through the JSON edge's sanitizer.
pub fn wire_len(result: &CallToolResult) -> usize {
    let text = serde_json::to_string(result).unwrap_or_default();
    crate::sanitize::json(&text).len()
}

fn json_len(v: &Value) -> usize {
    let text = serde_json::to_string(v).unwrap_or_default();
    crate::sanitize::json(&text).len()
}

/// A page of items, cut from the end until the result fits: `build(n)` makes the answer of the
/// first `n` items (with a `next_cursor` when `n` leaves some out).
fn fitting(count: usize, build: impl Fn(usize) -> Answer) -> Answer {
    let mut n = count;
    loop {
        let answer = build(n);
        if n <= 1 || wire_len(&answer.clone().into_result()) + ENVELOPE <= MAX_RESULT_BYTES {
            return answer;
        }
        n -= 1;
    }
}

/// `2026-01-15 16:00 CET` in the user's zone, and the UTC time as Krisp sent it.
fn dates(date: Option<&MeetingDate>, library: &Library) -> (Value, Value) {
    match date {
        None => (Value::Null, Value::Null),
        Some(d) => match d.timestamp() {
            Some(t) => {
                let local = crate::timefmt::stamp_in(t, library.zone());
                (json!(local), json!(d.to_string()))
            }
            None => (json!(d.to_string()), json!(d.to_string())),
        },
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn search(library: &Library, args: &Args) -> Result<Answer, String> {
    let text = args.required("query")?;
    if text.trim().is_empty() {
        return Err(
            "query is empty: give words to look for (list_meetings lists meetings by date)."
                .to_owned(),
        );
    }
    let limit = args.limit(10)?;
    let offset = args.offset()?;
    let filter = args.filter()?;
    let mut query = library.parse(text).map_err(failed)?;
    if filter.after.is_some() {
        query.filter.after = filter.after;
    }
    if filter.before.is_some() {
        query.filter.before = filter.before;
    }
    query.filter.with.extend(filter.with);
    query.filter.tags.extend(filter.tags);
    let answer = library
        .search_query(text, &query, Window { offset, limit })
        .map_err(failed)?;
    let matched = match answer.matched {
        Matched::Ranked => "ranked",
        Matched::Newest => "newest",
        Matched::Listed => "listed",
        Matched::Fuzzy => "fuzzy",
    };
    let items: Vec<(Value, String)> = answer
        .meetings
        .iter()
        .map(|hit| search_item(hit, library))
        .collect();
    let total = answer.total;
    Ok(fitting(items.len(), |n| {
        let shown = &items[..n];
        let next = offset + n;
        let mut structured = json!({
            "query": text,
            "total": total,
            "matched": matched,
            "meetings": shown.iter().map(|(v, _)| v.clone()).collect::<Vec<_>>(),
        });
        let mut out = if total == 0 {
            format!("No meeting matches {text:?}.\n")
        } else if matched == "fuzzy" {
            format!(
                "No meeting holds {text:?}; {} with a name or people like it:\n",
                plural(total, "meeting", "meetings")
            )
        } else if n == 0 {
            format!(
                "{} {text:?}; none from {}.\n",
                plural(total, "meeting matches", "meetings match"),
                offset + 1
            )
        } else {
            format!(
                "{} {text:?}; these are {}–{}:\n",
                plural(total, "meeting matches", "meetings match"),
                offset + 1,
                next
            )
        };
        for (_, block) in shown {
            out.push('\n');
            out.push_str(block);
        }
        if next < total && n > 0 {
            let c = cursor("search", &[next.to_string()]);
            out.push_str(&format!("\nMore: call search again with cursor {c:?}.\n"));
            structured["next_cursor"] = json!(c);
        }
        Answer {
            structured,
            text: out,
        }
    }))
}

fn search_item(hit: &Hit, library: &Library) -> (Value, String) {
    let (date, date_utc) = dates(hit.date.as_ref(), library);
    let (place, time, speaker) = match &hit.place {
        None => (None, None, None),
        Some(Place::Name) => (Some("name"), None, None),
        Some(Place::People) => (Some("people"), None, None),
        Some(Place::Notes) => (Some("notes"), None, None),
        Some(Place::Transcript {
            start_ms, speaker, ..
        }) => (
            Some("transcript"),
            Some(clock(*start_ms)),
            Some(speaker.clone()),
        ),
    };
    let excerpt = crate::sanitize::excerpt_highlighted(&hit.excerpt, &hit.highlights).0;
    let structured = json!({
        "id": hit.meeting_id,
        "name": hit.name,
        "date": date,
        "date_utc": date_utc,
        "people": hit.people,
        "where": place,
        "time": time,
        "speaker": speaker,
        "excerpt": excerpt,
        "hits": hit.hits,
    });
    let mut block = format!("## {}\nid: {}", one_line(&hit.name), hit.meeting_id);
    if let Some(d) = date.as_str() {
        block.push_str(&format!(" · {d}"));
    }
    block.push('\n');
    if let Some(place) = place {
        let at = match (&time, &speaker) {
            (Some(t), Some(s)) => format!(" {t}, {}", one_line(s)),
            _ => String::new(),
        };
        block.push_str(&format!(
            "matched: {place}{at} ({})\n",
            plural(hit.hits, "hit", "hits")
        ));
    }
    if !excerpt.trim().is_empty() {
        block.push_str(&format!("> {}\n", one_line(&excerpt)));
    }
    (structured, block)
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn doc_state(state: DocState) -> &'static str {
    match state {
        DocState::Ready => "ready",
        DocState::Processing => "processing",
        DocState::Missing => "missing",
    }
}

fn list_meetings(library: &Library, args: &Args) -> Result<Answer, String> {
    let limit = args.limit(20)?;
    let offset = args.offset()?;
    let filter = args.filter()?;
    let (total, rows) = library
        .meetings(&filter, Window { offset, limit })
        .map_err(failed)?;
    let items: Vec<(Value, String)> = rows.iter().map(|r| list_item(r, library)).collect();
    Ok(fitting(items.len(), |n| {
        let shown = &items[..n];
        let next = offset + n;
        let mut structured = json!({
            "total": total,
            "meetings": shown.iter().map(|(v, _)| v.clone()).collect::<Vec<_>>(),
        });
        let mut out = if total == 0 {
            "No meetings.\n".to_owned()
        } else if n == 0 {
            format!(
                "{}; none from {}.\n",
                plural(total, "meeting", "meetings"),
                offset + 1
            )
        } else {
            format!(
                "{}, newest first; these are {}–{}:\n",
                plural(total, "meeting", "meetings"),
                offset + 1,
                next
            )
        };
        for (_, line) in shown {
            out.push_str(line);
        }
        if next < total && n > 0 {
            let c = cursor("list_meetings", &[next.to_string()]);
            out.push_str(&format!(
                "More: call list_meetings again with cursor {c:?}.\n"
            ));
            structured["next_cursor"] = json!(c);
        }
        Answer {
            structured,
            text: out,
        }
    }))
}

fn list_item(row: &ListRow, library: &Library) -> (Value, String) {
    let (date, date_utc) = dates(row.date.as_ref(), library);
    let length = row.duration_ms.map(clock);
    let structured = json!({
        "id": row.id,
        "name": row.name,
        "date": date,
        "date_utc": date_utc,
        "length": length,
        "people": row.people,
        "tags": row.tags,
        "transcript": doc_state(row.doc_state),
    });
    let mut line = format!(
        "- {} · {}",
        date.as_str().unwrap_or("(no date)"),
        one_line(&row.name)
    );
    if let Some(l) = &length {
        line.push_str(&format!(" · {l}"));
    }
    if !row.people.is_empty() {
        line.push_str(&format!(" · {}", one_line(&row.people.join(", "))));
    }
    if !row.tags.is_empty() {
        line.push_str(&format!(" · tags: {}", row.tags.join(", ")));
    }
    line.push_str(&format!(" · id {}\n", row.id));
    (structured, line)
}

/// The meeting, or the sentence saying the store lacks it.
fn stored_meeting(library: &Library, id: &MeetingId) -> Result<Meeting, String> {
    library.meeting(id).map_err(failed)?.ok_or_else(|| {
        format!(
            "id: there is no meeting {id} in the local store (search and list_meetings give the ids; `krisp-tui sync` brings new meetings)."
        )
    })
}

fn get_meeting(library: &Library, args: &Args) -> Result<Answer, String> {
    let id = args.id()?;
    let meeting = stored_meeting(library, &id)?;
    let (state, document) = library.document(&id).map_err(failed)?;
    let turns: &[Turn] = document
        .as_ref()
        .map_or(&[], |d| d.transcript.turns.as_slice());
    let (date, date_utc) = dates(meeting.date.as_ref(), library);
    let talk = (!turns.is_empty()).then(|| TalkTime::of(turns, None));
    let length = talk.as_ref().map(|t| clock(t.total_ms));
    let speakers: Vec<Value> = match &talk {
        Some(talk) => talk
            .speakers
            .iter()
            .zip(talk.percents())
            .map(|((name, ms), pct)| json!({"name": name, "talk_time": clock(*ms), "share_percent": pct}))
            .collect(),
        None => meeting
            .speakers
            .iter()
            .map(|name| json!({"name": name, "talk_time": null, "share_percent": null}))
            .collect(),
    };
    let items: Vec<Value> = meeting
        .action_items
        .iter()
        .map(|item| {
            json!({
                "text": meeting.display_text(item),
                "assignee": item.assignee,
                "due": item.due_date,
                "done": item.completed,
            })
        })
        .collect();
    let summary = meeting.summary.as_deref().filter(|s| !s.trim().is_empty());
    let structured = json!({
        "id": meeting.id,
        "name": meeting.name,
        "date": date,
        "date_utc": date_utc,
        "length": length,
        "link": meeting.url,
        "tags": meeting.tags,
        "attendees": meeting.attendees.iter().map(|p| json!({"name": p.name, "email": p.email})).collect::<Vec<_>>(),
        "speakers": speakers,
        "summary": summary,
        "key_points": meeting.key_points,
        "action_items": items,
        "transcript": doc_state(state),
        "turns": turns.len(),
    });
    let mut out = format!("# {}\nid: {}\n", one_line(&meeting.name), meeting.id);
    if let Some(d) = date.as_str() {
        out.push_str(&format!("date: {d}\n"));
    }
    if let Some(l) = &length {
        out.push_str(&format!("length: {l}\n"));
    }
    if let Some(url) = &meeting.url {
        out.push_str(&format!("link: {url}\n"));
    }
    if !meeting.tags.is_empty() {
        out.push_str(&format!("tags: {}\n", meeting.tags.join(", ")));
    }
    if !meeting.attendees.is_empty() {
        let people: Vec<String> = meeting.attendees.iter().map(ToString::to_string).collect();
        out.push_str(&format!("attendees: {}\n", people.join(", ")));
    }
    if let Some(talk) = &talk {
        let shares: Vec<String> = talk
            .speakers
            .iter()
            .zip(talk.percents())
            .map(|((name, ms), pct)| format!("{name} {pct}% ({})", clock(*ms)))
            .collect();
        out.push_str(&format!("speakers: {}\n", shares.join(", ")));
    } else if !meeting.speakers.is_empty() {
        out.push_str(&format!("speakers: {}\n", meeting.speakers.join(", ")));
    }
    out.push_str(&match state {
        DocState::Ready => format!(
            "transcript: {} (get_transcript reads it)\n",
            plural(turns.len(), "turn", "turns")
        ),
        DocState::Processing => "transcript: still processing at Krisp\n".to_owned(),
        DocState::Missing => "transcript: not in the local store\n".to_owned(),
    });
    if let Some(summary) = summary {
        out.push_str(&format!("\n## Summary\n{}\n", summary.trim()));
    }
    if !meeting.key_points.is_empty() {
        out.push_str("\n## Key points\n");
        for p in &meeting.key_points {
            out.push_str(&format!("- {p}\n"));
        }
    }
    if !meeting.action_items.is_empty() {
        out.push_str("\n## Action items\n");
        for item in &meeting.action_items {
            out.push_str(&task_line(
                &meeting.display_text(item),
                item.completed,
                item.assignee.as_deref(),
                item.due_date.as_deref(),
            ));
        }
    }
    Ok(Answer {
        structured,
        text: out,
    })
}

fn task_line(text: &str, done: bool, assignee: Option<&str>, due: Option<&str>) -> String {
    let mark = if done { "x" } else { " " };
    let mut line = format!("- [{mark}] {}", one_line(text));
    if let Some(a) = assignee {
        line.push_str(&format!(" ({a})"));
    }
    if let Some(d) = due {
        line.push_str(&format!(" due {d}"));
    }
    line.push('\n');
    line
}

/// An offset argument, `MM:SS` or `H:MM:SS`.
fn offset_arg(args: &Args, key: &str) -> Result<Option<Duration>, String> {
    let Some(text) = args.text(key)? else {
        return Ok(None);
    };
    parse_offset(text).map(Some).ok_or_else(|| {
        format!("{key}: {text:?} is not a time in the recording; write MM:SS or H:MM:SS.")
    })
}

fn get_transcript(library: &Library, args: &Args) -> Result<Answer, String> {
    let id = args.id()?;
    let from = offset_arg(args, "from")?;
    let to = offset_arg(args, "to")?;
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err("from: it is later than to; give from before to.".to_owned());
    }
    let position = match args.cursor()? {
        None => None,
        Some(fields) => {
            let bad = || {
                "cursor: not a cursor get_transcript gave for this meeting; pass next_cursor back unchanged with the same id.".to_owned()
            };
            match fields.as_slice() {
                [cid, turn, byte] if *cid == id.0 => Some((
                    turn.parse::<usize>().map_err(|_| bad())?,
                    byte.parse::<usize>().map_err(|_| bad())?,
                )),
                _ => return Err(bad()),
            }
        }
    };
    let meeting = stored_meeting(library, &id)?;
    let (state, document) = library.document(&id).map_err(failed)?;
    let turns: &[Turn] = document
        .as_ref()
        .map_or(&[], |d| d.transcript.turns.as_slice());
    if turns.is_empty() {
        return Err(match state {
            DocState::Processing => format!(
                "id: the transcript of meeting {id} is still processing at Krisp; `krisp-tui sync` fetches it once it is ready."
            ),
            DocState::Missing => format!(
                "id: the transcript of meeting {id} is not in the local store yet; `krisp-tui sync` fetches it."
            ),
            DocState::Ready => format!("id: meeting {id} has a transcript without any turns."),
        });
    }
    // `to`: the turns that start by then.
    let end = match to {
        Some(t) => turns.partition_point(|turn| turn.start <= t),
        None => turns.len(),
    };
    let (start, skip) = match position {
        Some((turn, byte)) => {
            let ok = turn < turns.len()
                && turns[turn].text.is_char_boundary(byte)
                && byte <= turns[turn].text.len();
            if !ok {
                return Err(
                    "cursor: it points past this transcript; pass next_cursor back unchanged."
                        .to_owned(),
                );
            }
            (turn, byte)
        }
        // `from`: the turn being spoken then (the last to start by then).
        None => match from {
            Some(f) => (
                turns
                    .partition_point(|turn| turn.start <= f)
                    .saturating_sub(1),
                0,
            ),
            None => (0, 0),
        },
    };
    Ok(transcript_page(&meeting, turns, start, skip, end))
}

/// One page of turns `start..end` (the first from byte `skip` of its text), as many as fit.
fn transcript_page(
    meeting: &Meeting,
    turns: &[Turn],
    start: usize,
    skip: usize,
    end: usize,
) -> Answer {
    let name = one_line(&meeting.name);
    let header = |first: usize, last: usize| {
        if first >= last {
            format!("Transcript of {name}: no turns in that stretch.\n")
        } else {
            format!(
                "Transcript of {name}, turns {}–{} of {}:\n",
                first + 1,
                last,
                turns.len()
            )
        }
    };
    let more = |c: &str| format!("More: call get_transcript again with cursor {c:?}.\n");
    let build = |pieces: &[(usize, String, bool)], next: Option<(usize, usize)>| {
        let last = pieces.last().map_or(start, |p| p.0 + 1);
        let mut text = header(start, last.max(start));
        let mut structured_turns = Vec::with_capacity(pieces.len());
        for (i, piece, continued) in pieces {
            let turn = &turns[*i];
            text.push_str(&line(turn, piece, *continued));
            structured_turns.push(turn_json(*i, turn, piece, *continued));
        }
        let mut structured = json!({
            "id": meeting.id,
            "name": meeting.name,
            "total_turns": turns.len(),
            "turns": structured_turns,
        });
        if let Some((t, b)) = next {
            let c = cursor(
                "get_transcript",
                &[meeting.id.0.clone(), t.to_string(), b.to_string()],
            );
            text.push_str(&more(&c));
            structured["next_cursor"] = json!(c);
        }
        Answer { structured, text }
    };
    // The budget left once the frame (with the longest header and cursor it can have) is paid.
    let widest = build(&[], Some((turns.len(), usize::MAX)));
    let frame =
        wire_len(&widest.into_result()) + header(usize::MAX - 1, usize::MAX).len() + ENVELOPE;
    let mut budget = MAX_RESULT_BYTES.saturating_sub(frame);
    let mut pieces: Vec<(usize, String, bool)> = Vec::new();
    let mut next = None;
    for (i, turn) in turns.iter().enumerate().take(end).skip(start) {
        let from_byte = if i == start { skip } else { 0 };
        let text = &turn.text[from_byte..];
        let continued = from_byte > 0;
        let cost = |t: &str| piece_len(i, turn, t, continued);
        let whole = cost(text);
        if whole <= budget {
            budget -= whole;
            pieces.push((i, text.to_owned(), continued));
            continue;
        }
        if pieces.is_empty() {
            // One turn longer than a page: as much of it as fits, the rest on the next page.
            let cut = longest_fitting(text, |t| cost(t) <= budget);
            if cut > 0 {
                pieces.push((i, text[..cut].to_owned(), continued));
                next = Some((i, from_byte + cut));
                break;
            }
        }
        next = Some((i, from_byte));
        break;
    }
    build(&pieces, next)
}

/// `[MM:SS] Name: text`; a piece continuing a turn from the previous page says so.
fn line(turn: &Turn, text: &str, continued: bool) -> String {
    let speaker = one_line(&turn.speaker);
    let more = if continued { " (continued)" } else { "" };
    format!(
        "[{}] {speaker}{more}: {}\n",
        clock(turn.start_ms()),
        one_line(text)
    )
}

fn turn_json(index: usize, turn: &Turn, text: &str, continued: bool) -> Value {
    json!({
        "index": index,
        "time": clock(turn.start_ms()),
        "speaker": turn.speaker,
        "text": text,
        "continued": continued,
    })
}

/// What a piece adds to the serialized result: its line inside the text (without the quotes of
/// the string it joins) and its object in the list (with the comma before it).
fn piece_len(index: usize, turn: &Turn, text: &str, continued: bool) -> usize {
    let line = json_len(&json!(line(turn, text, continued))) - 2;
    line + json_len(&turn_json(index, turn, text, continued)) + 1
}

/// The longest prefix of `text` (ending on a character boundary) for which `fits` holds, by
/// bisection on the boundaries; 0 when none does.
fn longest_fitting(text: &str, fits: impl Fn(&str) -> bool) -> usize {
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .skip(1)
        .chain(std::iter::once(text.len()))
        .collect();
    let (mut lo, mut hi) = (0usize, bounds.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if fits(&text[..bounds[mid - 1]]) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    if lo == 0 { 0 } else { bounds[lo - 1] }
}

fn list_action_items(library: &Library, args: &Args) -> Result<Answer, String> {
    let status = match args.text("status")? {
        None => "open",
        Some(s @ ("open" | "done" | "all")) => s,
        Some(other) => {
            return Err(format!("status must be open, done or all, not {other:?}."));
        }
    };
    let assignee = args.text("assignee")?.map(str::to_lowercase);
    let after = args.day("after")?;
    let before = args.day("before")?;
    let limit = args.limit(20)?;
    let offset = args.offset()?;
    let day = |item: &TaskItem| {
        item.meeting_date
            .as_ref()
            .and_then(MeetingDate::timestamp)
            .map(|ts| crate::timefmt::date_and_time_in(ts, library.zone()).0)
    };
    let all: Vec<TaskItem> = library
        .action_items()
        .map_err(failed)?
        .into_iter()
        .filter(|t| match status {
            "open" => !t.item.completed,
            "done" => t.item.completed,
            _ => true,
        })
        .filter(|t| {
            assignee.as_ref().is_none_or(|a| {
                t.item
                    .assignee
                    .as_ref()
                    .is_some_and(|who| who.to_lowercase().contains(a))
            })
        })
        .filter(|t| {
            if after.is_none() && before.is_none() {
                return true;
            }
            let Some(d) = day(t) else { return false };
            after.as_ref().is_none_or(|a| d >= *a) && before.as_ref().is_none_or(|b| d <= *b)
        })
        .collect();
    let total = all.len();
    let items: Vec<(Value, String)> = all
        .iter()
        .skip(offset)
        .take(limit)
        .map(|t| {
            let (date, _) = dates(t.meeting_date.as_ref(), library);
            let structured = json!({
                "text": t.item.text,
                "assignee": t.item.assignee,
                "due": t.item.due_date,
                "done": t.item.completed,
                "meeting_id": t.meeting_id,
                "meeting_name": t.meeting_name,
                "meeting_date": date,
            });
            let mut line = task_line(
                &t.item.text,
                t.item.completed,
                t.item.assignee.as_deref(),
                t.item.due_date.as_deref(),
            );
            line.pop();
            if let Some(name) = &t.meeting_name {
                line.push_str(&format!(" · {}", one_line(name)));
            }
            if let Some(d) = date.as_str() {
                line.push_str(&format!(", {d}"));
            }
            if let Some(id) = &t.meeting_id {
                line.push_str(&format!(" · id {id}"));
            }
            line.push('\n');
            (structured, line)
        })
        .collect();
    Ok(fitting(items.len(), |n| {
        let shown = &items[..n];
        let next = offset + n;
        let mut structured = json!({
            "total": total,
            "action_items": shown.iter().map(|(v, _)| v.clone()).collect::<Vec<_>>(),
        });
        let what = match status {
            "open" => ("open action item", "open action items"),
            "done" => ("done action item", "done action items"),
            _ => ("action item", "action items"),
        };
        let mut out = if total == 0 {
            format!("No {}.\n", what.1)
        } else if n == 0 {
            format!(
                "{}; none from {}.\n",
                plural(total, what.0, what.1),
                offset + 1
            )
        } else {
            format!(
                "{}; these are {}–{}:\n",
                plural(total, what.0, what.1),
                offset + 1,
                next
            )
        };
        for (_, line) in shown {
            out.push_str(line);
        }
        if next < total && n > 0 {
            let c = cursor("list_action_items", &[next.to_string()]);
            out.push_str(&format!(
                "More: call list_action_items again with cursor {c:?}.\n"
            ));
            structured["next_cursor"] = json!(c);
        }
        Answer {
            structured,
            text: out,
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::krisp::{Document, Meeting};
    use crate::store::Store;

    const ID: &str = "0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e";

    /// A store holding one meeting whose transcript has `turns` short turns and, in the middle,
    /// one turn of `long` characters (longer than a page).
    fn library(turns: usize, long: usize) -> Library {
        let id = MeetingId::parse(ID).unwrap();
        let mut meeting = Meeting::new(id.clone(), "Long planning day");
        meeting.date = Some(MeetingDate::parse("2026-01-15T15:00:00Z"));
        let mut md = String::from("## Transcript\n");
        for i in 0..turns {
            let (h, m, s) = (i * 20 / 3600, i * 20 / 60 % 60, i * 20 % 60);
            let who = if i % 2 == 0 { "Ann Lee" } else { "Bob Ray" };
            md.push_str(&format!("**{who} | {h}:{m:02}:{s:02}**\n"));
            if i == turns / 2 {
                // Wide characters and quotes, so bytes, characters and escapes all differ.
                let word = "é\"ü ";
                md.push_str(&word.repeat(long / word.chars().count()));
            } else {
                md.push_str(&format!(
                    "Turn number {i} says zanzibar things about the plan."
                ));
            }
            md.push_str("\n\n");
        }
        let document = Document::parse(id, Some(&md));
        assert_eq!(document.transcript.turns.len(), turns);
        let mut store = Store::open_in_memory().unwrap();
        let now = jiff::Timestamp::now();
        store.upsert_meetings(&[meeting], now).unwrap();
        store.upsert_documents(&[document], now).unwrap();
        Library::over(store, jiff::tz::TimeZone::UTC)
    }

    fn args(v: Value) -> JsonObject {
        v.as_object().unwrap().clone()
    }

    fn run(library: &Library, tool: &str, v: Value) -> Result<Answer, String> {
        call(library, tool, Some(&args(v))).expect("a known tool")
    }

    #[test]
    fn the_tool_list_parses_and_every_tool_declares_its_output() {
        let names: Vec<&str> = tools().iter().map(|t| &*t.name).collect();
        assert_eq!(
            names,
            [
                "search",
                "list_meetings",
                "get_meeting",
                "get_transcript",
                "list_action_items"
            ]
        );
        assert!(tools().iter().all(|t| t.output_schema.is_some()));
    }

    #[test]
    fn a_long_transcript_reads_whole_through_its_cursors_and_no_page_passes_the_cap() {
        let library = library(1200, 90_000);
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        let mut text = String::new();
        let mut seen = Vec::new();
        loop {
            let mut a = json!({"id": ID});
            if let Some(c) = &cursor {
                a["cursor"] = json!(c);
            }
            let answer = run(&library, "get_transcript", a).unwrap();
            let len = wire_len(&answer.clone().into_result());
            assert!(
                len + ENVELOPE <= MAX_RESULT_BYTES,
                "page {pages} is {len} bytes"
            );
            pages += 1;
            for turn in answer.structured["turns"].as_array().unwrap() {
                let index = turn["index"].as_u64().unwrap() as usize;
                if !turn["continued"].as_bool().unwrap() {
                    seen.push(index);
                    text.push('\n');
                }
                text.push_str(turn["text"].as_str().unwrap());
            }
            match answer.structured.get("next_cursor") {
                Some(c) => cursor = Some(c.as_str().unwrap().to_owned()),
                None => break,
            }
            assert!(pages < 100, "the cursors go round in circles");
        }
        // Every turn once, in order, and the long one whole across pages.
        assert_eq!(seen, (0..1200).collect::<Vec<_>>());
        let (_, document) = library.document(&MeetingId::parse(ID).unwrap()).unwrap();
        let want: String = document
            .unwrap()
            .transcript
            .turns
            .iter()
            .map(|t| format!("\n{}", t.text))
            .collect();
        assert_eq!(text, want);
        assert!(pages >= 5, "{pages} pages");
    }

    #[test]
    fn from_and_to_read_the_turn_spoken_then_up_to_the_last_starting_by_to() {
        let library = library(40, 10);
        // Turns start every 20 s: 05:10 is inside the turn of 05:00 (index 15).
        let answer = run(
            &library,
            "get_transcript",
            json!({"id": ID, "from": "05:10", "to": "06:00"}),
        )
        .unwrap();
        let times: Vec<&str> = answer.structured["turns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["time"].as_str().unwrap())
            .collect();
        assert_eq!(times, ["05:00", "05:20", "05:40", "06:00"]);
        assert!(
            answer.text.contains("[05:20] Ann Lee: Turn number 16 says"),
            "{}",
            answer.text
        );
        assert!(answer.structured.get("next_cursor").is_none());
    }

    #[test]
    fn bad_arguments_are_one_sentence_naming_the_argument() {
        let library = library(10, 10);
        let cases = [
            ("search", json!({}), "query is required"),
            (
                "search",
                json!({"query": "plan", "limit": 0}),
                "limit must be",
            ),
            (
                "search",
                json!({"query": "plan", "limit": "5"}),
                "limit must be",
            ),
            (
                "search",
                json!({"query": "plan", "limit": 51}),
                "limit must be",
            ),
            (
                "search",
                json!({"query": "plan", "after": "2026-13-01"}),
                "after: \"2026-13-01\"",
            ),
            ("search", json!({"query": "after:yesterday"}), "query: "),
            (
                "search",
                json!({"query": "plan", "cursor": "nope"}),
                "cursor: ",
            ),
            // A cursor of another tool is not this tool's.
            (
                "list_meetings",
                json!({"cursor": cursor("search", &["1".into()])}),
                "cursor: ",
            ),
            ("list_meetings", json!({"limt": 3}), "limt: "),
            (
                "get_meeting",
                json!({"id": "abc"}),
                "id: \"abc\" is not a meeting id",
            ),
            (
                "get_meeting",
                json!({"id": "1f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e"}),
                "id: there is no meeting",
            ),
            (
                "get_transcript",
                json!({"id": ID, "from": "five"}),
                "from: ",
            ),
            (
                "get_transcript",
                json!({"id": ID, "from": "2:00", "to": "1:00"}),
                "from: ",
            ),
            (
                "get_transcript",
                json!({"id": ID, "cursor": cursor("get_transcript", &["1f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e".into(), "0".into(), "0".into()])}),
                "cursor: ",
            ),
            (
                "list_action_items",
                json!({"status": "pending"}),
                "status must be",
            ),
        ];
        for (tool, a, want) in cases {
            let got = run(&library, tool, a.clone()).unwrap_err();
            assert!(got.starts_with(want), "{tool} {a}: {got:?}");
            assert_eq!(got.lines().count(), 1, "{got:?}");
            assert!(got.ends_with('.'), "{got:?}");
        }
        assert!(call(&library, "no_such_tool", None).is_none());
    }

    #[test]
    fn a_missing_store_is_a_sentence_saying_how_to_fill_it() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::at(&dir.path().join("none.sqlite3"), jiff::tz::TimeZone::UTC);
        let got = run(&library, "search", json!({"query": "plan"})).unwrap_err();
        assert!(got.contains("krisp-tui sync"), "{got}");
        assert!(!dir.path().join("none.sqlite3").exists());
    }

    #[test]
    fn search_pages_with_cursors_and_finds_the_turn_time() {
        let library = library(30, 10);
        let answer = run(&library, "search", json!({"query": "zanzibar"})).unwrap();
        assert_eq!(answer.structured["total"], 1);
        let hit = &answer.structured["meetings"][0];
        assert_eq!(hit["id"], ID);
        assert_eq!(hit["where"], "transcript");
        assert_eq!(hit["time"], "00:00");
        assert_eq!(hit["date"], "2026-01-15 15:00 UTC");
        let listed = run(&library, "list_meetings", json!({"limit": 1})).unwrap();
        assert_eq!(listed.structured["total"], 1);
        assert_eq!(listed.structured["meetings"][0]["length"], "09:40");
        assert!(listed.structured.get("next_cursor").is_none());
    }
}
