"""Stand-ins for tests only: in-memory repositories, a clock and ids, a password hasher (each passes the
same contract tests as its real adapter), and remote services served locally. The fakes that
configuration can select (``*_PROVIDER=fake``) ship in ``ova/adapters/ai/fakes``."""
