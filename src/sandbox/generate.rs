//! Deterministic generated meetings for scale (`--meetings N --seed S`), with compact transcripts.
//!
//! Transcripts are stored as phrase numbers (8 bytes a turn) into [`PHRASES`], so 10,000 meetings
//! take a few tens of megabytes and build in well under a second, and a transcript text search is
//! one bit test per meeting: the phrases containing the query are found once per search.

use std::sync::LazyLock;

use time::{Duration, OffsetDateTime, macros::datetime};

use super::data::{
    Account, ActionItem, Activity, Attendee, Dataset, Meeting, Transcript, Upcoming, iso,
};

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

/// A generated turn: who spoke, when, and which phrase they said.
#[derive(Debug, Clone, Copy)]
pub struct CompactTurn {
    pub start_s: u32,
    pub phrase: u16,
    pub speaker: u8,
}

const MASK_WORDS: usize = PHRASES.len().div_ceil(64);

/// A set of phrase numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PhraseMask([u64; MASK_WORDS]);

impl PhraseMask {
    fn insert(&mut self, phrase: u16) {
        let phrase = usize::from(phrase);
        self.0[phrase / 64] |= 1 << (phrase % 64);
    }

    pub fn intersects(&self, other: &Self) -> bool {
        self.0.iter().zip(&other.0).any(|(a, b)| a & b != 0)
    }
}

pub fn phrase(number: u16) -> &'static str {
    PHRASES.get(usize::from(number)).copied().unwrap_or("")
}

/// The phrases whose lowercase text contains `needle` (already lowercase).
pub fn phrases_containing(needle: &str) -> PhraseMask {
    static LOWERCASE: LazyLock<Vec<String>> =
        LazyLock::new(|| PHRASES.iter().map(|p| p.to_lowercase()).collect());
    let mut mask = PhraseMask::default();
    for (number, text) in (0u16..).zip(LOWERCASE.iter()) {
        if text.contains(needle) {
            mask.insert(number);
        }
    }
    mask
}

/// `count` meetings ending just before 2026-11-27, plus upcoming meetings and activities.
pub fn dataset(account: Account, count: usize, seed: u64) -> Dataset {
    let mut rng = SplitMix64::new(seed);
    let mut meetings = Vec::with_capacity(count);
    let mut activities = Vec::with_capacity(count + count / 2);
    let mut when = datetime!(2026-11-26 17:00 UTC);
    let me = Person {
        name: &account.name,
        email: Some(&account.email),
    };
    for index in 0..count {
        when -= Duration::minutes(15 * i64::from(rng.between(2, 36)));
        let meeting = meeting(&mut rng, &me, index, when);
        activities.extend(activities_for(&mut rng, &meeting, &account.name));
        meetings.push(meeting);
    }
    let upcoming = upcoming(&mut rng, &me);
    Dataset::new(account, meetings, upcoming, activities)
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
    Kind::AutoNamed,
];

fn meeting(rng: &mut SplitMix64, me: &Person, index: usize, date: OffsetDateTime) -> Meeting {
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
        Kind::AutoNamed => {
            people.push(*rng.pick(TEAM));
            (auto_name(date), &[], false)
        }
    };
    people.dedup_by(|a, b| a.name == b.name);
    let mut seen = std::collections::HashSet::new();
    people.retain(|person| seen.insert(person.name));

    let long = rng.chance(1);
    let duration_s = if long {
        rng.between(7200, 10_800)
    } else {
        match kind {
            Kind::Standup => rng.between(300, 1200),
            Kind::AllHands => rng.between(2400, 3600),
            _ => rng.between(900, 3300),
        }
    };
    let anonymous = rng.chance(3);
    let speakers: Vec<String> = if anonymous {
        vec!["Speaker 1".into(), "Speaker 2".into()]
    } else {
        people.iter().map(|person| person.name.to_owned()).collect()
    };
    let processing = index > 0 && rng.below(500) == 0;

    let (turns, phrases) = transcript(rng, duration_s, speakers.len());
    let action_items = (0..rng.between(0, 3))
        .map(|_| {
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
                    let due = date + Duration::days(i64::from(rng.between(1, 14)));
                    iso(due)[..10].to_owned()
                }),
            }
        })
        .collect();
    let key_points = vec![
        format!("Agreed next steps for the {topic}"),
        format!(
            "{} raised a concern about {}",
            speakers[0],
            rng.pick(TOPICS)
        ),
        format!("Follow-up planned in {} days", rng.between(2, 10)),
    ];
    let summary = format!(
        "#### Overview\nThe group discussed the {topic}.\n\n#### Discussion\n- {} gave an update on the {topic}.\n- Open questions about the {} remain.\n\n#### Next steps\n- Revisit in the next meeting.",
        speakers[0],
        rng.pick(TOPICS)
    );
    let mut meeting = Meeting {
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
        transcript: Transcript::Generated { turns, phrases },
        overrides: None,
        haystack: String::new(),
    };
    if processing {
        meeting.processing = true;
        meeting.summary.clear();
        meeting.key_points.clear();
        meeting.action_items.clear();
        meeting.transcript = Transcript::written(Vec::new());
    }
    meeting.indexed()
}

fn transcript(
    rng: &mut SplitMix64,
    duration_s: u32,
    speakers: usize,
) -> (Vec<CompactTurn>, PhraseMask) {
    let mut turns = Vec::with_capacity((duration_s / 25) as usize);
    let mut mask = PhraseMask::default();
    let mut start_s = 0;
    let mut speaker = 0;
    while start_s < duration_s {
        let phrase = rng.below(PHRASES.len()) as u16;
        mask.insert(phrase);
        turns.push(CompactTurn {
            start_s,
            phrase,
            speaker: speaker as u8,
        });
        if speakers > 1 {
            speaker = (speaker + 1 + rng.below(speakers - 1)) % speakers;
        }
        start_s += rng.between(8, 70);
    }
    (turns, mask)
}

fn activities_for(rng: &mut SplitMix64, meeting: &Meeting, me: &str) -> Vec<Activity> {
    let done = meeting.date + Duration::seconds(i64::from(meeting.duration_s) + 240);
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
            created_at: done + Duration::seconds(30),
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
    let mut start = datetime!(2026-11-27 08:30 UTC);
    (0..8)
        .map(|_| {
            start += Duration::minutes(30 * i64::from(rng.between(4, 30)));
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
fn auto_name(date: OffsetDateTime) -> String {
    let (hour, minute) = (date.hour(), date.minute());
    let (twelve, half) = match hour {
        0 => (12, "AM"),
        1..=11 => (hour, "AM"),
        12 => (12, "PM"),
        _ => (hour - 12, "PM"),
    };
    format!(
        "{twelve}:{minute:02} {half} - Zoom meeting {} {}",
        date.month(),
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

/// What people say in generated meetings.
pub const PHRASES: &[&str] = &[
    "Morning everyone, let's get started.",
    "Can everyone hear me okay?",
    "I think we can keep this one short today.",
    "Quick update from my side: the migration finished overnight.",
    "I'm still blocked on the staging credentials.",
    "The roadmap for next quarter is mostly settled.",
    "We should revisit the pricing tiers before the launch.",
    "Customers keep asking about offline support.",
    "The route optimizer is about thirty percent faster now.",
    "Let's take that offline, it's a bigger discussion.",
    "Does anyone have objections to shipping on Thursday?",
    "I'll write up a proposal and share it in the channel.",
    "The onboarding flow still loses people at the second step.",
    "Latency on the search endpoint spiked again yesterday.",
    "We need a decision on the data retention policy.",
    "Legal wants another look at the contract wording.",
    "The Android build is green, iOS is still flaky.",
    "I paired with the field team on Tuesday, very useful.",
    "Their dispatchers love the new map view.",
    "The billing migration is on track for the end of the month.",
    "Can we get a demo of that next week?",
    "I don't think the estimate includes testing.",
    "Let's timebox the spike to two days.",
    "Who's on call this weekend?",
    "The incident review is scheduled for Friday.",
    "We shipped the fix, error rates are back to normal.",
    "Honestly I'd rather cut scope than slip the date.",
    "That sounds reasonable to me.",
    "Could you share your screen?",
    "Sorry, I was on mute.",
    "Let me pull up the dashboard.",
    "The numbers look better than last month.",
    "Churn went down slightly after the pricing change.",
    "Support tickets about sync errors doubled.",
    "We should add that to the retro.",
    "I'll follow up with them by email.",
    "The pilot with the utilities customer starts in December.",
    "Their IT team needs SSO before they can roll it out.",
    "We can support SAML, OIDC is a bit further out.",
    "What's the timeline on your side?",
    "We were hoping to go live before the holidays.",
    "That's tight but doable if we freeze scope now.",
    "I'd like to see the design before we commit.",
    "The mockups are in Figma, I'll drop the link.",
    "Accessibility review flagged the colour contrast.",
    "Let's make sure the empty states are handled.",
    "Great work on the release, everyone 🚀",
    "Tell me about a project you're proud of.",
    "How would you design a rate limiter?",
    "What would you do differently next time?",
    "Walk me through how you'd debug that.",
    "Do you have any questions for us?",
    "The team is about twelve people across three time zones.",
    "We do code review on every change, no exceptions.",
    "Interesting, can you say more about that?",
    "I think we're aligned on the goals.",
    "The open question is who owns the integration.",
    "Let's park that and come back to it.",
    "We're ten minutes over, let's wrap up.",
    "Thanks all, talk tomorrow.",
    "Action item for me: update the ticket.",
    "Can someone take notes?",
    "Krisp is recording this, notes will be shared.",
    "The load test hit the Maps API quota again.",
    "We asked for a separate key for testing.",
    "The cache cut cold runs from forty seconds to eleven.",
    "Time windows are the next hard constraint.",
    "Offline queue works on Android, iOS next.",
    "The Postgres upgrade needs a maintenance window.",
    "We'll do it Sunday morning when traffic is lowest.",
    "Did the customer sign the renewal?",
    "They want a discount for a two year commitment.",
    "I'd push back on anything above fifteen percent.",
    "The sales pipeline looks healthy for Q1.",
    "Marketing wants a case study from the pilot.",
    "Let's not promise features we haven't scoped.",
    "The hiring plan has two backend roles open.",
    "We're interviewing four candidates this week.",
    "Her take-home was one of the best I've seen.",
    "I'm a strong yes on this candidate.",
    "I'm leaning no, the system design was shaky.",
    "Let's sync with the recruiter after the debrief.",
    "The all-hands deck is due Wednesday.",
    "We hit our revenue target for the quarter 🎉",
    "Headcount stays flat until the next board meeting.",
    "Remember to submit your expenses by Friday.",
    "The office will be closed on the 24th.",
    "Please fill in the engagement survey.",
    "I'll send the calendar invite right after this.",
    "Is the recording going to be shared with the customer?",
    "Only the summary, not the full transcript.",
    "Perfect, that's all I needed.",
    "Let's do a quick round of blockers.",
    "No blockers from me.",
    "Same here, all good.",
    "I need a review on the API change.",
    "The docs are out of date again.",
    "Who owns the technician app release notes?",
    "The beta group has forty dispatchers now.",
    "Feedback so far has been mostly positive.",
    "Two customers reported the same crash on login.",
    "We reproduced it, it's a token refresh race.",
    "The fix is small but needs a careful rollout.",
    "Let's feature-flag it and ramp over a week.",
    "Any last questions before we close?",
    "Okay, thanks everyone ✅",
];

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn phrase_search_finds_the_turns_that_say_it() {
        let mask = phrases_containing("roadmap");
        let expected: Vec<u16> = (0u16..)
            .zip(PHRASES)
            .filter(|(_, p)| p.to_lowercase().contains("roadmap"))
            .map(|(n, _)| n)
            .collect();
        assert!(!expected.is_empty());
        for n in 0..PHRASES.len() as u16 {
            let mut one = PhraseMask::default();
            one.insert(n);
            assert_eq!(mask.intersects(&one), expected.contains(&n), "phrase {n}");
        }
    }

    #[test]
    fn auto_names_look_like_krisp_ones() {
        assert_eq!(
            auto_name(datetime!(2026-01-15 10:30 UTC)),
            "10:30 AM - Zoom meeting January 15"
        );
        assert_eq!(
            auto_name(datetime!(2026-01-15 00:05 UTC)),
            "12:05 AM - Zoom meeting January 15"
        );
    }
}
