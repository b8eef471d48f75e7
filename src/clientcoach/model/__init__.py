"""The data shapes: playbook, reflection, draft, settings."""
