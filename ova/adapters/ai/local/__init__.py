"""Models that install from PyPI and run on this machine's CPU.

Each adapter is a ``LocalModel`` (``ova.application.ports.models``): it loads its model once per
process through a ``Lazy`` (``lazy.py``): ``load()`` (blocking, idempotent, thread-safe) is called
by the warm-up at start-up, or by the first request if that comes first; ``loaded`` says whether it
has happened. Inference runs in an ``InferencePool`` thread, never on the event loop.
"""
