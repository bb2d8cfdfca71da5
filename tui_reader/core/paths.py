"""Where tui-reader keeps its files.

All locations are resolved here and nowhere else. Each can be overridden, which is how the
tests and ``--data-dir`` keep runs apart:

- data (the SQLite store): ``--data-dir``, else ``$TUI_READER_DATA_DIR``, else the
  platformdirs user data dir;
- config (``config.toml``): ``$TUI_READER_CONFIG_DIR``, else the user config dir;
- the log file: beside the store it belongs to, in the data directory, so that two stores
  (``--data-dir``) never write into one log.

Directories are created on first use.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import platformdirs

APP_NAME = "tui-reader"
DB_FILENAME = "tui-reader.sqlite3"
CONFIG_FILENAME = "config.toml"
LOG_FILENAME = "tui-reader.log"


def _resolve(override: str | os.PathLike[str] | None, env: str, default: Path) -> Path:
    chosen = Path(override) if override else None
    if chosen is None and os.environ.get(env):
        chosen = Path(os.environ[env])
    path = (chosen or default).expanduser()
    if path.exists() and not path.is_dir():
        # mkdir would say "File exists", which reads as if all were well.
        raise NotADirectoryError(errno.ENOTDIR, "is a file, not a directory", str(path))
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The directory holding the store."""
    return _resolve(override, "TUI_READER_DATA_DIR", platformdirs.user_data_path(APP_NAME))


def db_path(override: str | os.PathLike[str] | None = None) -> Path:
    """The SQLite file inside :func:`data_dir`."""
    return data_dir(override) / DB_FILENAME


def config_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The directory holding ``config.toml``."""
    return _resolve(override, "TUI_READER_CONFIG_DIR", platformdirs.user_config_path(APP_NAME))


def config_path(override: str | os.PathLike[str] | None = None) -> Path:
    return config_dir(override) / CONFIG_FILENAME


def log_path(data_override: str | os.PathLike[str] | None = None) -> Path:
    """The log file of the store in ``data_dir(data_override)``."""
    return data_dir(data_override) / LOG_FILENAME
