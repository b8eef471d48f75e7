"""Consoles, askers and renderers: the only code that prints or reads the keyboard."""
