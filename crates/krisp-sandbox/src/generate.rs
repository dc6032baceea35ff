//! Deterministic generated meetings for scale (`--meetings N --seed S`), realistic for search.
//!
//! Meeting `i` (0-based) is the `i`-th newest: generation walks back in time, so it is also the
//! `i`-th of an unfiltered `search_meetings`. Transcripts are of real length (a turn every 10–30
//! s, from one word to a long paragraph, 2–8 speakers; most meetings 15–60 min, standups from 5
//! min, workshops up to 2.5 h), drawn from the vocabulary of [`super::lexicon`] by rank, so
//! common words are everywhere and most words are rare. What tests and benches can count on:
//!
//! - [`rare_tokens`]: every rare token (company and code names like `Vatorik`, tickets like
//!   `INC-48213`, figures like `$1.2M`) with the meetings that hold it. About one token for every
//!   three meetings; each is put into 1–5 meetings chosen by the seed (1–3 times in the
//!   transcript, sometimes also in the key points or action items) and occurs nowhere else.
//! - [`phrase_meetings`]: the meetings that hold [`PHRASE`] (one in a hundred, at least three);
//!   its words occur everywhere, the phrase nowhere else.
//! - [`processing_meetings`]: meeting 1 and, by the seed, about one in ten of meetings 2–30 are
//!   still processing (no notes, `document: null`). They hold no rare token and no phrase. With
//!   `--ready-after N` each becomes ready, with notes and transcript, once N document requests
//!   have asked for it.
//!
//! The same count and seed give byte-identical data; the dice for content, for rare-token
//! placement and for processing are separate streams, so each is stable on its own.

use std::sync::Arc;

use jiff::{SignedDuration as Duration, Timestamp};

use super::data::{
    Account, ActionItem, Activity, Attendee, Dataset, Meeting, Transcript, Upcoming, iso,
};
use super::lexicon::{CompactTurn, GeneratedTranscript, Lexicon, Writer, overwrite, put_phrase};
pub use super::lexicon::{PHRASE, RareKind};

/// SplitMix64: tiny, fast and stable forever (a `rand` upgrade must not change generated data).
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0); the modulo bias is irrelevant here.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn between(&mut self, low: u32, high: u32) -> u32 {
        low + (self.next_u64() % u64::from(high - low + 1)) as u32
    }

    pub fn chance(&mut self, percent: u32) -> bool {
        self.between(1, 100) <= percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn hex_id(&mut self) -> String {
        format!("{:016x}{:016x}", self.next_u64(), self.next_u64())
    }
}

/// A rare token and the meetings (by index, newest first) that hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RareToken {
    pub token: String,
    pub kind: RareKind,
    pub meetings: Vec<usize>,
}

/// Every rare token of `--meetings count --seed seed`, in the order they were made.
pub fn rare_tokens(count: usize, seed: u64) -> Vec<RareToken> {
    let plan = Plan::new(count, seed);
    let mut tokens: Vec<RareToken> = plan
        .lexicon
        .rare()
        .iter()
        .map(|(token, kind)| RareToken {
            token: token.clone(),
            kind: *kind,
            meetings: Vec::new(),
        })
        .collect();
    for (meeting, rare) in plan.rare.iter().enumerate() {
        for &index in rare {
            tokens[index].meetings.push(meeting);
        }
    }
    tokens
}

/// The meetings (by index) whose transcript holds [`PHRASE`].
pub fn phrase_meetings(count: usize, seed: u64) -> Vec<usize> {
    let plan = Plan::new(count, seed);
    (0..count).filter(|&index| plan.phrase[index]).collect()
}

/// The meetings (by index) still processing when the sandbox starts.
pub fn processing_meetings(count: usize, seed: u64) -> Vec<usize> {
    (0..count)
        .filter(|&index| processing(seed, index))
        .collect()
}

fn processing(seed: u64, index: usize) -> bool {
    index == 1
        || ((2..=30).contains(&index)
            && SplitMix64::new(seed ^ 0x9e0c_e551 ^ ((index as u64) << 32)).below(10) == 0)
}

/// Where rare tokens and the phrase go, decided before any meeting is written.
struct Plan {
    lexicon: Arc<Lexicon>,
    /// Per meeting, the rare tokens (indices into `lexicon.rare()`) it holds.
    rare: Vec<Vec<usize>>,
    phrase: Vec<bool>,
}

impl Plan {
    fn new(count: usize, seed: u64) -> Self {
        let lexicon = Arc::new(Lexicon::new((count / 3).max(8), seed, &fixed_text()));
        let eligible: Vec<usize> = (0..count).filter(|&i| !processing(seed, i)).collect();
        let mut rng = SplitMix64::new(seed ^ 0x4a2e_0001);
        let mut rare = vec![Vec::new(); count];
        for token in 0..lexicon.rare().len() {
            let wanted = (rng.between(1, 5) as usize).min(eligible.len());
            let mut chosen: Vec<usize> = Vec::with_capacity(wanted);
            while chosen.len() < wanted {
                let meeting = *rng.pick(&eligible);
                if !chosen.contains(&meeting) {
                    chosen.push(meeting);
                }
            }
            for meeting in chosen {
                rare[meeting].push(token);
            }
        }
        let mut phrase = vec![false; count];
        let wanted = (count / 100).max(3).min(eligible.len());
        let mut placed = 0;
        while placed < wanted {
            let meeting = *rng.pick(&eligible);
            if !phrase[meeting] {
                phrase[meeting] = true;
                placed += 1;
            }
        }
        Self {
            lexicon,
            rare,
            phrase,
        }
    }
}

/// Everything the generator writes besides drawn words, which no rare token may occur in.
fn fixed_text() -> Vec<&'static str> {
    let mut text: Vec<&'static str> = vec![
        "Maya Okafor maya@northwindlabs.io Engineering standup weekly sync check-in Interview",
        "Company all-hands Sprint planning Design review Zoom meeting Sync: Agreed next steps",
        "Overview Discussion Next steps raised a concern about Follow-up planned in days",
        "Updates on the then open questions Status of the Risks Speaker_ Follow up on",
        "January February March April May June July August September October November December",
        "Download recording Transcript Action Items Key Points Detailed Summary Retrieved document",
        "Not available yet: the meeting is still being processed. Summary ready Action item assigned to you",
        "Workshop: came up in the discussion",
    ];
    for person in TEAM {
        text.push(person.name);
        text.extend(person.email);
    }
    for (company, contacts) in CUSTOMERS {
        text.push(company);
        for person in *contacts {
            text.push(person.name);
            text.extend(person.email);
        }
    }
    text.extend(CANDIDATES);
    text.extend(ROLES);
    text.extend(TOPICS);
    text.extend(TASKS);
    text
}
/// `count` meetings ending just before 2026-11-27, plus upcoming meetings and activities.
pub fn dataset(account: Account, count: usize, seed: u64) -> Dataset {
    let plan = Plan::new(count, seed);
    let mut rng = SplitMix64::new(seed);
    let mut meetings = Vec::with_capacity(count);
    let mut ready_later = Vec::new();
    let mut activities = Vec::with_capacity(count + count / 2);
    let mut when = Timestamp::constant(1_795_712_400, 0); // 2026-11-26T17:00:00Z
    let me = Person {
        name: &account.name,
        email: Some(&account.email),
    };
    for index in 0..count {
        when -= Duration::from_mins(15 * i64::from(rng.between(2, 36)));
        let meeting = meeting(&mut rng, &plan, &me, index, when);
        if processing(seed, index) {
            let mut pending = meeting.clone();
            pending.processing = true;
            pending.summary.clear();
            pending.key_points.clear();
            pending.action_items.clear();
            pending.transcript = Transcript::written(Vec::new());
            activities.extend(activities_for(&mut rng, &pending, &account.name));
            meetings.push(pending.indexed());
            ready_later.push(meeting);
        } else {
            activities.extend(activities_for(&mut rng, &meeting, &account.name));
            meetings.push(meeting);
        }
    }
    let upcoming = upcoming(&mut rng, &me);
    Dataset::new(account, meetings, upcoming, activities).with_ready_later(ready_later)
}

#[derive(Clone, Copy)]
struct Person<'a> {
    name: &'a str,
    email: Option<&'a str>,
}

impl Person<'_> {
    fn attendee(self) -> Attendee {
        match self.email {
            Some(email) => Attendee::Person {
                name: self.name.to_owned(),
                email: email.to_owned(),
            },
            None => Attendee::Name(self.name.to_owned()),
        }
    }
}

const fn p(name: &'static str, email: Option<&'static str>) -> Person<'static> {
    Person { name, email }
}

const TEAM: &[Person<'static>] = &[
    p("Daniel Brooks", Some("daniel@northwindlabs.io")),
    p("José Müller", Some("jose@northwindlabs.io")),
    p("李雷", Some("li.lei@northwindlabs.io")),
    p("Sam Carter", Some("sam@northwindlabs.io")),
    p("Zoë Ødegaard", None),
    p("Amara Nwosu", Some("amara@northwindlabs.io")),
    p("Lukas Novák", Some("lukas@northwindlabs.io")),
    p("Hannah Schmidt", Some("hannah@northwindlabs.io")),
    p("Ravi Menon", None),
    p("Chloé Martin", Some("chloe@northwindlabs.io")),
    p("Kenji Watanabe", Some("kenji@northwindlabs.io")),
    p("Fatima Al-Sayed", Some("fatima@northwindlabs.io")),
];

const CUSTOMERS: &[(&str, &[Person<'static>])] = &[
    (
        "Acme Logistics",
        &[
            p("Priya Shah", Some("priya@acme-logistics.com")),
            p("Tom Becker", Some("tom.becker@acme-logistics.com")),
        ],
    ),
    (
        "Globex Field Services",
        &[
            p("Marta Kowalska", Some("marta.kowalska@globex.example")),
            p("Owen Price", None),
        ],
    ),
    (
        "Initech Utilities",
        &[
            p("Björn Lindqvist", Some("bjorn@initech.io")),
            p("Aisha Bello", Some("aisha.bello@initech.io")),
        ],
    ),
    (
        "Umbrella Facilities",
        &[p("Grace Kim", Some("grace.kim@umbrella-fm.co.uk"))],
    ),
];

const CANDIDATES: &[&str] = &[
    "Noah Fischer",
    "Elena Petrova",
    "Mateo García",
    "Yuki Tanaka",
    "Ingrid Larsen",
    "Kwame Mensah",
];

const ROLES: &[&str] = &[
    "Senior backend engineer",
    "Product designer",
    "Android engineer",
    "Solutions engineer",
];

const TOPICS: &[&str] = &[
    "route optimizer",
    "offline mode",
    "pricing page",
    "onboarding flow",
    "technician app",
    "billing migration",
    "search latency",
    "SSO rollout",
    "data retention policy",
    "mobile release",
];

const TASKS: &[&str] = &[
    "send the revised estimate",
    "write up the decision in the wiki",
    "book a follow-up with the customer",
    "review the pull request",
    "share the dashboard link",
    "draft the release notes",
    "check the on-call rotation",
    "update the pilot contract",
    "run the load test again",
    "collect feedback from the field team",
];

#[derive(Clone, Copy)]
enum Kind {
    Standup,
    OneOnOne,
    Customer,
    Interview,
    AllHands,
    Planning,
    Review,
    Workshop,
    AutoNamed,
}

const KINDS: &[Kind] = &[
    Kind::Standup,
    Kind::Standup,
    Kind::Standup,
    Kind::OneOnOne,
    Kind::OneOnOne,
    Kind::Customer,
    Kind::Customer,
    Kind::Interview,
    Kind::AllHands,
    Kind::Planning,
    Kind::Review,
    Kind::Workshop,
    Kind::AutoNamed,
];

fn meeting(
    rng: &mut SplitMix64,
    plan: &Plan,
    me: &Person,
    index: usize,
    date: Timestamp,
) -> Meeting {
    let kind = *rng.pick(KINDS);
    let topic = *rng.pick(TOPICS);
    let mut people: Vec<Person> = vec![*me];
    let (name, tags, recurring): (String, &[&str], bool) = match kind {
        Kind::Standup => {
            people.extend((0..rng.between(3, 6)).map(|_| *rng.pick(TEAM)));
            (
                "Engineering standup".into(),
                &["engineering", "standup"],
                true,
            )
        }
        Kind::OneOnOne => {
            let other = *rng.pick(TEAM);
            people.push(other);
            (format!("1:1 {} / {}", me.name, other.name), &["1:1"], true)
        }
        Kind::Customer => {
            let (company, contacts) = *rng.pick(CUSTOMERS);
            people.extend(contacts);
            people.push(*rng.pick(TEAM));
            let recurring = rng.chance(50);
            let name = if recurring {
                format!("{company}: weekly sync")
            } else {
                format!("{company}: {topic} check-in")
            };
            (name, &["customer", "sales"], recurring)
        }
        Kind::Interview => {
            let candidate = *rng.pick(CANDIDATES);
            people.push(p(candidate, None));
            people.push(*rng.pick(TEAM));
            let role = *rng.pick(ROLES);
            (
                format!("Interview: {role} ({candidate})"),
                &["hiring", "interview"],
                false,
            )
        }
        Kind::AllHands => {
            people.extend(TEAM);
            ("Company all-hands 🎉".into(), &["all-hands"], true)
        }
        Kind::Planning => {
            people.extend((0..rng.between(2, 5)).map(|_| *rng.pick(TEAM)));
            (
                format!("Sprint {} planning", 40 - index as i64 / 10),
                &["engineering", "planning"],
                false,
            )
        }
        Kind::Review => {
            people.extend((0..rng.between(1, 4)).map(|_| *rng.pick(TEAM)));
            (format!("Design review: {topic}"), &["design"], false)
        }
        Kind::Workshop => {
            people.extend((0..rng.between(3, 7)).map(|_| *rng.pick(TEAM)));
            (format!("Workshop: {topic}"), &["workshop"], false)
        }
        Kind::AutoNamed => {
            people.push(*rng.pick(TEAM));
            (auto_name(date), &[], false)
        }
    };
    people.dedup_by(|a, b| a.name == b.name);
    let mut seen = std::collections::HashSet::new();
    people.retain(|person| seen.insert(person.name));

    let duration_s = match kind {
        Kind::Standup => rng.between(300, 900),
        Kind::AllHands => rng.between(2400, 3600),
        Kind::Workshop => rng.between(5400, 9000),
        _ => rng.between(900, 3600),
    };
    let anonymous = rng.chance(3);
    // Everyone in the room is an attendee; at most eight of them speak.
    let speakers: Vec<String> = if anonymous {
        vec!["Speaker 1".into(), "Speaker 2".into()]
    } else {
        people
            .iter()
            .take(8)
            .map(|person| person.name.to_owned())
            .collect()
    };

    let rare = &plan.rare[index];
    let rare_text = |n: usize| plan.lexicon.rare()[n].0.as_str();
    let (turns, tokens) = transcript(rng, plan, index, duration_s, speakers.len());
    let mut writer = Writer::new(rng);
    let mut action_items: Vec<ActionItem> = (0..writer.rng.between(0, 3))
        .map(|_| {
            let rng = &mut *writer.rng;
            let speaker = rng.below(speakers.len());
            let task = *rng.pick(TASKS);
            let with_placeholder = rng.chance(50);
            ActionItem {
                title: if with_placeholder {
                    format!("{{{{Speaker_{}}}}} to {task}", speaker + 1)
                } else {
                    capitalise(task)
                },
                assignee: (!anonymous && rng.chance(80)).then(|| speakers[speaker].clone()),
                completed: rng.chance(40),
                due_date: rng.chance(50).then(|| {
                    let due = date + Duration::from_hours(24 * i64::from(rng.between(1, 14)));
                    iso(due)[..10].to_owned()
                }),
            }
        })
        .collect();
    if let Some(&first) = rare.first()
        && writer.rng.chance(30)
    {
        action_items.push(ActionItem {
            title: format!("Follow up on {}", rare_text(first)),
            assignee: (!anonymous).then(|| speakers[0].clone()),
            completed: false,
            due_date: None,
        });
    }
    let mut key_points = vec![format!("Agreed next steps for the {topic}")];
    for _ in 0..writer.rng.between(1, 4) {
        key_points.push(writer.sentence(6, 16));
    }
    key_points.push(format!(
        "{} raised a concern about {}",
        speakers[0],
        writer.rng.pick(TOPICS)
    ));
    if let Some(&last) = rare.last()
        && writer.rng.chance(50)
    {
        key_points.push(format!(
            "{} came up in the discussion: {}",
            rare_text(last),
            writer.sentence(4, 10)
        ));
    }
    let summary = format!(
        "#### Overview\nThe group discussed the {topic}. {}\n\n#### Discussion\n- {} gave an update on the {topic}: {}\n- {}\n\n#### Next steps\n- {}",
        writer.sentence(8, 20),
        speakers[0],
        writer.sentence(6, 18).to_lowercase(),
        writer.sentence(8, 24),
        writer.sentence(5, 12),
    );
    Meeting {
        id: rng.hex_id(),
        name,
        date,
        duration_s,
        is_recurring: recurring,
        tags: tags.iter().map(|&tag| tag.to_owned()).collect(),
        attendees: people.iter().map(|person| person.attendee()).collect(),
        speakers,
        agenda: recurring.then(|| format!("Updates on the {topic}, then open questions.")),
        summary,
        key_points,
        action_items,
        processing: false,
        transcript: Transcript::Generated(GeneratedTranscript::new(
            turns,
            tokens,
            plan.lexicon.clone(),
        )),
        overrides: None,
        haystack: String::new(),
    }
    .indexed()
}

/// Turns of 1 to 180 words at about 2.5 words a second with short pauses between, so one every
/// 10–30 s on average; then the meeting's rare tokens and phrase are written over drawn words.
fn transcript(
    rng: &mut SplitMix64,
    plan: &Plan,
    index: usize,
    duration_s: u32,
    speakers: usize,
) -> (Vec<CompactTurn>, Vec<u16>) {
    let mut turns = Vec::with_capacity((duration_s / 18) as usize);
    let mut tokens = Vec::with_capacity(duration_s as usize * 9 / 4);
    let mut writer = Writer::new(rng);
    let mut start_s = 0;
    let mut speaker = 0;
    while start_s < duration_s {
        let words = match writer.rng.below(20) {
            0..=3 => writer.rng.between(1, 4),
            4..=14 => writer.rng.between(5, 40),
            _ => writer.rng.between(41, 180),
        };
        writer.words(words, &mut tokens);
        turns.push(CompactTurn {
            start_s,
            end: tokens.len() as u32,
            speaker: speaker as u8,
        });
        if speakers > 1 {
            speaker = (speaker + 1 + writer.rng.below(speakers - 1)) % speakers;
        }
        start_s += (words * 2 / 5).max(1) + writer.rng.between(1, 4);
    }
    for &rare in &plan.rare[index] {
        for _ in 0..rng.between(1, 3) {
            let at = rng.below(tokens.len());
            overwrite(&mut tokens, at, plan.lexicon.rare_id(rare));
        }
    }
    if plan.phrase[index] {
        // A turn of at least three words; the first turn is made long enough if none is.
        let mut long = turns
            .iter()
            .enumerate()
            .filter(|(n, turn)| turn_len(&turns, *n, turn) >= 3)
            .map(|(n, _)| n)
            .collect::<Vec<_>>();
        if long.is_empty() {
            let extra = 3 - turn_len(&turns, 0, &turns[0]);
            let mut filler = Vec::new();
            Writer::new(rng).words(extra, &mut filler);
            tokens.splice(0..0, filler);
            for turn in &mut turns {
                turn.end += extra;
            }
            long.push(0);
        }
        let turn = *rng.pick(&long);
        let start = turn.checked_sub(1).map_or(0, |p| turns[p].end) as usize;
        let len = turn_len(&turns, turn, &turns[turn]) as usize;
        put_phrase(&mut tokens, start + rng.below(len - 2));
    }
    (turns, tokens)
}

fn turn_len(turns: &[CompactTurn], n: usize, turn: &CompactTurn) -> u32 {
    turn.end - n.checked_sub(1).map_or(0, |p| turns[p].end)
}

fn activities_for(rng: &mut SplitMix64, meeting: &Meeting, me: &str) -> Vec<Activity> {
    let done = meeting.date + Duration::from_secs(i64::from(meeting.duration_s) + 240);
    let mut out = Vec::with_capacity(2);
    if !meeting.processing {
        out.push(Activity {
            id: rng.hex_id(),
            created_at: done,
            kind: "summary_ready".into(),
            title: format!("Summary ready: {}", meeting.name),
            meeting_id: meeting.id.clone(),
        });
    }
    if let Some(item) = meeting
        .action_items
        .iter()
        .find(|item| item.assignee.as_deref() == Some(me))
    {
        out.push(Activity {
            id: rng.hex_id(),
            created_at: done + Duration::from_secs(30),
            kind: "action_item_assigned".into(),
            title: format!(
                "Action item assigned to you: {}",
                meeting.render_placeholders(&item.title)
            ),
            meeting_id: meeting.id.clone(),
        });
    }
    out
}

fn upcoming(rng: &mut SplitMix64, me: &Person) -> Vec<Upcoming> {
    let mut start = Timestamp::constant(1_795_768_200, 0); // 2026-11-27T08:30:00Z
    (0..8)
        .map(|_| {
            start += Duration::from_mins(30 * i64::from(rng.between(4, 30)));
            let topic = rng.pick(TOPICS);
            let other = *rng.pick(TEAM);
            Upcoming {
                id: rng.hex_id(),
                name: format!("Sync: {topic}"),
                start,
                attendees: vec![me.attendee(), other.attendee()],
                agenda: format!("1. Status of the {topic}\n2. Risks\n3. Next steps"),
            }
        })
        .collect()
}

/// Krisp's auto-generated names: `10:30 AM - Zoom meeting January 15`.
fn auto_name(date: Timestamp) -> String {
    let date = super::data::utc(date);
    let (hour, minute) = (date.hour(), date.minute());
    let (twelve, half) = match hour {
        0 => (12, "AM"),
        1..=11 => (hour, "AM"),
        12 => (12, "PM"),
        _ => (hour - 12, "PM"),
    };
    format!(
        "{twelve}:{minute:02} {half} - Zoom meeting {} {}",
        date.strftime("%B"),
        date.day()
    )
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::TextQuery;

    fn account() -> Account {
        Account {
            name: "Maya Okafor".into(),
            email: "maya@northwindlabs.io".into(),
            timezone: "Europe/Berlin".into(),
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_meetings() {
        let a = dataset(account(), 50, 7);
        let b = dataset(account(), 50, 7);
        let c = dataset(account(), 50, 8);
        let ids = |d: &Dataset| {
            d.meetings()
                .iter()
                .map(|m| m.id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&a), ids(&b));
        assert_ne!(ids(&a), ids(&c));
        assert_eq!(a.meetings().len(), 50);
    }

    fn plain(data: &Dataset) -> Vec<String> {
        data.meetings()
            .iter()
            .map(|m| {
                let turns: Vec<String> = m
                    .transcript
                    .turns(&m.speakers)
                    .map(|(speaker, start, text)| format!("{speaker}|{start}|{text}"))
                    .collect();
                format!(
                    "{} {} {} {:?} {:?} {:?}\n{}",
                    m.id,
                    m.name,
                    m.summary,
                    m.key_points,
                    m.action_items,
                    m.processing,
                    turns.join("\n")
                )
            })
            .collect()
    }

    #[test]
    fn the_same_seed_gives_byte_identical_data() {
        let a = plain(&dataset(account(), 60, 7));
        assert_eq!(a, plain(&dataset(account(), 60, 7)));
        assert_ne!(a, plain(&dataset(account(), 60, 8)));
    }

    fn search(data: &Dataset, text: &str) -> Vec<usize> {
        let query = TextQuery::new(text);
        data.meetings()
            .iter()
            .enumerate()
            .filter(|(_, m)| m.matches(&query))
            .map(|(n, _)| n)
            .collect()
    }

    #[test]
    fn rare_tokens_and_the_phrase_are_exactly_where_they_are_said_to_be() {
        let (count, seed) = (300, 11);
        let data = dataset(account(), count, seed);
        let tokens = rare_tokens(count, seed);
        assert_eq!(tokens.len(), 100);
        for kind in [
            RareKind::Company,
            RareKind::CodeName,
            RareKind::Ticket,
            RareKind::Figure,
        ] {
            assert!(tokens.iter().any(|t| t.kind == kind), "{kind:?}");
        }
        for token in &tokens {
            let mut expected = token.meetings.clone();
            expected.sort_unstable();
            assert!((1..=5).contains(&expected.len()), "{token:?}");
            assert_eq!(search(&data, &token.token), expected, "{token:?}");
        }
        let phrase = phrase_meetings(count, seed);
        assert_eq!(phrase.len(), 3);
        assert_eq!(search(&data, PHRASE), phrase);
        // Its words alone are common.
        assert!(search(&data, "renewal").len() > 30);
        assert!(search(&data, "the").len() > count - 10);
    }

    #[test]
    fn transcript_search_agrees_with_scanning_the_text() {
        let data = dataset(account(), 80, 2);
        for query in [
            "we need to",
            "team. ",
            "ing the",
            "$1",
            "inc-",
            "xyzzy",
            "...",
        ] {
            let scanned: Vec<usize> = data
                .meetings()
                .iter()
                .enumerate()
                .filter(|(_, m)| {
                    let text: Vec<String> = m
                        .transcript
                        .turns(&m.speakers)
                        .map(|(_, _, text)| text.to_lowercase())
                        .collect();
                    m.haystack.contains(query) || text.join("\n").contains(query)
                })
                .map(|(n, _)| n)
                .collect();
            assert_eq!(search(&data, query), scanned, "{query:?}");
        }
    }

    #[test]
    fn meetings_look_like_real_ones() {
        let data = dataset(account(), 400, 3);
        let processing = processing_meetings(400, 3);
        assert_eq!(processing.first(), Some(&1));
        let mut words = 0;
        let mut short = 0;
        let mut long = 0;
        for (n, m) in data.meetings().iter().enumerate() {
            assert_eq!(m.processing, processing.contains(&n), "meeting {n}");
            assert!((2..=8).contains(&m.speakers.len()), "{}", m.name);
            short += usize::from(m.duration_s < 900);
            long += usize::from(m.duration_s >= 5400);
            if m.processing {
                assert!(m.transcript.is_empty() && m.summary.is_empty());
                continue;
            }
            let turns: Vec<_> = m.transcript.turns(&m.speakers).collect();
            let per_turn = m.duration_s as usize / turns.len();
            assert!((8..=35).contains(&per_turn), "{} s a turn", per_turn);
            words += turns
                .iter()
                .map(|(_, _, text)| text.split(' ').count())
                .sum::<usize>();
        }
        assert!(short > 40 && long > 10, "{short} short, {long} long");
        let per_meeting = words / data.meetings().len();
        assert!((2000..7000).contains(&per_meeting), "{per_meeting} words");
    }

    #[test]
    fn auto_names_look_like_krisp_ones() {
        assert_eq!(
            auto_name("2026-01-15T10:30:00Z".parse().unwrap()),
            "10:30 AM - Zoom meeting January 15"
        );
        assert_eq!(
            auto_name("2026-01-15T00:05:00Z".parse().unwrap()),
            "12:05 AM - Zoom meeting January 15"
        );
    }
}
