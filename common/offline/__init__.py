"""Working through a lost connection: `ConnectivityMonitor` (online / offline since T),
`Outbox` and `OutboxSender` (writes queued in a small SQLite file, sent in order once the
server is back), `ReadCache` (the last known answer of a read, served while offline)."""

from common.offline.cache import Cached, ReadCache
from common.offline.monitor import Connectivity, ConnectivityMonitor
from common.offline.outbox import FlushResult, Outbox, OutboxSender, QueuedWrite

__all__ = ["Cached", "Connectivity", "ConnectivityMonitor", "FlushResult", "Outbox",
           "OutboxSender", "QueuedWrite", "ReadCache"]
