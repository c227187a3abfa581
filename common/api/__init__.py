"""The API client the apps share: `ApiClient` (typed calls), `common.api.models` (the wire
shapes), `common.api.errors` (one exception per server error)."""

from common.api.client import ApiClient
from common.api.connection import (
    NO_RETRY,
    ConnectivityObserver,
    RetryPolicy,
    TokenSource,
    new_idempotency_key,
)

__all__ = ["NO_RETRY", "ApiClient", "ConnectivityObserver", "RetryPolicy", "TokenSource",
           "new_idempotency_key"]
