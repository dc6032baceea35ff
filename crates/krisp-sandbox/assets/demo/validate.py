#!/usr/bin/env python3
"""Validate the krisp-tui demo data set (crates/krisp-sandbox/assets/demo/*.json).

Usage: python3 crates/krisp-sandbox/assets/demo/validate.py [--partial]

--partial skips the "required variety" checks (useful while the data set is incomplete).
Exit status 0 when everything checks out, 1 otherwise.
"""
import json, os, re, sys
from collections import Counter
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
HEX32 = re.compile(r"^[0-9a-f]{32}$")
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
TS = re.compile(r"^(?:(\d+):)?([0-5]\d):([0-5]\d)$")
PH = re.compile(r"\{\{Speaker_(\d+)\}\}")
KINDS = {"meeting_processed", "action_item_assigned", "action_item_completed", "summary_ready", "shared"}
REQ = ["id", "name", "date", "duration_s", "is_recurring", "tags", "attendees", "speakers",
       "detailed_summary", "key_points", "action_items", "processing", "transcript"]
OPT = ["agenda"]

errors = []
def err(where, msg):
    errors.append(f"{where}: {msg}")

def load(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        return json.load(f)

def parse_iso(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)

def ts_seconds(s):
    m = TS.match(s)
    if not m:
        return None
    h = int(m.group(1) or 0)
    if m.group(1) is not None and (m.group(1).startswith("0") or h == 0):
        return None  # hour form is H:MM:SS with H >= 1
    return h * 3600 + int(m.group(2)) * 60 + int(m.group(3))

def check_attendees(where, att):
    if not isinstance(att, list) or not att:
        err(where, "attendees must be a non-empty array")
        return
    for a in att:
        if isinstance(a, str):
            if not a.strip():
                err(where, "empty attendee string")
        elif isinstance(a, dict):
            if set(a) != {"name", "email"} or not all(isinstance(a[k], str) for k in a) or "@" not in a["email"]:
                err(where, f"bad attendee object {a}")
        else:
            err(where, f"bad attendee {a!r}")

def main():
    partial = "--partial" in sys.argv
    ids = Counter()

    acct = load("account.json")
    if set(acct) != {"name", "email", "timezone"} or not all(isinstance(v, str) for v in acct.values()):
        err("account.json", "keys must be exactly name, email, timezone (strings)")

    meetings = load("meetings.json")
    if not isinstance(meetings, list):
        err("meetings.json", "not an array"); meetings = []
    lo, hi = parse_iso("2026-09-20T00:00:00Z"), parse_iso("2026-11-26T00:00:00Z")
    for i, m in enumerate(meetings):
        w = f"meetings[{i}] {m.get('name')!r}"
        keys = set(m)
        missing = [k for k in REQ if k not in keys]
        extra = keys - set(REQ) - set(OPT)
        if missing: err(w, f"missing keys {missing}")
        if extra: err(w, f"unexpected keys {sorted(extra)}")
        if missing: continue
        ids[m["id"]] += 1
        if not isinstance(m["id"], str) or not HEX32.match(m["id"]): err(w, "id not 32 lowercase hex")
        if not isinstance(m["name"], str) or not m["name"]: err(w, "name")
        if not isinstance(m["date"], str) or not ISO.match(m["date"]):
            err(w, "date not ISO UTC"); continue
        d = parse_iso(m["date"])
        if not lo <= d < hi: err(w, f"date {m['date']} outside 2026-09-20..2026-11-25")
        if type(m["duration_s"]) is not int or m["duration_s"] <= 0: err(w, "duration_s not positive int")
        if type(m["is_recurring"]) is not bool: err(w, "is_recurring not bool")
        if type(m["processing"]) is not bool: err(w, "processing not bool")
        if not isinstance(m["tags"], list) or not all(isinstance(t, str) and t for t in m["tags"]): err(w, "tags")
        check_attendees(w, m["attendees"])
        sp = m["speakers"]
        if not isinstance(sp, list) or not all(isinstance(s, str) and s for s in sp) or len(set(sp)) != len(sp):
            err(w, "speakers must be unique non-empty strings"); sp = []
        if "agenda" in m and (not isinstance(m["agenda"], str) or not m["agenda"].strip()): err(w, "agenda")
        if not isinstance(m["detailed_summary"], str): err(w, "detailed_summary")
        if not isinstance(m["key_points"], list) or not all(isinstance(k, str) and k for k in m["key_points"]): err(w, "key_points")
        ais = m["action_items"] if isinstance(m["action_items"], list) else []
        for j, a in enumerate(ais):
            aw = f"{w} action_items[{j}]"
            if not isinstance(a, dict) or not {"title", "assignee", "completed"} <= set(a) or set(a) - {"title", "assignee", "completed", "due_date"}:
                err(aw, f"bad keys {a}"); continue
            if not isinstance(a["title"], str) or not a["title"]: err(aw, "title")
            if a["assignee"] is not None and not isinstance(a["assignee"], str): err(aw, "assignee")
            if type(a["completed"]) is not bool: err(aw, "completed")
            if "due_date" in a:
                try: datetime.strptime(a["due_date"], "%Y-%m-%d")
                except Exception: err(aw, "due_date")
            for n in PH.findall(a["title"]):
                if not 1 <= int(n) <= len(sp): err(aw, f"{{{{Speaker_{n}}}}} out of range (1..{len(sp)})")
            if "{{" in PH.sub("", a["title"]): err(aw, "malformed placeholder")
        tr = m["transcript"] if isinstance(m["transcript"], list) else []
        if m["processing"]:
            if tr or m["detailed_summary"] or m["key_points"] or ais:
                err(w, "processing meeting must have empty transcript/summary/key points/action items")
        else:
            if not tr: err(w, "empty transcript")
            if not m["detailed_summary"].strip() or "####" not in m["detailed_summary"]: err(w, "summary needs #### sub-headings")
        prev = -1
        seen = []
        for j, t in enumerate(tr):
            tw = f"{w} transcript[{j}]"
            if not isinstance(t, dict) or set(t) != {"speaker", "start", "text"}:
                err(tw, "keys must be speaker,start,text"); continue
            s = ts_seconds(t["start"]) if isinstance(t["start"], str) else None
            if s is None: err(tw, f"bad start {t['start']!r}"); continue
            if j == 0 and s != 0: err(tw, "first turn must start at 00:00")
            if s >= 3600 and t["start"].count(":") != 2: err(tw, "H:MM:SS expected from one hour on")
            if s < 3600 and t["start"].count(":") != 1: err(tw, "MM:SS expected below one hour")
            if s <= prev: err(tw, f"start {t['start']} not strictly increasing")
            if s >= m["duration_s"]: err(tw, f"start {t['start']} beyond duration")
            prev = s
            if t["speaker"] not in sp: err(tw, f"speaker {t['speaker']!r} not in speakers")
            if t["speaker"] not in seen: seen.append(t["speaker"])
            if not isinstance(t["text"], str) or not t["text"].strip(): err(tw, "empty text")
        if tr and seen != sp[:len(seen)]:
            err(w, "speakers not in order of first speaking")

    upcoming = load("upcoming.json") if os.path.exists(os.path.join(HERE, "upcoming.json")) else None
    if upcoming is not None:
        ulo, uhi = parse_iso("2026-11-27T00:00:00Z"), parse_iso("2026-12-09T00:00:00Z")
        for i, u in enumerate(upcoming):
            w = f"upcoming[{i}]"
            if set(u) != {"id", "name", "start", "attendees", "agenda"}: err(w, f"keys {sorted(u)}"); continue
            ids[u["id"]] += 1
            if not HEX32.match(u["id"]): err(w, "id")
            if not ISO.match(u["start"]) or not ulo <= parse_iso(u["start"]) < uhi: err(w, "start")
            check_attendees(w, u["attendees"])
            if not isinstance(u["agenda"], str) or not u["agenda"].strip(): err(w, "agenda")
        if not partial and not 6 <= len(upcoming) <= 10: err("upcoming.json", f"{len(upcoming)} items, want 6-10")

    mids = {m.get("id") for m in meetings}
    acts = load("activities.json") if os.path.exists(os.path.join(HERE, "activities.json")) else None
    if acts is not None:
        prev = None
        for i, a in enumerate(acts):
            w = f"activities[{i}]"
            if set(a) != {"id", "created_at", "kind", "title", "meeting_id"}: err(w, f"keys {sorted(a)}"); continue
            ids[a["id"]] += 1
            if not HEX32.match(a["id"]): err(w, "id")
            if a["kind"] not in KINDS: err(w, f"kind {a['kind']}")
            if a["meeting_id"] not in mids: err(w, "meeting_id not in meetings.json")
            if not ISO.match(a["created_at"]): err(w, "created_at"); continue
            if prev and a["created_at"] > prev: err(w, "not newest first")
            prev = a["created_at"]
        if not partial and not 25 <= len(acts) <= 40: err("activities.json", f"{len(acts)} items, want 25-40")

    for k, n in ids.items():
        if n > 1: err("ids", f"{k} used {n} times")

    if not partial:
        if upcoming is None: err("upcoming.json", "missing")
        if acts is None: err("activities.json", "missing")
        if len(meetings) < 32: err("variety", f"{len(meetings)} meetings, want >= 32")
        names = Counter(m["name"] for m in meetings)
        if not any(n >= 5 and all(m["is_recurring"] for m in meetings if m["name"] == nm) for nm, n in names.items()):
            err("variety", "no recurring series with >= 5 occurrences")
        roadmap = [m for m in meetings if m["name"] == "Q4 roadmap review"]
        if len(roadmap) != 1: err("variety", "need exactly one 'Q4 roadmap review'")
        else:
            txt = " ".join(t["text"] for t in roadmap[0]["transcript"]).lower()
            if "roadmap" not in txt or "pricing" not in txt: err("variety", "roadmap review transcript lacks roadmap/pricing")
        longest = max(meetings, key=lambda m: m["duration_s"])
        if longest["duration_s"] <= 7200 or len(longest["transcript"]) < 150 or \
                ts_seconds(longest["transcript"][-1]["start"]) <= 7200:
            err("variety", "need a > 2 h meeting with >= 150 turns running past 2:00:00")
        if sum(m["duration_s"] > 7200 for m in meetings) != 1: err("variety", "exactly one meeting > 2 h expected")
        for nm in ["José Müller", "Zoë Ødegaard", "李雷"]:
            n_sp = sum(nm in m["speakers"] for m in meetings)
            n_at = sum(any((a if isinstance(a, str) else a["name"]) == nm for a in m["attendees"]) for m in meetings)
            if n_sp < 3 or n_at < 3: err("variety", f"{nm}: speaker in {n_sp}, attendee in {n_at} meetings (want >= 3)")
        if not any(set(m["speakers"]) == {"Speaker 1", "Speaker 2"} for m in meetings):
            err("variety", "no meeting with only Speaker 1 / Speaker 2")
        if sum(m["processing"] for m in meetings) != 1: err("variety", "exactly one processing meeting expected")
        blob = json.dumps(meetings, ensure_ascii=False)
        for e in "🎉🚀✅":
            if e not in blob: err("variety", f"emoji {e} missing")
        tags = Counter(t for m in meetings for t in m["tags"])
        for t in ["customer", "hiring", "engineering", "1:1", "all-hands", "sales"]:
            if not tags[t]: err("variety", f"tag {t!r} unused")
        if sum("hiring" in m["tags"] and "interview" in m["tags"] for m in meetings) < 2:
            err("variety", "want two hiring interviews (tags hiring + interview)")
        ext = [m for m in meetings if "customer" in m["tags"] and any(
            isinstance(a, dict) and not a["email"].endswith("@northwindlabs.io") for a in m["attendees"])]
        if len(ext) < 2: err("variety", "want customer calls with external attendees")
        if not any(re.match(r"^\d{1,2}:\d{2} [AP]M - \w+( \w+)? meeting \w+ \d{1,2}$", m["name"]) for m in meetings):
            err("variety", "no auto-named meeting")
        if not any(PH.search(a["title"]) for m in meetings for a in m["action_items"]): err("variety", "no {{Speaker_N}}")
        if os.path.getsize(os.path.join(HERE, "meetings.json")) > 2_000_000: err("size", "meetings.json > 2 MB")
        # Search anchor used by tests: the codename "Halcyon" occurs in exactly one meeting, and
        # only in its transcript (not in name, agenda, notes, upcoming or activities).
        anchor = "halcyon"
        in_tr = [m["name"] for m in meetings if any(anchor in t["text"].lower() for t in m["transcript"])]
        if len(in_tr) != 1: err("anchor", f"'Halcyon' in transcripts of {in_tr}, want exactly one")
        for m in meetings:
            rest = json.dumps({k: v for k, v in m.items() if k != "transcript"}, ensure_ascii=False).lower()
            if anchor in rest: err("anchor", f"'Halcyon' outside a transcript in {m['name']!r}")
        if anchor in json.dumps([upcoming, acts], ensure_ascii=False).lower():
            err("anchor", "'Halcyon' in upcoming/activities")

    for e in errors:
        print("ERROR", e)
    n_turns = sum(len(m.get("transcript", [])) for m in meetings)
    print(f"{len(meetings)} meetings, {n_turns} turns, {len(upcoming or [])} upcoming, "
          f"{len(acts or [])} activities: {'FAIL' if errors else 'OK'}")
    return 1 if errors else 0

if __name__ == "__main__":
    sys.exit(main())
