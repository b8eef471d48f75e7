"""Shell completion: client names and playbook ids, never a traceback in the shell."""


def client(incomplete: str) -> list[str]:
    """Known client names starting like ``incomplete`` (case, accents, spaces ignored)."""
    try:
        from clientcoach.core.text import compact, fold
        from clientcoach.insights.names import known_names
        from clientcoach.storage.config import data_dir
        from clientcoach.storage.store import Store

        start = compact(incomplete)
        names = Store(data_dir()).client_names(lambda slug: compact(slug).startswith(start))
        return [
            name
            for key, name in sorted(known_names(names).items())
            if key.startswith(fold(incomplete)) or compact(key).startswith(start)
        ]
    except Exception:  # completion must never print a traceback into the user's shell
        return []


def playbook(incomplete: str) -> list[str]:
    """Playbook ids (built-in and the user's) starting with ``incomplete``."""
    try:
        from clientcoach.app.workspace import library
        from clientcoach.storage.config import data_dir

        return [i for i in library(data_dir()).entries() if i.startswith(incomplete)]
    except Exception:
        return []
