from tests.devices import pcscd, pty_pair, virtual_card

__all__ = ["pcscd", "pty_pair", "virtual_card"]
