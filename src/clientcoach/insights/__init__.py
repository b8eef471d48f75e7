"""Insights: pure functions from saved reflections to what they mean.

Nothing here reads files, the terminal or the clock: the store hands in the records and
the caller passes ``now``. Insights work from the roles stored in each answer, never
from playbook files, so old reflections and user-written playbooks count the same.
"""
