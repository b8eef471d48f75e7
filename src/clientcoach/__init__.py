"""clientcoach: guided prep, debrief and review for people who meet clients."""

__version__ = "0.1.0"
# The reflection file format version, written in every file. Kept here, away from the
# pydantic models, so that commands which only read records as plain dicts (the review)
# do not have to load pydantic.
REFLECTION_SCHEMA = 1


def version_line() -> str:
    """What ``coach --version`` prints."""
    return f"coach (clientcoach) {__version__}"
