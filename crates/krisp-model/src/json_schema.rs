//! The one JSON Schema (draft-07) checker: the sandbox enforces the captured Krisp schemas with
//! it and the tool forms check what was typed. It finds the first violation and says what it is
//! as data; each side words it for its reader (the sandbox as Krisp's server does, the form in
//! a few words beside the field).
//!
//! Keywords: `type`, `enum`, `const`, `minimum`/`maximum` (and draft-04's boolean and
//! draft-06's numeric exclusive bounds), `multipleOf`, `minLength`/`maxLength`, `pattern`,
//! `minItems`/`maxItems`, `uniqueItems`, `items` (one schema or a tuple), `required`,
//! `properties`, `additionalProperties: false`, `allOf`, `anyOf`, `oneOf`, `not`, and the
//! schemas `true` and `false`. Keywords it does not know are accepted, never an error, and so is
//! a `pattern` the regex engine cannot compile (it is not the caller's mistake).
//!
//! Not the `jsonschema` crate: it refuses to build a validator from a schema with a pattern it
//! cannot compile or a `$ref` it cannot resolve, where a form over another server's tool must
//! still check the rest; and both sides need their own sentences, which its messages are not.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, PoisonError};

use serde_json::{Map, Value};

/// One step from the checked value down to the offending one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// The first thing wrong with a value.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation<'a> {
    /// Where, from the checked value down.
    pub path: Vec<Step<'a>>,
    /// The value at `path`.
    pub value: &'a Value,
    pub problem: Problem<'a>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Problem<'a> {
    /// The schema `false`: no value is allowed.
    Nothing,
    /// Not of any of these types (never empty).
    Type(Vec<&'a str>),
    Enum(&'a [Value]),
    Const(&'a Value),
    Minimum {
        limit: f64,
        exclusive: bool,
    },
    Maximum {
        limit: f64,
        exclusive: bool,
    },
    MultipleOf(f64),
    /// The limit; the value's length is `chars().count()`.
    MinLength(u64),
    MaxLength(u64),
    Pattern(&'a str),
    MinItems(u64),
    MaxItems(u64),
    /// The item at this index repeats an earlier one.
    Repeated(usize),
    /// This property is missing.
    Required(&'a str),
    /// This property is not allowed (`additionalProperties: false`).
    Unknown(&'a str),
    /// No alternative matched: each one's violation, in the schema's order.
    AnyOf(Vec<Violation<'a>>),
    /// No alternative of a `oneOf` matched: each one's violation.
    OneOfNone(Vec<Violation<'a>>),
    /// More than one alternative of a `oneOf` matched.
    OneOfMany,
    /// The value matches the schema under `not`.
    Not,
}

/// Checks `value` against `schema` (an object or a boolean schema; anything else accepts all).
pub fn check<'a>(value: &'a Value, schema: &'a Value) -> Result<(), Violation<'a>> {
    walk(value, schema, &mut Vec::new())
}

/// [`check`] against an object schema held as a map (as rmcp holds a tool's input schema).
pub fn check_object_schema<'a>(
    value: &'a Value,
    schema: &'a Map<String, Value>,
) -> Result<(), Violation<'a>> {
    walk_map(value, schema, &mut Vec::new())
}

fn walk<'a>(
    value: &'a Value,
    schema: &'a Value,
    path: &mut Vec<Step<'a>>,
) -> Result<(), Violation<'a>> {
    match schema {
        Value::Bool(false) => Err(violation(path, value, Problem::Nothing)),
        Value::Object(schema) => walk_map(value, schema, path),
        _ => Ok(()),
    }
}

fn violation<'a>(path: &[Step<'a>], value: &'a Value, problem: Problem<'a>) -> Violation<'a> {
    Violation {
        path: path.to_vec(),
        value,
        problem,
    }
}

fn walk_map<'a>(
    value: &'a Value,
    s: &'a Map<String, Value>,
    path: &mut Vec<Step<'a>>,
) -> Result<(), Violation<'a>> {
    let fail = |problem| Err(violation(path, value, problem));
    let allowed: Vec<&str> = match s.get("type") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !allowed.is_empty() && !allowed.iter().any(|t| has_type(value, t)) {
        return fail(Problem::Type(allowed));
    }
    if let Some(Value::Array(options)) = s.get("enum")
        && !options.contains(value)
    {
        return fail(Problem::Enum(options));
    }
    if let Some(c) = s.get("const")
        && c != value
    {
        return fail(Problem::Const(c));
    }
    let problem = match value {
        Value::Number(n) => number(n.as_f64().unwrap_or(f64::NAN), s),
        Value::String(text) => string(text, s),
        Value::Array(items) => array(items, s),
        _ => None,
    };
    if let Some(problem) = problem {
        return fail(problem);
    }
    match value {
        Value::Array(items) => walk_items(items, s, path)?,
        Value::Object(map) => walk_object(value, map, s, path)?,
        _ => {}
    }
    walk_combinators(value, s, path)
}

fn number(n: f64, s: &Map<String, Value>) -> Option<Problem<'static>> {
    let get = |k: &str| s.get(k).and_then(Value::as_f64);
    // Draft-04 spelled exclusive bounds as booleans beside minimum/maximum.
    let flag = |k: &str| s.get(k).and_then(Value::as_bool).unwrap_or(false);
    if let Some(limit) = get("minimum") {
        let exclusive = flag("exclusiveMinimum");
        if n < limit || (exclusive && n <= limit) {
            return Some(Problem::Minimum { limit, exclusive });
        }
    }
    if let Some(limit) = get("maximum") {
        let exclusive = flag("exclusiveMaximum");
        if n > limit || (exclusive && n >= limit) {
            return Some(Problem::Maximum { limit, exclusive });
        }
    }
    if let Some(limit) = get("exclusiveMinimum")
        && n <= limit
    {
        return Some(Problem::Minimum {
            limit,
            exclusive: true,
        });
    }
    if let Some(limit) = get("exclusiveMaximum")
        && n >= limit
    {
        return Some(Problem::Maximum {
            limit,
            exclusive: true,
        });
    }
    if let Some(m) = get("multipleOf")
        && m > 0.0
        && (n / m).fract().abs() > 1e-9
    {
        return Some(Problem::MultipleOf(m));
    }
    None
}

enum Bound {
    Below(u64),
    Above(u64),
}

/// Whether a length or count `n` is below `s[low]` or above `s[high]`, and that limit.
fn outside(s: &Map<String, Value>, n: usize, low: &str, high: &str) -> Option<Bound> {
    let n = n as u64;
    let limit = |k: &str| s.get(k).and_then(Value::as_u64);
    match (limit(low), limit(high)) {
        (Some(min), _) if n < min => Some(Bound::Below(min)),
        (_, Some(max)) if n > max => Some(Bound::Above(max)),
        _ => None,
    }
}

fn string<'a>(text: &str, s: &'a Map<String, Value>) -> Option<Problem<'a>> {
    match outside(s, text.chars().count(), "minLength", "maxLength") {
        Some(Bound::Below(min)) => return Some(Problem::MinLength(min)),
        Some(Bound::Above(max)) => return Some(Problem::MaxLength(max)),
        None => {}
    }
    match s.get("pattern").and_then(Value::as_str) {
        Some(pattern) if !matches_pattern(pattern, text) => Some(Problem::Pattern(pattern)),
        _ => None,
    }
}

fn array<'a>(items: &[Value], s: &'a Map<String, Value>) -> Option<Problem<'a>> {
    match outside(s, items.len(), "minItems", "maxItems") {
        Some(Bound::Below(min)) => return Some(Problem::MinItems(min)),
        Some(Bound::Above(max)) => return Some(Problem::MaxItems(max)),
        None => {}
    }
    if s.get("uniqueItems").and_then(Value::as_bool) == Some(true) {
        return (0..items.len())
            .find(|&i| items[..i].contains(&items[i]))
            .map(Problem::Repeated);
    }
    None
}

fn walk_items<'a>(
    items: &'a [Value],
    s: &'a Map<String, Value>,
    path: &mut Vec<Step<'a>>,
) -> Result<(), Violation<'a>> {
    let schemas: Box<dyn Iterator<Item = &'a Value>> = match s.get("items") {
        Some(Value::Array(tuple)) => Box::new(tuple.iter()),
        Some(one) => Box::new(std::iter::repeat(one)),
        None => return Ok(()),
    };
    for (i, (item, schema)) in items.iter().zip(schemas).enumerate() {
        path.push(Step::Index(i));
        let result = walk(item, schema, path);
        path.pop();
        result?;
    }
    Ok(())
}

fn walk_object<'a>(
    value: &'a Value,
    map: &'a Map<String, Value>,
    s: &'a Map<String, Value>,
    path: &mut Vec<Step<'a>>,
) -> Result<(), Violation<'a>> {
    if let Some(Value::Array(required)) = s.get("required") {
        for name in required.iter().filter_map(Value::as_str) {
            if !map.contains_key(name) {
                return Err(violation(path, value, Problem::Required(name)));
            }
        }
    }
    let properties = s.get("properties").and_then(Value::as_object);
    for (key, item) in map {
        match properties.and_then(|p| p.get(key)) {
            Some(schema) => {
                path.push(Step::Key(key));
                let result = walk(item, schema, path);
                path.pop();
                result?;
            }
            None if s.get("additionalProperties") == Some(&Value::Bool(false)) => {
                return Err(violation(path, value, Problem::Unknown(key)));
            }
            None => {}
        }
    }
    Ok(())
}

fn walk_combinators<'a>(
    value: &'a Value,
    s: &'a Map<String, Value>,
    path: &mut Vec<Step<'a>>,
) -> Result<(), Violation<'a>> {
    let alternatives = |k: &str| s.get(k).and_then(Value::as_array).filter(|a| !a.is_empty());
    if let Some(all) = s.get("allOf").and_then(Value::as_array) {
        for schema in all {
            walk(value, schema, path)?;
        }
    }
    if let Some(any) = alternatives("anyOf") {
        let mut failed = Vec::new();
        for schema in any {
            match walk(value, schema, path) {
                Ok(()) => {
                    failed.clear();
                    break;
                }
                Err(v) => failed.push(v),
            }
        }
        if !failed.is_empty() {
            return Err(violation(path, value, Problem::AnyOf(failed)));
        }
    }
    if let Some(one) = alternatives("oneOf") {
        let mut failed = Vec::new();
        for schema in one {
            if let Err(v) = walk(value, schema, path) {
                failed.push(v);
            }
        }
        match one.len() - failed.len() {
            1 => {}
            0 => return Err(violation(path, value, Problem::OneOfNone(failed))),
            _ => return Err(violation(path, value, Problem::OneOfMany)),
        }
    }
    if let Some(not) = s.get("not")
        && walk(value, not, path).is_ok()
    {
        return Err(violation(path, value, Problem::Not));
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

fn matches_pattern(pattern: &str, text: &str) -> bool {
    static CACHE: LazyLock<Mutex<HashMap<String, Option<regex::Regex>>>> =
        LazyLock::new(Default::default);
    let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    let compiled = cache
        .entry(pattern.to_owned())
        .or_insert_with(|| regex::Regex::new(pattern).ok());
    compiled.as_ref().is_none_or(|regex| regex.is_match(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_first_violation_says_where_and_what() {
        let schema = json!({
            "type": "object",
            "required": ["a"],
            "properties": {"a": {"type": "array", "items": {"type": "integer", "maximum": 5}}},
        });
        let value = json!({"a": [1, 9]});
        let v = check(&value, &schema).unwrap_err();
        assert_eq!(v.path, [Step::Key("a"), Step::Index(1)]);
        assert_eq!(v.value, &json!(9));
        assert_eq!(
            v.problem,
            Problem::Maximum {
                limit: 5.0,
                exclusive: false
            }
        );
        let empty = json!({});
        assert_eq!(
            check(&empty, &schema).unwrap_err().problem,
            Problem::Required("a")
        );
        assert_eq!(check(&json!({"a": [5]}), &schema), Ok(()));
    }

    #[test]
    fn alternatives_keep_each_reason_and_unknown_keywords_pass() {
        let schema = json!({"anyOf": [{"type": "string"}, {"type": "array"}]});
        let seven = json!(7);
        let Problem::AnyOf(reasons) = check(&seven, &schema).unwrap_err().problem else {
            panic!("not an anyOf violation");
        };
        let types: Vec<_> = reasons.into_iter().map(|v| v.problem).collect();
        assert_eq!(
            types,
            [Problem::Type(vec!["string"]), Problem::Type(vec!["array"])]
        );
        let one = json!({"oneOf": [{"type": "integer"}, {"type": "number"}]});
        assert_eq!(check(&seven, &one).unwrap_err().problem, Problem::OneOfMany);
        assert_eq!(
            check(&json!("x"), &json!({"pattern": "(", "format": "odd"})),
            Ok(())
        );
        assert_eq!(
            check(&json!(1), &json!(false)).unwrap_err().problem,
            Problem::Nothing
        );
    }
}
