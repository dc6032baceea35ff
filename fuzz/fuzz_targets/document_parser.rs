//! Fuzzes the Markdown document parsers and, on what they return, every exporter.
#![no_main]

use krisp_model::{export, krisp};

use export::{Format, render};
use krisp::{Document, Meeting, MeetingId, parse_documents_result, parse_search_result};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let id = MeetingId("0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e".to_owned());
    let document = Document::parse(id.clone(), Some(&text));
    let _ = parse_documents_result(None, &[&text]);
    let meetings = parse_search_result(None, &[&text]).unwrap_or_default();
    let meeting = meetings.into_iter().next().unwrap_or_else(|| Meeting::new(id, "fuzz"));
    for format in Format::ALL {
        let _ = render(format, &meeting, Some(&document), &krisp_model::timefmt::TimeZone::UTC);
    }
});
