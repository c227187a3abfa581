from tests.server.clinic import clinic

__all__ = ["clinic"]
