"""Photos: objects, a description, and sign-language letters."""
