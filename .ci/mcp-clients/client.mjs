// krisp-tui mcp checked by the official MCP TypeScript SDK's client, over stdio, on a store
// synced from the sandbox. The SDK validates every structuredContent against the tool's
// outputSchema (it throws on a mismatch).
//
// Usage: node client.mjs KRISP_TUI SERVER_URL DATA_DIR. Prints PASS/FAIL lines; exit 1 on a FAIL.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const CAP = 40_000;
const [RARE_WORD, RARE_MEETING, RARE_TIME] = ["halcyon", "64ddb420ca7356bfa579811c7a71f56a", "05:24"];
const [LONG_MEETING, LONG_TURNS] = ["e68756fb50095909a13c4470cea31ba3", 246];
const TOOLS = ["search", "list_meetings", "get_meeting", "get_transcript", "list_action_items"];

const [binary, url, dataDir] = process.argv.slice(2);
const failures = [];
function check(name, ok, detail) {
  console.log(ok ? `PASS ${name}` : `FAIL ${name}: ${JSON.stringify(detail)}`);
  if (!ok) failures.push(name);
}

const transport = new StdioClientTransport({
  command: binary,
  args: ["--server", url, "--data-dir", dataDir, "--offline", "mcp"],
  stderr: "inherit",
});
const client = new Client({ name: "krisp-tui-ci", version: "1.0.0" });
await client.connect(transport);
check("initialize names krisp-tui", client.getServerVersion()?.name === "krisp-tui", client.getServerVersion());

const { tools } = await client.listTools();
check("tools/list", JSON.stringify(tools.map((t) => t.name)) === JSON.stringify(TOOLS), tools.map((t) => t.name));
check("every tool has an outputSchema", tools.every((t) => t.outputSchema));
const call = (name, args) => client.callTool({ name, arguments: args });

const found = await call("search", { query: RARE_WORD });
const hit = found.structuredContent?.meetings?.[0] ?? {};
check(
  "search finds the rare word's meeting and turn time",
  !found.isError && found.structuredContent.total === 1 && hit.id === RARE_MEETING &&
    hit.where === "transcript" && hit.time === RARE_TIME,
  found.structuredContent,
);

let [indices, pages, cursor, biggest] = [[], 0, undefined, 0];
do {
  const page = await call("get_transcript", cursor ? { id: LONG_MEETING, cursor } : { id: LONG_MEETING });
  // Characters as JavaScript counts them (UTF-16 units), of the result as sent.
  biggest = Math.max(biggest, JSON.stringify(page).length);
  pages += 1;
  const s = page.structuredContent ?? {};
  indices.push(...(s.turns ?? []).filter((t) => !t.continued).map((t) => t.index));
  cursor = s.next_cursor;
} while (cursor && pages <= 50);
check(
  "the long transcript reads whole through its cursors",
  JSON.stringify(indices) === JSON.stringify([...Array(LONG_TURNS).keys()]) && pages >= 2,
  `${pages} pages, ${indices.length} turns`,
);
check("no transcript page over the cap", biggest <= CAP, `largest page ${biggest}`);

for (const [tool, args, arg] of [
  ["search", { query: RARE_WORD, limit: 51 }, "limit"],
  ["list_meetings", { after: "yesterday" }, "after"],
  ["get_meeting", { id: "ffffffffffffffffffffffffffffffff" }, "id"],
  ["get_transcript", { id: LONG_MEETING, cursor: "bm90LWEtY3Vyc29y" }, "cursor"],
  ["list_meetings", { limt: 3 }, "limt"],
]) {
  const r = await call(tool, args);
  const text = r.content?.[0]?.text ?? "";
  check(`${tool} ${JSON.stringify(args)} is an isError naming ${arg}`, r.isError === true && text.startsWith(arg), text);
}

const meeting = await call("get_meeting", { id: RARE_MEETING });
const shares = meeting.structuredContent.speakers.reduce((n, p) => n + p.share_percent, 0);
check("get_meeting: talk-time shares add up to 100", shares === 100, meeting.structuredContent.speakers);
const listed = await call("list_meetings", { limit: 5 });
check(
  "list_meetings pages",
  listed.structuredContent.total === 34 && listed.structuredContent.meetings.length === 5 &&
    Boolean(listed.structuredContent.next_cursor),
  listed.structuredContent,
);
const items = await call("list_action_items", { status: "open", limit: 50 });
check(
  "list_action_items: open ones only",
  items.structuredContent.total > 0 && items.structuredContent.action_items.every((i) => !i.done),
  items.structuredContent.total,
);

const { resourceTemplates } = await client.listResourceTemplates();
check("resource template", resourceTemplates.map((t) => t.uriTemplate).join() === "krisp://meetings/{id}", resourceTemplates);
const read = await client.readResource({ uri: `krisp://meetings/${RARE_MEETING}` });
const md = read.contents[0].text;
check(
  "the meeting resource is its Markdown export",
  md.startsWith("# Acme Corp quarterly business review") && md.includes("Halcyon"),
  md.slice(0, 200),
);

await client.close();
console.log(`TypeScript SDK client: ${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
