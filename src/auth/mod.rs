//! OAuth 2.0 login (browser PKCE flow through rmcp), the loopback callback and the token stores.
