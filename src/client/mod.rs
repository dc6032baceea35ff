//! The MCP client: one connection to the server, typed calls over rmcp.
