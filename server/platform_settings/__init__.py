"""Settings the hospital edits at run time (limits, time limits, tariffs), stored as data."""
