"""What HTTP and WebSocket entrypoints share: the ASGI edge, the JSON converter and the error shapes."""
