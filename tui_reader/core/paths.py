"""Where tui-reader keeps its files.

All locations are resolved here and nowhere else. Each can be overridden, which is how the
tests and ``--data-dir`` keep runs apart:

- data (the SQLite store): ``--data-dir``, else ``$TUI_READER_DATA_DIR``, else the
  platformdirs user data dir;
- config (``config.toml``): ``$TUI_READER_CONFIG_DIR``, else the user config dir;
- logs: ``$TUI_READER_LOG_DIR``, else the user log dir.

Directories are created on first use.
"""

from __future__ import annotations

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


def log_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The directory holding the log file."""
    return _resolve(override, "TUI_READER_LOG_DIR", platformdirs.user_log_path(APP_NAME))


def log_path(override: str | os.PathLike[str] | None = None) -> Path:
    return log_dir(override) / LOG_FILENAME
