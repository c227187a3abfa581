"""The canonical bytes a signature covers: the one implementation in `common/signing.py`, which
the apps import too, so the server and the apps cannot drift apart. Its docstring defines it."""

from common.signing import NotCanonical, canonical_bytes

__all__ = ["NotCanonical", "canonical_bytes"]
