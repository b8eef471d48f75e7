"""The only code that touches files: data directory, records, playbooks, config."""
