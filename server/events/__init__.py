"""Live events for the apps (a new review task, a decision, a status change): written in the
same transaction as the change, announced by PostgreSQL NOTIFY at commit, fanned out by one
listener per server process, and streamed to each app as server-sent events it can resume.
"""
