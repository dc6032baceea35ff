//! Fuzzes the structuredContent parsers (search results, documents, single meetings).
#![no_main]

use krisp_model::{export, krisp};

use export::{Format, render};
use krisp::{Meeting, parse_documents_result, parse_search_result};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let _ = parse_documents_result(Some(&value), &[]);
    let _ = Meeting::from_value(&value);
    if let Ok(meetings) = parse_search_result(Some(&value), &[]) {
        for meeting in &meetings {
            for item in &meeting.action_items {
                let _ = meeting.display_text(item);
            }
            let _ = meeting.people();
            for format in Format::ALL {
                let _ = render(format, meeting, None, &krisp_model::timefmt::TimeZone::UTC);
            }
        }
    }
});
