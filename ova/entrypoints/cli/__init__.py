"""The ``ova`` command line."""
