"""Safe paths: the one way a file under the data directory is opened, created, replaced,
linked, locked or moved, and the one way any data file (a record, a draft, an answers
file, a playbook, the config) is read.

A data directory can be a synced or shared folder, so it can carry symbolic links
nobody meant to plant there. The policy, applied here and nowhere else:

- **Nothing leads out.** Before each operation the folder it happens in must resolve
  inside the data directory (the data directory itself may be a link: it is resolved
  first), and the last component is opened with ``O_NOFOLLOW``, so a link planted at a
  month folder, ``drafts``, ``cache``, ``quarantine``, the lock or a record is refused,
  never followed.
- **Only regular files are read.** A file is opened non-blocking, then ``fstat`` says
  what it is: a FIFO, a device (``/dev/zero``) or a folder is refused at once, so a read
  never blocks.
- **Reads are capped.** Each kind of file has a documented limit (:data:`LIMITS`, listed
  in the README); a bigger file is refused as damaged, its path named.

Every refusal is an :class:`Refused` (an ``OSError``), so the callers' existing
"cannot read/save {path}: {reason}" lines say why in one line.
"""

from __future__ import annotations

import errno
import functools
import os
import stat
from pathlib import Path

from clientcoach.i18n import _

MIB = 1024 * 1024
# Limits far above anything clientcoach writes or a person types, far below what would
# hurt: a record of a thousand long answers is under 1 MiB.
RECORD_LIMIT = 8 * MIB  # a reflection or a draft
ANSWERS_LIMIT = 4 * MIB  # an answers file (-a)
PLAYBOOK_LIMIT = 1 * MIB  # a playbook (-p, user playbooks, built-ins)
CONFIG_LIMIT = 64 * 1024  # the config file
CACHE_LIMIT = 4 * MIB  # a kept, checked playbook in cache/
LIMITS = {
    "record": RECORD_LIMIT,
    "answers": ANSWERS_LIMIT,
    "playbook": PLAYBOOK_LIMIT,
    "config": CONFIG_LIMIT,
    "cache": CACHE_LIMIT,
}

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class Refused(OSError):
    """A path the policy will not use: a link leading out, not a regular file, too big."""

    def __init__(self, code: int, reason: str, path: Path) -> None:
        super().__init__(code, reason, str(path))
        self.path = path
        self.reason = reason


def size_text(limit: int) -> str:
    return f"{limit // MIB} MiB" if limit >= MIB else f"{limit // 1024} KiB"


def _real(path: Path) -> str:
    return os.path.realpath(path)


def is_inside(root: Path, path: Path) -> bool:
    """Whether ``path`` (links resolved) is ``root`` or inside it (links resolved)."""
    base = _real(root)
    where = _real(path)
    return where == base or where.startswith(base.rstrip(os.sep) + os.sep)


def leads_out(root: Path, path: Path) -> bool:
    """Whether ``path`` exists as a symbolic link, or under one, that leads out of ``root``."""
    return os.path.lexists(path) and not is_inside(root, path)


def check_folder(root: Path, path: Path) -> None:
    """Refused unless the folder ``path`` lives in resolves inside ``root``."""
    if not is_inside(root, path.parent):
        raise Refused(errno.ELOOP, outside_reason(), path.parent)


# Derived folders (the cache) found to be links leading out during this command: not
# used, and named once at the command's end by the command line (cli.common).
SKIPPED: set[Path] = set()


def skip_if_out(root: Path, folder: Path) -> bool:
    """Whether the derived ``folder`` must be left alone, noted in :data:`SKIPPED`."""
    for where in (folder.parent, folder):
        if leads_out(root, where):
            SKIPPED.add(where)
            return True
    return False


def outside_reason() -> str:
    return _("a symbolic link leading out of the data directory: never followed")


def _open_flags(base: int, follow: bool) -> int:
    return base | _CLOEXEC | (0 if follow else _NOFOLLOW)


def link_reason() -> str:
    return _("a symbolic link: never followed")


def _link_refusal(path: Path, exc: OSError, root: Path | None) -> OSError:
    if exc.errno == errno.ELOOP:
        if root is not None and not is_inside(root, path):
            return Refused(errno.ELOOP, outside_reason(), path)
        return Refused(errno.ELOOP, link_reason(), path)
    return exc


def check_no_links(top: Path, path: Path) -> None:
    """Refused when ``top``, or any name from it down to ``path``, is a symbolic link,
    wherever it points (inside the data directory too). For the folders kept apart from
    the reflections (``trash/``, ``edits/``): used only as themselves, so nothing is ever
    moved, written or deleted through a link there."""
    probe = top
    for part in ("", *path.relative_to(top).parts):
        probe = probe / part
        if probe.is_symlink():
            raise Refused(errno.ELOOP, link_reason(), probe)


def read_bytes(path: Path, limit: int, *, root: Path | None = None) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    With ``root`` (a file of the data directory), the file must lie inside it and must
    not itself be a link. Outside it (``-a``, ``-p``, the config) links are followed: the
    user named the file. Either way a FIFO, a device or a folder is refused without
    blocking, and a file past ``limit`` is refused as damaged.
    """
    if root is not None and not _read_folder_inside(str(root), str(path.parent)):
        raise Refused(errno.ELOOP, outside_reason(), path.parent)
    try:
        fd = os.open(path, _open_flags(os.O_RDONLY | _NONBLOCK, follow=root is None))
    except OSError as exc:
        raise _link_refusal(path, exc, root) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Refused(errno.EINVAL, not_regular_reason(info.st_mode), path)
        if info.st_size > limit:
            raise Refused(errno.EFBIG, too_big_reason(limit), path)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(limit + 1 - size, MIB))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew while being read
            raise Refused(errno.EFBIG, too_big_reason(limit), path)
        return b"".join(chunks)
    finally:
        os.close(fd)


@functools.lru_cache(maxsize=256)
def _read_folder_inside(root: str, folder: str) -> bool:
    """:func:`is_inside` for the folders files are read from, remembered for the run: a
    review reads thousands of files from a dozen folders, and resolving each folder
    again cost a tenth of the parse. Only reads use it; every write checks afresh."""
    return is_inside(Path(root), Path(folder))


def not_regular_reason(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        kind = _("a FIFO")
    elif stat.S_ISDIR(mode):
        kind = _("a folder")
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = _("a device")
    elif stat.S_ISSOCK(mode):
        kind = _("a socket")
    else:
        kind = _("not a file")
    return _("not a regular file ({kind}): never read").format(kind=kind)


def too_big_reason(limit: int) -> str:
    return _("larger than {limit}: refused as damaged").format(limit=size_text(limit))


def create_exclusive(path: Path, root: Path | None, mode: int) -> int:
    """A new file's descriptor, opened for writing; FileExistsError if the name is taken.

    Never follows a link at ``path`` (``O_EXCL`` refuses any existing name, links too).
    """
    if root is not None:
        check_folder(root, path)
    return os.open(path, _open_flags(os.O_WRONLY | os.O_CREAT | os.O_EXCL, follow=False), mode)


def open_lock(path: Path, root: Path, mode: int) -> int:
    """A lock file's descriptor, created if missing; a link planted there is refused."""
    check_folder(root, path)
    try:
        fd = os.open(path, _open_flags(os.O_RDWR | os.O_CREAT | _NONBLOCK, follow=False), mode)
    except OSError as exc:
        raise _link_refusal(path, exc, root) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise Refused(errno.EINVAL, not_regular_reason(info.st_mode), path)
    return fd


def open_folder(path: Path, root: Path | None) -> int:
    """A folder's descriptor (to lock or sync it), never through a link leading out."""
    if root is not None and not is_inside(root, path):
        raise Refused(errno.ELOOP, outside_reason(), path)
    return os.open(path, os.O_RDONLY | _CLOEXEC)


def replace(source: Path, target: Path, root: Path | None) -> None:
    """``os.replace``: a link at ``target`` is replaced itself, never written through."""
    if root is not None:
        check_folder(root, target)
    source.replace(target)


def link(source: Path, target: Path, root: Path | None) -> None:
    """A hard link to ``source`` itself (a link at ``source`` is linked, not followed)."""
    if root is not None:
        check_folder(root, target)
        check_folder(root, source)
    os.link(source, target, follow_symlinks=False)


def rename(source: Path, target: Path, root: Path | None) -> None:
    if root is not None:
        check_folder(root, target)
        check_folder(root, source)
    source.rename(target)


def unlink(path: Path, root: Path | None) -> None:
    """Remove a name (a link is removed itself, its target untouched)."""
    if root is not None:
        check_folder(root, path)
    path.unlink()


def make_folder(path: Path, root: Path | None, mode: int) -> None:
    """Create one folder (FileExistsError if it exists), refused when its parent leads out."""
    if root is not None:
        check_folder(root, path)
    path.mkdir(mode)
    # mkdir's mode is filtered by the umask; chmod is not (the folder was just made here).
    path.chmod(mode)


def check_folder_itself(root: Path, path: Path) -> None:
    """Refused unless the existing folder ``path`` resolves inside ``root``."""
    if not is_inside(root, path):
        raise Refused(errno.ELOOP, outside_reason(), path)


def remove_folder(path: Path, root: Path) -> None:
    """Remove an empty folder (OSError if it is not empty), never through a link."""
    check_folder(root, path)
    if path.is_symlink():
        raise Refused(errno.ELOOP, link_reason(), path)
    path.rmdir()
