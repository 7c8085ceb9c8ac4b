"""The model catalogue and the local store of its files."""
