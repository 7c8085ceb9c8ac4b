"""Entities, value objects and rules of ova. No I/O and no frameworks."""
