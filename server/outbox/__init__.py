"""Reliable messages to outside systems (transactional outbox): a message is written in the
transaction of the change that causes it, and a relay delivers it afterwards, at least once, in
order per ordering key, with retries, back-off and a dead-letter list for administrators."""
