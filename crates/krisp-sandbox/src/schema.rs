//! The Krisp tools as captured from the live `tools/list`, and their arguments checked against
//! those draft-07 schemas.
//!
//! The schemas are served byte for byte as captured (minus the capturing client's `mcp__krisp__`
//! prefix) and the same documents drive argument validation, so what the sandbox advertises and
//! what it enforces cannot drift apart. The checking is `krisp_model::json_schema`'s (shared with the
//! tool forms); the sentences are the sandbox's. Additional properties are allowed, as draft-07
//! says when `additionalProperties` is absent (later clients send `isOwner`, `include`).

use std::borrow::Cow;
use std::sync::{Arc, LazyLock};

use rmcp::model::{JsonObject, Tool};
use serde::Deserialize;
use serde_json::Value;

use krisp_model::json_schema::{self, Problem, Step, Violation};

const CAPTURED: &str = include_str!("krisp-tools.json");

#[derive(Deserialize)]
struct Captured {
    tools: Vec<CapturedTool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CapturedTool {
    name: String,
    description: String,
    input_schema: JsonObject,
}

/// The seven tools, in the captured order.
pub fn tools() -> &'static [Tool] {
    static TOOLS: LazyLock<Vec<Tool>> = LazyLock::new(|| {
        // The file is compiled in and covered by a unit test, so this cannot fail at run time.
        let captured: Captured = serde_json::from_str(CAPTURED).expect("krisp-tools.json is valid");
        captured
            .tools
            .into_iter()
            .map(|tool| {
                Tool::new(
                    Cow::Owned(tool.name),
                    Cow::Owned(tool.description),
                    Arc::new(tool.input_schema),
                )
            })
            .collect()
    });
    &TOOLS
}

pub fn tool(name: &str) -> Option<&'static Tool> {
    tools().iter().find(|tool| tool.name == name)
}

/// Checks `arguments` against `schema` (with the checker the tool forms use); the error names
/// the offending argument, as Krisp's server does.
pub fn validate(schema: &JsonObject, arguments: &Value) -> Result<(), String> {
    json_schema::check_object_schema(arguments, schema).map_err(|v| reason(&v))
}

/// A violation in the server's words: `"limit" must be at most 50 (got 51)`.
fn reason(v: &Violation<'_>) -> String {
    let at = label(&v.path);
    let number = v.value.as_f64().unwrap_or(f64::NAN);
    let count = match v.value {
        Value::String(text) => text.chars().count(),
        Value::Array(items) => items.len(),
        _ => 0,
    };
    let inside = |step: Step<'_>| {
        let mut path = v.path.clone();
        path.push(step);
        label(&path)
    };
    match &v.problem {
        Problem::Nothing => format!("{at} is not allowed"),
        Problem::Type(kinds) => format!(
            "{at} must be {}, not {}",
            kinds
                .iter()
                .map(|kind| article(kind))
                .collect::<Vec<_>>()
                .join(" or "),
            describe(v.value)
        ),
        Problem::Enum(options) => {
            let options: Vec<String> = options.iter().map(Value::to_string).collect();
            format!(
                "{at} must be one of {}, not {}",
                options.join(", "),
                v.value
            )
        }
        Problem::Const(c) => format!("{at} must be {c}, not {}", v.value),
        Problem::Minimum { limit, exclusive } => {
            let least = if *exclusive {
                "greater than"
            } else {
                "at least"
            };
            format!("{at} must be {least} {limit} (got {number})")
        }
        Problem::Maximum { limit, exclusive } => {
            let most = if *exclusive { "less than" } else { "at most" };
            format!("{at} must be {most} {limit} (got {number})")
        }
        Problem::MultipleOf(m) => format!("{at} must be a multiple of {m} (got {number})"),
        Problem::MinLength(min) => {
            format!("{at} must be at least {min} characters long (got {count})")
        }
        Problem::MaxLength(max) => {
            format!("{at} must be at most {max} characters long (got {count})")
        }
        Problem::Pattern(pattern) => format!("{at} must match the pattern {pattern}"),
        Problem::MinItems(min) => format!("{at} must have at least {min} items (got {count})"),
        Problem::MaxItems(max) => format!("{at} must have at most {max} items (got {count})"),
        Problem::Repeated(i) => format!(
            "{at} must not repeat an item ({} does)",
            inside(Step::Index(*i))
        ),
        Problem::Required(name) => format!("{} is required", inside(Step::Key(name))),
        Problem::Unknown(name) => format!("{} is not a known argument", inside(Step::Key(name))),
        Problem::AnyOf(reasons) | Problem::OneOfNone(reasons) => {
            reasons.iter().map(reason).collect::<Vec<_>>().join("; or ")
        }
        Problem::OneOfMany => format!("{at} matches more than one of the allowed forms"),
        Problem::Not => format!("{at} is a form that is not allowed"),
    }
}

/// How an error names the value at `path`: `"fields[1]"`, `"a.b"`, or `the arguments` for the
/// arguments object itself.
fn label(path: &[Step<'_>]) -> String {
    if path.is_empty() {
        return "the arguments".to_owned();
    }
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(key) if out.is_empty() => out.push_str(key),
            Step::Key(key) => {
                out.push('.');
                out.push_str(key);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    format!("\"{out}\"")
}

fn article(kind: &str) -> String {
    match kind {
        "array" | "object" | "integer" => format!("an {kind}"),
        _ => format!("a {kind}"),
    }
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema_of(name: &str) -> &'static JsonObject {
        &tool(name).expect("known tool").input_schema
    }

    #[test]
    fn the_seven_captured_tools_are_served_without_prefix() {
        let names: Vec<&str> = tools().iter().map(|tool| tool.name.as_ref()).collect();
        assert_eq!(
            names,
            [
                "date_time",
                "get_document",
                "get_multiple_documents",
                "list_action_items",
                "list_activities",
                "list_upcoming_meetings",
                "search_meetings"
            ]
        );
        assert_eq!(
            schema_of("get_document").get("$schema"),
            Some(&json!("http://json-schema.org/draft-07/schema#"))
        );
    }

    #[test]
    fn valid_arguments_pass() {
        let search = schema_of("search_meetings");
        for arguments in [
            json!({}),
            json!({"search": "roadmap", "limit": 50, "offset": 0, "fields": ["name", "url"]}),
            json!({"id": "0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e"}),
            json!({"id": ["0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e"], "isOwner": true}),
            json!({"limit": 10.0}),
        ] {
            assert_eq!(validate(search, &arguments), Ok(()), "{arguments}");
        }
    }

    #[test]
    fn invalid_arguments_say_what_is_wrong() {
        let cases = [
            (
                "search_meetings",
                json!({"search": "ab"}),
                "\"search\" must be at least 3 characters long (got 2)",
            ),
            (
                "search_meetings",
                json!({"limit": 51}),
                "\"limit\" must be at most 50 (got 51)",
            ),
            (
                "search_meetings",
                json!({"limit": "10"}),
                "\"limit\" must be an integer, not a string",
            ),
            (
                "search_meetings",
                json!({"fields": ["name", "duration"]}),
                "\"fields[1]\" must be one of \"name\", \"date\", \"url\", \"is_recurring\", \"attendees\", \"speakers\", \"transcript\", \"agenda\", \"meeting_notes\", \"detailed_summary\", \"key_points\", \"action_items\", \"past_meeting_occurrences\", not \"duration\"",
            ),
            (
                "search_meetings",
                json!({"id": 7}),
                "\"id\" must be a string, not a number; or \"id\" must be an array, not a number",
            ),
            ("get_document", json!({}), "\"documentId\" is required"),
            (
                "get_document",
                json!({"documentId": "0F3C9A8E6B2D4F1A9C7E5B3D1F2A4C6E"}),
                "\"documentId\" must match the pattern ^[a-f0-9]{32}$",
            ),
            (
                "get_multiple_documents",
                json!({"ids": []}),
                "\"ids\" must have at least 1 items (got 0)",
            ),
            (
                "list_upcoming_meetings",
                json!({"days": 0}),
                "\"days\" must be at least 1 (got 0)",
            ),
        ];
        for (tool, arguments, message) in cases {
            assert_eq!(
                validate(schema_of(tool), &arguments),
                Err(message.to_owned()),
                "{tool} {arguments}"
            );
        }
    }
}
