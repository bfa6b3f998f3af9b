"""Customer personal data at rest: per-subject encryption (crypto-shredding) and erasure.

See docs/privacy.md. `keys` stores the subject keys (one module per backend), `mapper` seals and
opens the personal fields on their way to and from the store, `erasure` forgets a data subject.
"""
