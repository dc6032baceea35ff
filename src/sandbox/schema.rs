//! The Krisp tools as captured from the live `tools/list`, and a validator for their draft-07 schemas.
//!
//! The schemas are served byte for byte as captured (minus the capturing client's `mcp__krisp__`
//! prefix) and the same documents drive argument validation, so what the sandbox advertises and
//! what it enforces cannot drift apart. The validator covers the keywords those schemas use:
//! `type`, `required`, `properties`, `items`, `anyOf`, `enum`, `minLength`, `maxLength`,
//! `pattern`, `minimum`, `maximum`, `minItems`, `maxItems`. Additional properties are allowed,
//! as draft-07 says when `additionalProperties` is absent (later clients send `isOwner`, `include`).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use rmcp::model::{JsonObject, Tool};
use serde::Deserialize;
use serde_json::Value;

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

/// Checks `arguments` against `schema`; the error names the offending argument.
pub fn validate(schema: &JsonObject, arguments: &Value) -> Result<(), String> {
    check(schema, arguments, "")
}

/// How an error names the value at `path` (`""` is the arguments object itself).
fn label(path: &str) -> String {
    if path.is_empty() {
        "the arguments".to_owned()
    } else {
        format!("\"{path}\"")
    }
}

fn check(schema: &JsonObject, value: &Value, path: &str) -> Result<(), String> {
    let at = label(path);
    if let Some(expected) = schema.get("type") {
        let allowed: Vec<&str> = match expected {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !allowed.is_empty() && !allowed.iter().any(|kind| has_type(value, kind)) {
            return Err(format!(
                "{at} must be {}, not {}",
                allowed
                    .iter()
                    .map(|kind| article(kind))
                    .collect::<Vec<_>>()
                    .join(" or "),
                describe(value)
            ));
        }
    }
    if let Some(Value::Array(options)) = schema.get("enum")
        && !options.contains(value)
    {
        let options: Vec<String> = options.iter().map(Value::to_string).collect();
        return Err(format!(
            "{at} must be one of {}, not {value}",
            options.join(", ")
        ));
    }
    if let Some(Value::Array(options)) = schema.get("anyOf") {
        let mut reasons = Vec::new();
        for option in options {
            let Value::Object(option) = option else {
                continue;
            };
            match check(option, value, path) {
                Ok(()) => {
                    reasons.clear();
                    break;
                }
                Err(reason) => reasons.push(reason),
            }
        }
        if !reasons.is_empty() {
            return Err(reasons.join("; or "));
        }
    }
    match value {
        Value::String(text) => check_string(schema, text, &at),
        Value::Number(number) => check_number(schema, number.as_f64().unwrap_or(f64::NAN), &at),
        Value::Array(items) => check_array(schema, items, path),
        Value::Object(object) => check_object(schema, object, path),
        Value::Bool(_) | Value::Null => Ok(()),
    }
}

fn check_string(schema: &JsonObject, text: &str, at: &str) -> Result<(), String> {
    let length = text.chars().count() as u64;
    if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
        && length < min
    {
        return Err(format!(
            "{at} must be at least {min} characters long (got {length})"
        ));
    }
    if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
        && length > max
    {
        return Err(format!(
            "{at} must be at most {max} characters long (got {length})"
        ));
    }
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str)
        && !matches_pattern(pattern, text)
    {
        return Err(format!("{at} must match the pattern {pattern}"));
    }
    Ok(())
}

fn check_number(schema: &JsonObject, number: f64, at: &str) -> Result<(), String> {
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
        && number < min
    {
        return Err(format!("{at} must be at least {min} (got {number})"));
    }
    if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
        && number > max
    {
        return Err(format!("{at} must be at most {max} (got {number})"));
    }
    Ok(())
}

fn check_array(schema: &JsonObject, items: &[Value], path: &str) -> Result<(), String> {
    let at = label(path);
    let count = items.len() as u64;
    if let Some(min) = schema.get("minItems").and_then(Value::as_u64)
        && count < min
    {
        return Err(format!("{at} must have at least {min} items (got {count})"));
    }
    if let Some(max) = schema.get("maxItems").and_then(Value::as_u64)
        && count > max
    {
        return Err(format!("{at} must have at most {max} items (got {count})"));
    }
    if let Some(Value::Object(item_schema)) = schema.get("items") {
        for (index, item) in items.iter().enumerate() {
            check(item_schema, item, &format!("{path}[{index}]"))?;
        }
    }
    Ok(())
}

fn check_object(
    schema: &JsonObject,
    object: &serde_json::Map<String, Value>,
    path: &str,
) -> Result<(), String> {
    let child = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    if let Some(Value::Array(required)) = schema.get("required") {
        for key in required.iter().filter_map(Value::as_str) {
            if !object.contains_key(key) {
                return Err(format!("{} is required", label(&child(key))));
            }
        }
    }
    if let Some(Value::Object(properties)) = schema.get("properties") {
        for (key, value) in object {
            if let Some(Value::Object(property)) = properties.get(key) {
                check(property, value, &child(key))?;
            }
        }
    }
    Ok(())
}

fn has_type(value: &Value, kind: &str) -> bool {
    match kind {
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "null" => value.is_null(),
        "number" => value.is_number(),
        // Draft-07: any number with a zero fractional part is an integer.
        "integer" => {
            value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|n| n.fract() == 0.0)
        }
        _ => true,
    }
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

fn matches_pattern(pattern: &str, text: &str) -> bool {
    static CACHE: LazyLock<Mutex<HashMap<String, Option<regex::Regex>>>> =
        LazyLock::new(Default::default);
    let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    let compiled = cache
        .entry(pattern.to_owned())
        .or_insert_with(|| regex::Regex::new(pattern).ok());
    // A pattern we cannot compile constrains nothing, as JSON Schema validators usually treat it.
    compiled.as_ref().is_none_or(|regex| regex.is_match(text))
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
