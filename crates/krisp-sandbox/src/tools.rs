//! The seven Krisp tools over a [`Dataset`]: argument handling, filtering, result shapes.
//!
//! Every result carries `structuredContent` and Markdown text blocks, as Krisp's do (KRISP.md §4).
//! `search_meetings`, `get_document` and `get_multiple_documents` follow the observed shapes.
//! The other four were never captured; the sandbox answers them in the same style:
//!
//! - `list_action_items {completed?, assigned_to_me?, limit=20, offset=0}` →
//!   `{"criteria": {..}, "count": n, "action_items": [{"title", "assignee", "completed",
//!   "due_date"?, "meeting_id", "meeting_name", "meeting_date"}]}`, newest meeting first. Titles
//!   come with `{{Speaker_N}}` already resolved (there is no speakers list beside them).
//!   `completed` filters on the flag; `assigned_to_me: true` keeps items whose assignee is the
//!   account's name (`false` does not filter). Text: one `- [ ] title (assignee) · meeting, date`
//!   line per item.
//! - `list_activities {limit=15, timestamp?}` → `{"count": n, "activities": [{"id",
//!   "created_at", "kind", "title", "meeting_id"}]}`, newest first; `timestamp` (the `created_at`
//!   of the last item seen) returns only items strictly older. Text: one line per activity.
//! - `list_upcoming_meetings {days=7}` → `{"days": d, "count": n, "meetings": [{"meeting_id",
//!   "name", "start", "attendees", "agenda_id"}]}`, soonest first, starting from now and within
//!   `days` days; `agenda_id` is readable with `get_document`. Text: one block per meeting.
//! - `date_time {}` → `{"now", "date", "time", "weekday", "timezone": "UTC", "account_timezone"}`;
//!   `date_time {start_date, end_date}` (both or neither; ISO `2024-01-15`, ISO date-times,
//!   `15/01/2024`, `15.01.2024`, `15-01-2024`; at most 366 days) → `{"start_date", "end_date",
//!   "count", "dates": [{"date", "weekday"}]}`.
//!
//! `search_meetings` details: `search` matches name, attendees (names and emails), speakers,
//! summary, key points and transcript text, case-insensitively; `id` (one or many) replaces
//! `search`; `after` is inclusive and `before` exclusive of its day (as Krisp behaves, whatever
//! its schema says), both compared by UTC day; `tags` and `participant_domains` keep meetings
//! matching any of the values (a domain matches its subdomains); `listen_later` is accepted and
//! ignored; `count` is the number of meetings on the page. The `transcript` field is a reference,
//! `{"document_id", "available"}`; `past_meeting_occurrences` lists up to ten earlier meetings of
//! a recurring series as `{"meeting_id", "date"}`.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use jiff::civil::{Date, DateTime, Time};
use jiff::{SignedDuration, Span, Timestamp};
use serde_json::{Map, Value, json};

use super::data::{Dataset, Meeting, TextQuery, iso, utc};
use super::render;
use super::schema;

/// What a tool call can see besides its arguments.
pub struct ToolContext<'a> {
    pub data: &'a Dataset,
    pub now: Timestamp,
    pub readiness: &'a Readiness,
}

impl ToolContext<'_> {
    /// The meeting as it is now: a processing meeting's ready version once it is ready.
    fn current<'m>(&'m self, meeting: &'m Meeting) -> &'m Meeting {
        if meeting.processing && self.readiness.is_ready(&meeting.id) {
            self.data.ready_later(&meeting.id).unwrap_or(meeting)
        } else {
            meeting
        }
    }
}

/// `--ready-after N`: a processing meeting that has a ready version (generated data) becomes
/// ready once N `get_document`/`get_multiple_documents` requests have asked for it, so the
/// (N+1)-th gets the document. Counting requests rather than time keeps it deterministic.
#[derive(Default)]
pub struct Readiness {
    after: Option<u32>,
    asked: Mutex<HashMap<String, u32>>,
}

impl Readiness {
    pub fn new(after: Option<u32>) -> Self {
        Self {
            after,
            asked: Mutex::default(),
        }
    }

    fn is_ready(&self, id: &str) -> bool {
        let Some(after) = self.after else {
            return false;
        };
        let asked = self.asked.lock().unwrap_or_else(PoisonError::into_inner);
        asked.get(id).copied().unwrap_or(0) >= after
    }

    /// Counts a document request for processing meeting `id`.
    fn asked_for(&self, id: &str) {
        if self.after.is_some() {
            let mut asked = self.asked.lock().unwrap_or_else(PoisonError::into_inner);
            *asked.entry(id.to_owned()).or_insert(0) += 1;
        }
    }
}

/// A failed tool call, reported to the caller as a tool result with `isError: true`.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ToolError {
    #[error("Invalid arguments for {tool}: {reason}")]
    InvalidArguments { tool: &'static str, reason: String },
    #[error("{0}")]
    NotFound(String),
}

/// A successful result: the data and its Markdown rendering (one text block each).
#[derive(Debug, PartialEq)]
pub struct Output {
    pub structured: Value,
    pub text: Vec<String>,
}

/// Validates `arguments` against the tool's captured schema, then runs it. `None` for a tool
/// Krisp does not have.
pub fn call(
    name: &str,
    arguments: Option<&Map<String, Value>>,
    cx: &ToolContext,
) -> Option<Result<Output, ToolError>> {
    let tool = schema::tool(name)?;
    // The captured tool lives for the whole program, so its name can go into error values.
    let name: &'static str = tool.name.as_ref();
    let empty = Map::new();
    let args = arguments.unwrap_or(&empty);
    let invalid = |reason: String| ToolError::InvalidArguments { tool: name, reason };
    if let Err(reason) = schema::validate(&tool.input_schema, &Value::Object(args.clone())) {
        return Some(Err(invalid(reason)));
    }
    let args = Args(args);
    Some(match name {
        "search_meetings" => search_meetings(&args, cx).map_err(invalid),
        "get_document" => get_document(&args, cx),
        "get_multiple_documents" => Ok(get_multiple_documents(&args, cx)),
        "list_action_items" => Ok(list_action_items(&args, cx)),
        "list_activities" => list_activities(&args, cx).map_err(invalid),
        "list_upcoming_meetings" => Ok(list_upcoming_meetings(&args, cx)),
        "date_time" => date_time(&args, cx).map_err(invalid),
        _ => return None,
    })
}

/// Arguments already checked against the schema, so types are known to be right.
struct Args<'a>(&'a Map<String, Value>);

impl Args<'_> {
    fn str(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }

    fn uint(&self, key: &str) -> Option<usize> {
        let value = self.0.get(key)?;
        value
            .as_u64()
            .or_else(|| value.as_f64().map(|n| n as u64))
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
    }

    fn bool(&self, key: &str) -> Option<bool> {
        self.0.get(key).and_then(Value::as_bool)
    }

    /// A string or an array of strings, as a list.
    fn strings(&self, key: &str) -> Option<Vec<&str>> {
        match self.0.get(key)? {
            Value::String(one) => Some(vec![one.as_str()]),
            Value::Array(many) => Some(many.iter().filter_map(Value::as_str).collect()),
            _ => None,
        }
    }

    /// The arguments as given, plus the effective `limit`: what `criteria` echoes.
    fn criteria(&self, limit: usize) -> Value {
        let mut criteria = self.0.clone();
        criteria.entry("limit").or_insert(json!(limit));
        Value::Object(criteria)
    }
}

/// The `fields` of `search_meetings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    Date,
    Url,
    IsRecurring,
    Attendees,
    Speakers,
    Transcript,
    Agenda,
    MeetingNotes,
    DetailedSummary,
    KeyPoints,
    ActionItems,
    PastMeetingOccurrences,
}

impl Field {
    const ALL: [(Field, &'static str); 13] = [
        (Field::Name, "name"),
        (Field::Date, "date"),
        (Field::Url, "url"),
        (Field::IsRecurring, "is_recurring"),
        (Field::Attendees, "attendees"),
        (Field::Speakers, "speakers"),
        (Field::Transcript, "transcript"),
        (Field::Agenda, "agenda"),
        (Field::MeetingNotes, "meeting_notes"),
        (Field::DetailedSummary, "detailed_summary"),
        (Field::KeyPoints, "key_points"),
        (Field::ActionItems, "action_items"),
        (Field::PastMeetingOccurrences, "past_meeting_occurrences"),
    ];
}

/// Which fields a search returns. Without `fields`, everything, with the notes grouped under
/// `meeting_notes` (and `tags` as well); with `fields`, exactly those, notes fields at the top level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fields {
    bits: u16,
    explicit: bool,
}

impl Fields {
    pub fn all() -> Self {
        let notes = (1 << Field::DetailedSummary as u16)
            | (1 << Field::KeyPoints as u16)
            | (1 << Field::ActionItems as u16);
        Self {
            bits: ((1 << Field::ALL.len()) - 1) & !notes,
            explicit: false,
        }
    }

    fn from_names(names: Option<Vec<&str>>) -> Self {
        let Some(names) = names else {
            return Self::all();
        };
        let bits = Field::ALL
            .iter()
            .filter(|(_, name)| names.contains(name))
            .fold(0, |bits, (field, _)| bits | 1 << *field as u16);
        Self {
            bits,
            explicit: true,
        }
    }

    pub fn has(&self, field: Field) -> bool {
        self.bits & (1 << field as u16) != 0
    }
}

fn search_meetings(args: &Args, cx: &ToolContext) -> Result<Output, String> {
    let limit = args.uint("limit").unwrap_or(10);
    let offset = args.uint("offset").unwrap_or(0);
    let fields = Fields::from_names(args.strings("fields"));
    let after = args
        .str("after")
        .map(|text| day("after", text))
        .transpose()?;
    let before = args
        .str("before")
        .map(|text| day("before", text))
        .transpose()?;
    let tags: Vec<String> = lowercase(args.strings("tags"));
    let domains: Vec<String> = lowercase(args.strings("participant_domains"))
        .into_iter()
        .map(|domain| domain.trim_start_matches('@').to_owned())
        .collect();
    let ids = args.strings("id");
    let query = match (&ids, args.str("search")) {
        (None, Some(search)) => Some(TextQuery::new(search)),
        _ => None,
    };

    let keep = |meeting: &&Meeting| {
        after.is_none_or(|after| meeting.date >= after)
            && before.is_none_or(|before| meeting.date < before)
            && (tags.is_empty()
                || meeting
                    .tags
                    .iter()
                    .any(|tag| tags.contains(&tag.to_lowercase())))
            && (domains.is_empty() || has_participant_from(meeting, &domains))
            && query.as_ref().is_none_or(|query| meeting.matches(query))
    };
    let page: Vec<&Meeting> = match &ids {
        Some(ids) => {
            let mut found: Vec<&Meeting> = ids
                .iter()
                .filter_map(|id| cx.data.meeting(&id.to_ascii_lowercase()))
                .collect();
            found.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
            found.dedup_by(|a, b| a.id == b.id);
            found
                .into_iter()
                .map(|meeting| cx.current(meeting))
                .filter(keep)
                .skip(offset)
                .take(limit)
                .collect()
        }
        None => cx
            .data
            .meetings()
            .iter()
            .map(|meeting| cx.current(meeting))
            .filter(keep)
            .skip(offset)
            .take(limit)
            .collect(),
    };

    let urls: Vec<String> = page
        .iter()
        .map(|meeting| render::meeting_url(&meeting.id))
        .collect();
    let meetings: Vec<Value> = page
        .iter()
        .zip(&urls)
        .map(|(meeting, url)| meeting_json(meeting, &fields, url, cx.data))
        .collect();
    let mut text: Vec<String> = page
        .iter()
        .zip(&urls)
        .map(|(meeting, url)| render::search_block(meeting, &fields, url))
        .collect();
    if text.is_empty() {
        text.push("No meetings found.".to_owned());
    }
    Ok(Output {
        structured: json!({
            "criteria": args.criteria(limit),
            "count": meetings.len(),
            "meetings": meetings,
        }),
        text,
    })
}

fn lowercase(values: Option<Vec<&str>>) -> Vec<String> {
    values
        .unwrap_or_default()
        .into_iter()
        .map(str::to_lowercase)
        .collect()
}

fn has_participant_from(meeting: &Meeting, domains: &[String]) -> bool {
    meeting
        .attendees
        .iter()
        .filter_map(|a| a.email())
        .any(|email| {
            let Some((_, domain)) = email.rsplit_once('@') else {
                return false;
            };
            let domain = domain.to_lowercase();
            domains.iter().any(|wanted| {
                domain == *wanted
                    || domain
                        .strip_suffix(wanted.as_str())
                        .is_some_and(|sub| sub.ends_with('.'))
            })
        })
}

/// The start (UTC midnight) of the day `text` names.
fn day(name: &str, text: &str) -> Result<Timestamp, String> {
    parse_date(text)
        .and_then(|date| {
            jiff::tz::Offset::UTC
                .to_timestamp(date.to_datetime(Time::midnight()))
                .ok()
        })
        .ok_or_else(|| {
            format!("\"{name}\" must be an ISO 8601 date such as 2026-01-15, not {text:?}")
        })
}

/// ISO dates and date-times, and the day-first forms `15/01/2024`, `15.01.2024`, `15-01-2024`.
fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    if let Some(when) = super::data::parse_iso(text) {
        return Some(utc(when).date());
    }
    if let Ok(when) = DateTime::strptime("%Y-%m-%dT%H:%M:%S", text) {
        return Some(when.date());
    }
    ["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y"]
        .iter()
        .find_map(|format| Date::strptime(format, text).ok())
}

/// `Monday`: a date's weekday in English, as Krisp writes it.
fn weekday(date: Date) -> String {
    date.strftime("%A").to_string()
}

fn meeting_json(meeting: &Meeting, fields: &Fields, url: &str, data: &Dataset) -> Value {
    let mut out = Map::new();
    out.insert("meeting_id".into(), json!(meeting.id));
    let mut put = |field: Field, key: &str, value: &dyn Fn() -> Value| {
        if fields.has(field) {
            out.insert(key.into(), value());
        }
    };
    put(Field::Name, "name", &|| json!(meeting.name));
    put(Field::Date, "date", &|| json!(iso(meeting.date)));
    put(Field::Url, "url", &|| json!(url));
    put(Field::IsRecurring, "is_recurring", &|| {
        json!(meeting.is_recurring)
    });
    put(Field::Attendees, "attendees", &|| json!(meeting.attendees));
    put(Field::Speakers, "speakers", &|| json!(meeting.speakers));
    put(Field::Agenda, "agenda", &|| json!(meeting.agenda));
    put(Field::MeetingNotes, "meeting_notes", &|| {
        json!({
            "detailed_summary": meeting.summary,
            "key_points": meeting.key_points,
            "action_items": meeting.action_items,
        })
    });
    put(Field::DetailedSummary, "detailed_summary", &|| {
        json!(meeting.summary)
    });
    put(Field::KeyPoints, "key_points", &|| {
        json!(meeting.key_points)
    });
    put(Field::ActionItems, "action_items", &|| {
        json!(meeting.action_items)
    });
    put(
        Field::Transcript,
        "transcript",
        &|| json!({"document_id": meeting.id, "available": !meeting.processing}),
    );
    put(
        Field::PastMeetingOccurrences,
        "past_meeting_occurrences",
        &|| {
            let past: Vec<Value> = data
                .past_occurrences(meeting)
                .take(10)
                .map(|past| json!({"meeting_id": past.id, "date": iso(past.date)}))
                .collect();
            Value::Array(past)
        },
    );
    if !fields.explicit {
        out.insert("tags".into(), json!(meeting.tags));
    }
    if let Some(overrides) = &meeting.overrides {
        for (key, value) in overrides.iter() {
            if out.contains_key(key) || !Field::ALL.iter().any(|(_, name)| name == key) {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(out)
}

/// A meeting's or an upcoming meeting's agenda document; `Ok(None)` while processing.
fn document(id: &str, cx: &ToolContext) -> Result<Option<String>, ToolError> {
    if let Some(meeting) = cx.data.meeting(id) {
        let document = render::document(cx.current(meeting));
        if document.is_none() {
            cx.readiness.asked_for(id);
        }
        return Ok(document);
    }
    if let Some(upcoming) = cx.data.upcoming_meeting(id) {
        return Ok(Some(render::agenda_document(upcoming)));
    }
    Err(ToolError::NotFound(format!("Document {id} not found")))
}

fn get_document(args: &Args, cx: &ToolContext) -> Result<Output, ToolError> {
    let id = args.str("documentId").unwrap_or_default();
    let document = document(id, cx)?;
    let text = match &document {
        Some(markdown) => format!("Retrieved document {id}\n\n{markdown}"),
        None => format!("Retrieved document {id}\n"),
    };
    Ok(Output {
        structured: json!({"id": id, "document": document}),
        text: vec![text],
    })
}

fn get_multiple_documents(args: &Args, cx: &ToolContext) -> Output {
    let ids = args.strings("ids").unwrap_or_default();
    let mut results = Vec::with_capacity(ids.len());
    let mut text = Vec::with_capacity(ids.len());
    for id in ids {
        match document(id, cx) {
            Ok(Some(markdown)) => {
                text.push(format!("## Document {id}\n\n{markdown}"));
                results.push(json!({"id": id, "document": markdown}));
            }
            Ok(None) => {
                text.push(format!(
                    "## Document {id}\n\nNot available yet: the meeting is still being processed.\n"
                ));
                results.push(json!({"id": id, "document": null}));
            }
            Err(error) => {
                text.push(format!("## Document {id}\n\n{error}.\n"));
                results.push(json!({"id": id, "document": null, "error": error.to_string()}));
            }
        }
    }
    Output {
        structured: json!({ "results": results }),
        text,
    }
}

fn list_action_items(args: &Args, cx: &ToolContext) -> Output {
    let limit = args.uint("limit").unwrap_or(20);
    let offset = args.uint("offset").unwrap_or(0);
    let completed = args.bool("completed");
    let mine = args.bool("assigned_to_me") == Some(true);
    let me = cx.data.account.name.to_lowercase();
    let items: Vec<(&Meeting, &super::data::ActionItem)> = cx
        .data
        .meetings()
        .iter()
        .map(|meeting| cx.current(meeting))
        .flat_map(|meeting| meeting.action_items.iter().map(move |item| (meeting, item)))
        .filter(|(_, item)| completed.is_none_or(|completed| item.completed == completed))
        .filter(|(_, item)| {
            !mine
                || item
                    .assignee
                    .as_ref()
                    .is_some_and(|who| who.to_lowercase() == me)
        })
        .skip(offset)
        .take(limit)
        .collect();
    let lines: Vec<String> = items
        .iter()
        .map(|(meeting, item)| {
            format!(
                "{} · {}, {}",
                render::action_item_line(item, &meeting.speakers),
                meeting.name,
                iso(meeting.date)
            )
        })
        .collect();
    let items: Vec<Value> = items
        .iter()
        .map(|(meeting, item)| {
            let mut out = json!({
                "title": meeting.render_placeholders(&item.title),
                "assignee": item.assignee,
                "completed": item.completed,
                "meeting_id": meeting.id,
                "meeting_name": meeting.name,
                "meeting_date": iso(meeting.date),
            });
            if let (Some(due), Value::Object(map)) = (&item.due_date, &mut out) {
                map.insert("due_date".into(), json!(due));
            }
            out
        })
        .collect();
    let text = if lines.is_empty() {
        "No action items found.".to_owned()
    } else {
        format!("## Action Items\n{}\n", lines.join("\n"))
    };
    Output {
        structured: json!({
            "criteria": args.criteria(limit),
            "count": items.len(),
            "action_items": items,
        }),
        text: vec![text],
    }
}

fn list_activities(args: &Args, cx: &ToolContext) -> Result<Output, String> {
    let limit = args.uint("limit").unwrap_or(15);
    let cursor = match args.str("timestamp") {
        Some(text) => Some(super::data::parse_iso(text).ok_or_else(|| {
            format!(
                "\"timestamp\" must be the created_at of an activity, such as 2026-11-23T09:10:00Z, not {text:?}"
            )
        })?),
        None => None,
    };
    let page: Vec<_> = cx
        .data
        .activities()
        .iter()
        .filter(|activity| cursor.is_none_or(|cursor| activity.created_at < cursor))
        .take(limit)
        .collect();
    let activities: Vec<Value> = page
        .iter()
        .map(|activity| {
            json!({
                "id": activity.id,
                "created_at": iso(activity.created_at),
                "kind": activity.kind,
                "title": activity.title,
                "meeting_id": activity.meeting_id,
            })
        })
        .collect();
    let text = if page.is_empty() {
        "No activities found.".to_owned()
    } else {
        let lines: Vec<String> = page
            .iter()
            .map(|activity| {
                format!(
                    "- {} · {} (meeting_id: {})",
                    iso(activity.created_at),
                    activity.title,
                    activity.meeting_id
                )
            })
            .collect();
        format!("## Activities\n{}\n", lines.join("\n"))
    };
    Ok(Output {
        structured: json!({"count": activities.len(), "activities": activities}),
        text: vec![text],
    })
}

fn list_upcoming_meetings(args: &Args, cx: &ToolContext) -> Output {
    let days = args.uint("days").unwrap_or(7);
    let until = cx.now + SignedDuration::from_hours(24 * i64::try_from(days).unwrap_or(14));
    let page: Vec<_> = cx
        .data
        .upcoming()
        .iter()
        .filter(|item| item.start >= cx.now && item.start < until)
        .collect();
    let meetings: Vec<Value> = page
        .iter()
        .map(|item| {
            json!({
                "meeting_id": item.id,
                "name": item.name,
                "start": iso(item.start),
                "attendees": item.attendees,
                "agenda_id": item.id,
            })
        })
        .collect();
    let mut text: Vec<String> = page
        .iter()
        .map(|item| {
            format!(
                "## {} ({})\nmeeting_id: {}\nagenda_id: {}\nattendees: {}\n\n{}\n",
                item.name,
                iso(item.start),
                item.id,
                item.id,
                render::names(&item.attendees),
                item.agenda
            )
        })
        .collect();
    if text.is_empty() {
        text.push(format!("No meetings in the next {days} days."));
    }
    Output {
        structured: json!({"days": days, "count": meetings.len(), "meetings": meetings}),
        text,
    }
}

fn date_time(args: &Args, cx: &ToolContext) -> Result<Output, String> {
    match (args.str("start_date"), args.str("end_date")) {
        (None, None) => {
            let now = utc(cx.now);
            let date = now.date();
            let time = now.time();
            let clock = format!(
                "{:02}:{:02}:{:02}",
                time.hour(),
                time.minute(),
                time.second()
            );
            Ok(Output {
                structured: json!({
                    "now": iso(cx.now),
                    "date": date.to_string(),
                    "time": clock,
                    "weekday": weekday(date),
                    "timezone": "UTC",
                    "account_timezone": cx.data.account.timezone,
                }),
                text: vec![format!(
                    "Current date and time: {} ({}, UTC)",
                    iso(cx.now),
                    weekday(date)
                )],
            })
        }
        (Some(start), Some(end)) => {
            let parse = |name: &str, text: &str| {
                parse_date(text).ok_or_else(|| {
                    format!(
                        "\"{name}\" must be a date such as 2024-01-15 or 15/01/2024, not {text:?}"
                    )
                })
            };
            let (start, end) = (parse("start_date", start)?, parse("end_date", end)?);
            let days = i64::from((end - start).get_days());
            if days < 0 {
                return Err("\"end_date\" must not be before \"start_date\"".to_owned());
            }
            if days > 365 {
                return Err("the range may span at most 366 days".to_owned());
            }
            let dates: Vec<Date> = (0..=days)
                .filter_map(|n| start.checked_add(Span::new().days(n)).ok())
                .collect();
            let lines: Vec<String> = dates
                .iter()
                .map(|date| format!("- {date} ({})", weekday(*date)))
                .collect();
            Ok(Output {
                structured: json!({
                    "start_date": start.to_string(),
                    "end_date": end.to_string(),
                    "count": dates.len(),
                    "dates": dates
                        .iter()
                        .map(|date| json!({"date": date.to_string(), "weekday": weekday(*date)}))
                        .collect::<Vec<_>>(),
                }),
                text: vec![format!(
                    "Dates from {start} to {end} ({} days):\n{}\n",
                    dates.len(),
                    lines.join("\n")
                )],
            })
        }
        _ => Err("\"start_date\" and \"end_date\" must be given together".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_in_iso_and_day_first_forms() {
        for text in [
            "2024-01-15",
            "15/01/2024",
            "15.01.2024",
            "15-01-2024",
            "2024-01-15T23:30:00Z",
            "2024-01-15T10:00:00",
            " 2024-01-16T00:30:00+02:00 ",
        ] {
            assert_eq!(
                parse_date(text),
                Some(jiff::civil::date(2024, 1, 15)),
                "{text}"
            );
        }
        assert_eq!(parse_date("01/15/2024"), None);
        assert_eq!(parse_date("yesterday"), None);
    }

    #[test]
    fn fields_select_exactly_what_was_asked() {
        let all = Fields::all();
        assert!(all.has(Field::MeetingNotes) && all.has(Field::PastMeetingOccurrences));
        assert!(
            !all.has(Field::KeyPoints),
            "notes are grouped when nothing is asked"
        );
        let some = Fields::from_names(Some(vec!["key_points", "url"]));
        let asked: Vec<&str> = Field::ALL
            .iter()
            .filter(|(field, _)| some.has(*field))
            .map(|(_, name)| *name)
            .collect();
        assert_eq!(asked, ["url", "key_points"]);
    }
}
