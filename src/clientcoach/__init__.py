"""clientcoach: guided prep, debrief and review for people who meet clients."""

__version__ = "0.1.0"
