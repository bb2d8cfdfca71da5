"""The sync account from ``[sync]`` in ``config.toml``, and where its password comes from.

The password is looked for, in order:

1. ``password_command``: split like a shell line (:func:`shlex.split`) and run *without* a
   shell, for at most :data:`PASSWORD_TIMEOUT` seconds; the first line of its output is the
   password (``pass show rss``, ``secret-tool lookup service rss``, ``op read ...``);
2. the environment variable ``TUI_READER_SYNC_PASSWORD``;
3. asked for with :func:`getpass.getpass` when a terminal is at hand (``ask=True``).

Otherwise, or when the command fails, a :class:`SyncError` says so in one line. The password
is only ever held in memory: nothing here (or anywhere in tui-reader) writes it to a file.
"""

from __future__ import annotations

import getpass
import os
import shlex
import subprocess
import sys
from typing import cast

from tui_reader.core.config import Config
from tui_reader.core.sanitize import clean_line
from tui_reader.core.sync.base import SyncAccount, SyncError, SyncKind

PASSWORD_ENV = "TUI_READER_SYNC_PASSWORD"
PASSWORD_TIMEOUT = 30.0


def sync_configured(config: Config) -> bool:
    """Whether ``[sync]`` is set up."""
    return bool(config.sync_kind)


def password_from_command(command: str, timeout: float = PASSWORD_TIMEOUT) -> str:
    """The first line ``command`` prints (run without a shell); :class:`SyncError` if it fails."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise SyncError(f"[sync] password_command cannot be split: {exc}") from None
    if not argv:
        raise SyncError("[sync] password_command is empty")
    shown = clean_line(argv[0])
    try:
        done = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise SyncError(f"password_command: {shown}: command not found") from None
    except subprocess.TimeoutExpired:
        raise SyncError(f"password_command: {shown} gave no answer in {timeout:g} s") from None
    except OSError as exc:
        raise SyncError(f"password_command: {shown}: {exc.strerror or exc}") from None
    if done.returncode != 0:
        # Its own complaint, one line, helps (a locked keyring); the password never is in it.
        complaint = done.stderr.decode("utf-8", "replace").strip().splitlines()
        said = clean_line(complaint[0]) if complaint else ""
        detail = f": {said[:120]}" if said else ""
        raise SyncError(f"password_command: {shown} failed (status {done.returncode}){detail}")
    lines = done.stdout.decode("utf-8", "replace").splitlines()
    password = lines[0].rstrip("\r") if lines else ""
    if not password:
        raise SyncError(f"password_command: {shown} printed no password")
    return password


def resolve_password(config: Config, *, ask: bool = False) -> str:
    """The sync password (see the module's docstring for where it is looked for)."""
    if config.sync_password_command:
        return password_from_command(config.sync_password_command)
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    if ask and sys.stdin.isatty():
        try:
            password = getpass.getpass(f"Password for {config.sync_user} at {config.sync_url}: ")
        except (EOFError, KeyboardInterrupt):
            password = ""
        if password:
            return password
    raise SyncError(
        f"no sync password: set [sync] password_command or ${PASSWORD_ENV}, "
        "or run on a terminal to be asked"
    )


def account_from_config(config: Config, *, ask: bool = False) -> SyncAccount:
    """The account of ``[sync]``; :class:`SyncError` when it is not set up or has no password."""
    if not config.sync_kind:
        raise SyncError("sync is not set up: add a [sync] table to config.toml (see README)")
    return SyncAccount(
        kind=cast(SyncKind, config.sync_kind),
        url=config.sync_url,
        user=config.sync_user,
        password=resolve_password(config, ask=ask),
        days=config.sync_days,
    )
