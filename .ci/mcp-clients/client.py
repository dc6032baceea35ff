"""krisp-tui mcp checked by the official MCP Python SDK's client, over stdio, on a store synced
from the sandbox. The SDK validates every structuredContent against the tool's outputSchema.

Usage: python client.py KRISP_TUI SERVER_URL DATA_DIR. Prints PASS/FAIL lines; exit 1 on a FAIL.
"""

import asyncio
import json
import sys

from mcp import ClientSession, StdioServerParameters, stdio_client

CAP = 40_000
RARE_WORD, RARE_MEETING, RARE_TIME = "halcyon", "64ddb420ca7356bfa579811c7a71f56a", "05:24"
LONG_MEETING, LONG_TURNS = "e68756fb50095909a13c4470cea31ba3", 246
TOOLS = ["search", "list_meetings", "get_meeting", "get_transcript", "list_action_items"]

failures = []


def check(name, ok, detail=""):
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else f": {detail}"))
    if not ok:
        failures.append(name)


async def main(binary, url, data_dir):
    params = StdioServerParameters(
        command=binary, args=["--server", url, "--data-dir", data_dir, "--offline", "mcp"]
    )
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        init = await session.initialize()
        check("initialize names krisp-tui", init.server_info.name == "krisp-tui", init.server_info)
        tools = await session.list_tools()
        names = [t.name for t in tools.tools]
        check("tools/list", names == TOOLS, names)
        check("every tool has an outputSchema", all(t.output_schema for t in tools.tools))

        found = await session.call_tool("search", {"query": RARE_WORD})
        s = found.structured_content or {}
        hit = (s.get("meetings") or [{}])[0]
        check(
            "search finds the rare word's meeting and turn time",
            not found.is_error and s.get("total") == 1 and hit.get("id") == RARE_MEETING
            and hit.get("where") == "transcript" and hit.get("time") == RARE_TIME,
            s,
        )

        indices, pages, cursor, biggest = [], 0, None, 0
        while True:
            args = {"id": LONG_MEETING}
            if cursor:
                args["cursor"] = cursor
            page = await session.call_tool("get_transcript", args)
            # As on the wire: compact JSON, characters (not bytes).
            wire = page.model_dump(mode="json", by_alias=True, exclude_none=True)
            size = len(json.dumps(wire, ensure_ascii=False, separators=(",", ":")))
            biggest = max(biggest, size)
            pages += 1
            s = page.structured_content or {}
            indices += [t["index"] for t in s.get("turns", []) if not t["continued"]]
            cursor = s.get("next_cursor")
            if not cursor or pages > 50:
                break
        check(
            "the long transcript reads whole through its cursors",
            indices == list(range(LONG_TURNS)) and pages >= 2,
            f"{pages} pages, {len(indices)} turns",
        )
        check("no transcript page over the cap", biggest <= CAP, f"largest page {biggest}")

        for tool, args, arg in [
            ("search", {"query": RARE_WORD, "limit": 0}, "limit"),
            ("search", {"query": RARE_WORD, "before": "31/12/2026"}, "before"),
            ("get_meeting", {"id": "not-an-id"}, "id"),
            ("get_transcript", {"id": LONG_MEETING, "from": "soon"}, "from"),
            ("list_action_items", {"status": "maybe"}, "status"),
        ]:
            r = await session.call_tool(tool, args)
            text = r.content[0].text if r.content else ""
            check(f"{tool} {json.dumps(args)} is an isError naming {arg}",
                  r.is_error and text.startswith(arg), text)

        m = await session.call_tool("get_meeting", {"id": RARE_MEETING})
        shares = sum(p["share_percent"] for p in (m.structured_content or {}).get("speakers", []))
        check("get_meeting: talk-time shares add up to 100", shares == 100, m.structured_content)
        listed = await session.call_tool("list_meetings", {"limit": 5})
        s = listed.structured_content or {}
        check("list_meetings pages", s.get("total") == 34 and len(s["meetings"]) == 5
              and bool(s.get("next_cursor")), s)
        items = await session.call_tool("list_action_items", {"status": "all"})
        check("list_action_items", (items.structured_content or {}).get("total", 0) > 0,
              items.structured_content)

        templates = await session.list_resource_templates()
        check("resource template", [t.uri_template for t in templates.resource_templates]
              == ["krisp://meetings/{id}"], templates)
        read = await session.read_resource(f"krisp://meetings/{RARE_MEETING}")
        text = read.contents[0].text
        check("the meeting resource is its Markdown export",
              text.startswith("# Acme Corp quarterly business review") and "Halcyon" in text,
              text[:200])


asyncio.run(main(*sys.argv[1:4]))
print(f"python SDK client: {len(failures)} failed")
sys.exit(1 if failures else 0)
