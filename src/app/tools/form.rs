//! The argument form of one tool, generated from its input schema, and the typed arguments it yields.

use std::cell::Cell;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind};
use ratatui::layout::Rect;
use serde_json::{Map, Number, Value};

use super::schema::{self, FieldKind};
use crate::app::input::LineInput;
use crate::message::Action;
use crate::sanitize::clean_line;

/// Name of the single field offered when the input schema is not a plain object of properties.
pub const RAW_ARGS: &str = "(arguments)";

/// Rows of help (type hint, description, full error) under the fields at most.
pub(crate) const HELP_ROWS: usize = 4;

/// What a key did to the form.
#[derive(Debug, Clone, PartialEq)]
pub enum FormEvent {
    /// The form used the key.
    Handled,
    /// Run was asked for and every field is valid.
    Submit(Map<String, Value>),
    /// Run was asked for but a field is invalid; the focus moved to it.
    Invalid,
    /// Back (Esc): leave the form.
    Leave,
    /// Not a form key; the panel may use it.
    Ignored,
}

/// One field of the form.
#[derive(Debug, Clone)]
pub struct Field {
    pub(crate) name: String,
    pub(crate) schema: Value,
    pub(crate) kind: FieldKind,
    pub(crate) required: bool,
    pub(crate) description: Option<String>,
    pub(crate) input: Input,
    pub(crate) error: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) enum Input {
    Text(LineInput),
    Toggle(Option<bool>),
    /// Index into the kind's values; `None` is "not set".
    Choice(Option<usize>),
}

impl Field {
    fn new(name: &str, schema: Value, required: bool) -> Self {
        let kind = schema::kind_of(&schema);
        let default = schema.get("default").cloned();
        let input = match &kind {
            FieldKind::Toggle => Input::Toggle(default.as_ref().and_then(Value::as_bool)),
            FieldKind::Choice(values) => {
                Input::Choice(default.and_then(|d| values.iter().position(|v| *v == d)))
            }
            _ => {
                let text = match &default {
                    None | Some(Value::Null) => String::new(),
                    Some(Value::String(s))
                        if !matches!(
                            kind,
                            FieldKind::Json {
                                string_fallback: false
                            }
                        ) =>
                    {
                        s.clone()
                    }
                    Some(Value::Array(items))
                        if matches!(kind, FieldKind::List { comma: true }) =>
                    {
                        let shown: Vec<String> = items.iter().map(schema::display).collect();
                        // A comma inside an item would split it: fall back to JSON.
                        if shown.iter().any(|s| s.contains(',')) {
                            Value::Array(items.clone()).to_string()
                        } else {
                            shown.join(", ")
                        }
                    }
                    Some(other) => other.to_string(),
                };
                // Defaults come from the server, sanitized where they came in; the field holds
                // one line.
                Input::Text(LineInput::new(text.replace('\n', " ")))
            }
        };
        let description = schema
            .get("description")
            .and_then(Value::as_str)
            .map(|d| clean_line(d).into_owned());
        Self {
            name: name.to_owned(),
            schema,
            kind,
            required,
            description,
            input,
            error: None,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn kind(&self) -> &FieldKind {
        &self.kind
    }

    pub fn required(&self) -> bool {
        self.required
    }

    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// The text of a text-like field, `None` for toggles and choices.
    pub fn text(&self) -> Option<&str> {
        match &self.input {
            Input::Text(input) => Some(input.text()),
            _ => None,
        }
    }

    /// The value as typed (`Ok(None)` when empty), or why the text does not parse.
    pub fn value(&self) -> Result<Option<Value>, String> {
        let text = match &self.input {
            Input::Toggle(b) => return Ok(b.map(Value::Bool)),
            Input::Choice(i) => {
                let values = match &self.kind {
                    FieldKind::Choice(values) => values.as_slice(),
                    _ => &[],
                };
                return Ok(i.and_then(|i| values.get(i)).cloned());
            }
            Input::Text(input) => input.text().to_owned(),
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        match &self.kind {
            FieldKind::Text => Ok(Some(Value::String(text))),
            FieldKind::Integer => parse_integer(trimmed).map(Some),
            FieldKind::Number => parse_number(trimmed).map(Some),
            FieldKind::List { comma } => {
                if trimmed.starts_with('[') || !comma {
                    return serde_json::from_str(trimmed)
                        .map(Some)
                        .map_err(|e| format!("not valid JSON: {e}"));
                }
                let item_type = self.schema.get("items").and_then(schema::single_type);
                trimmed
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| match item_type {
                        Some("integer") => parse_integer(s),
                        Some("number") => parse_number(s),
                        Some("boolean") => s
                            .parse()
                            .map(Value::Bool)
                            .map_err(|_| format!("{s} is not true or false")),
                        _ => Ok(Value::String(s.to_owned())),
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(|items| Some(Value::Array(items)))
            }
            FieldKind::Json { string_fallback } => match serde_json::from_str(trimmed) {
                Ok(v) => Ok(Some(v)),
                Err(_) if *string_fallback => Ok(Some(Value::String(trimmed.to_owned()))),
                Err(e) => Err(format!("not valid JSON: {e}")),
            },
            FieldKind::Toggle | FieldKind::Choice(_) => Ok(None),
        }
    }

    /// Validates the field and records the error; a missing required value counts only when
    /// `submitting`, so an untouched form is not all red.
    fn check(&mut self, submitting: bool) -> Result<Option<Value>, ()> {
        let result = match self.value() {
            Ok(None) if self.required && submitting => Err("required".to_owned()),
            Ok(None) => Ok(None),
            Ok(Some(v)) => schema::validate(&v, &self.schema).map(|()| Some(v)),
            Err(e) => Err(e),
        };
        // Messages quote the schema (patterns, enum values, names): sanitize them for drawing.
        self.error = result.as_ref().err().map(|e| clean_line(e).into_owned());
        result.map_err(|_| ())
    }

    fn cycle(&mut self, forward: bool) {
        let optional = !self.required;
        match &mut self.input {
            Input::Toggle(b) => {
                *b = match (*b, forward) {
                    (None, true) | (Some(false), false) => Some(true),
                    (Some(true), true) | (None, false) => Some(false),
                    (Some(false), true) | (Some(true), false) if optional => None,
                    (Some(v), _) => Some(!v),
                };
            }
            Input::Choice(i) => {
                let n = match &self.kind {
                    FieldKind::Choice(values) => values.len(),
                    _ => 0,
                };
                // Positions 0..n are the values; position n is "not set", for optional fields.
                let slots = n + usize::from(optional);
                if n == 0 {
                    return;
                }
                let next = match *i {
                    None if !optional => {
                        if forward {
                            0
                        } else {
                            n - 1
                        }
                    }
                    cur => {
                        let pos = cur.unwrap_or(n);
                        if forward {
                            (pos + 1) % slots
                        } else {
                            (pos + slots - 1) % slots
                        }
                    }
                };
                *i = (next < n).then_some(next);
            }
            Input::Text(_) => {}
        }
    }

    fn clear(&mut self) {
        match &mut self.input {
            Input::Toggle(b) => *b = None,
            Input::Choice(i) => *i = None,
            Input::Text(input) => input.clear(),
        }
    }
}

fn parse_integer(s: &str) -> Result<Value, String> {
    if let Ok(i) = s.parse::<i64>() {
        return Ok(Value::Number(i.into()));
    }
    if let Ok(u) = s.parse::<u64>() {
        return Ok(Value::Number(u.into()));
    }
    match s.parse::<f64>() {
        Ok(f) if f.is_finite() => Err("must be a whole number".to_owned()),
        _ => Err(format!("{s} is not a number")),
    }
}

fn parse_number(s: &str) -> Result<Value, String> {
    if let Ok(Value::Number(n)) = parse_integer(s) {
        return Ok(Value::Number(n));
    }
    s.parse::<f64>()
        .ok()
        .and_then(Number::from_f64)
        .map(Value::Number)
        .ok_or_else(|| format!("{s} is not a number"))
}

/// The form of one tool.
#[derive(Debug, Clone)]
pub struct Form {
    pub(crate) fields: Vec<Field>,
    pub(crate) focus: usize,
    /// The whole input schema, to tell whether a new `tools/list` changed it.
    pub(crate) schema: Value,
    /// First field row drawn, kept so the focused field stays on screen.
    pub(crate) offset: Cell<usize>,
    /// Where the field rows were last drawn, for mouse clicks.
    pub(crate) rows_area: Cell<Rect>,
}

impl Form {
    pub fn new(input_schema: &Map<String, Value>) -> Self {
        let schema = Value::Object(input_schema.clone());
        let required: Vec<&str> = input_schema
            .get("required")
            .and_then(Value::as_array)
            .map_or_else(Vec::new, |r| r.iter().filter_map(Value::as_str).collect());
        let mut fields = Vec::new();
        match input_schema.get("properties") {
            Some(Value::Object(properties)) => {
                for (name, prop) in properties {
                    fields.push(Field::new(
                        name,
                        prop.clone(),
                        required.contains(&name.as_str()),
                    ));
                }
                // A required name with no property schema still needs a way in.
                for name in required.iter().filter(|n| !properties.contains_key(**n)) {
                    fields.push(Field::new(name, Value::Object(Map::new()), true));
                }
            }
            _ if is_plain_object_schema(input_schema) => {
                for name in &required {
                    fields.push(Field::new(name, Value::Object(Map::new()), true));
                }
            }
            _ => {
                let mut raw = Map::new();
                raw.insert("type".into(), "object".into());
                raw.insert("description".into(), "The schema is not a plain object of properties: type the arguments as one JSON object.".into());
                fields.push(Field::new(RAW_ARGS, Value::Object(raw), false));
            }
        }
        Self {
            fields,
            focus: 0,
            schema,
            offset: Cell::new(0),
            rows_area: Cell::new(Rect::default()),
        }
    }

    pub fn schema(&self) -> &Value {
        &self.schema
    }

    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    pub fn focus(&self) -> usize {
        self.focus
    }

    pub fn set_focus(&mut self, i: usize) {
        if i < self.fields.len() {
            self.focus = i;
        }
    }

    pub fn focused(&self) -> Option<&Field> {
        self.fields.get(self.focus)
    }

    /// Validates every field; the arguments with only the filled fields, or `None` with the
    /// focus on the first invalid field.
    pub fn submit(&mut self) -> Option<Map<String, Value>> {
        let mut args = Map::new();
        let mut first_bad = None;
        for (i, field) in self.fields.iter_mut().enumerate() {
            match field.check(true) {
                Ok(Some(value)) if field.name == RAW_ARGS => {
                    if let Value::Object(map) = value {
                        args.extend(map);
                    }
                }
                Ok(Some(value)) => {
                    args.insert(field.name.clone(), value);
                }
                Ok(None) => {}
                Err(()) => {
                    first_bad.get_or_insert(i);
                }
            }
        }
        match first_bad {
            Some(i) => {
                self.focus = i;
                None
            }
            None => Some(args),
        }
    }

    /// An action on the form (from the keymap's `tools_form` section, which binds only keys
    /// that do not type): run, leave, move between the fields.
    pub fn on_action(&mut self, action: Action) -> FormEvent {
        let n = self.fields.len();
        match action {
            Action::RunTool => return self.run(),
            Action::Back => return FormEvent::Leave,
            Action::FocusNext if n > 0 => self.focus = (self.focus + 1) % n,
            Action::FocusPrev if n > 0 => self.focus = (self.focus + n - 1) % n,
            Action::Down => self.focus = (self.focus + 1).min(n.saturating_sub(1)),
            Action::Up => self.focus = self.focus.saturating_sub(1),
            Action::FocusNext | Action::FocusPrev => {}
            _ => return FormEvent::Ignored,
        }
        FormEvent::Handled
    }

    fn run(&mut self) -> FormEvent {
        match self.submit() {
            Some(args) => FormEvent::Submit(args),
            None => FormEvent::Invalid,
        }
    }

    /// A key no binding claimed, typed into the focused field: a text field's editing, or a
    /// toggle's and a choice's own keys (Space, ← →, h l; Backspace and Delete clear one that
    /// is not required).
    pub fn type_key(&mut self, key: KeyEvent) -> FormEvent {
        if key.kind == KeyEventKind::Release || matches!(key.code, KeyCode::F(_)) {
            return FormEvent::Ignored;
        }
        let Some(field) = self.fields.get_mut(self.focus) else {
            return FormEvent::Ignored;
        };
        if let Input::Text(input) = &mut field.input {
            if !input.handle_key(key) {
                return FormEvent::Handled;
            }
        } else {
            match key.code {
                KeyCode::Char(' ' | 'l') | KeyCode::Right => field.cycle(true),
                KeyCode::Char('h') | KeyCode::Left => field.cycle(false),
                KeyCode::Backspace | KeyCode::Delete if !field.required => field.clear(),
                _ => return FormEvent::Ignored,
            }
        }
        // Live feedback: errors in what was typed, but not yet "required".
        let _ = field.check(false);
        FormEvent::Handled
    }

    /// Rows the form wants at most: one per field, and a blank row and the help of the focused
    /// field while the form has the keyboard.
    pub fn wanted_height(&self, focused: bool) -> u16 {
        let help = if focused { 1 + HELP_ROWS } else { 0 };
        u16::try_from(self.fields.len() + help).unwrap_or(u16::MAX)
    }

    /// Which field (by index) the last render drew at row `y` of the screen, for mouse clicks.
    pub fn field_at(&self, y: u16) -> Option<usize> {
        let rows = self.rows_area.get();
        let row = y.checked_sub(rows.y).filter(|r| *r < rows.height)?;
        Some(self.offset.get() + usize::from(row)).filter(|i| *i < self.fields.len())
    }

    /// Cycles the toggle or choice at `i` (a click on its value).
    pub fn click_value(&mut self, i: usize) {
        if let Some(field) = self.fields.get_mut(i)
            && !matches!(field.input, Input::Text(_))
        {
            field.cycle(true);
            let _ = field.check(false);
        }
    }
}

/// A schema that is an object with no properties and nothing else to say: no fields needed.
fn is_plain_object_schema(schema: &Map<String, Value>) -> bool {
    schema.keys().all(|k| {
        matches!(
            k.as_str(),
            "type"
                | "$schema"
                | "title"
                | "description"
                | "required"
                | "additionalProperties"
                | "$id"
        )
    }) && schema
        .get("additionalProperties")
        .is_none_or(Value::is_boolean)
}
