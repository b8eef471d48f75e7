"""The Typer application: parse, call app, render, map errors to exit codes."""
