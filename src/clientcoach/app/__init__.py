"""Use cases: no Typer, no printing; they return results and raise CoachError."""
