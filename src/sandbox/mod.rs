//! The embedded Krisp stand-in server: OAuth AS, protected MCP resource, Krisp tools and data.
