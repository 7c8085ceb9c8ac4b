"""Ways into ova: HTTP, WebSocket and the command line."""
