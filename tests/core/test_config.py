"""config.toml: defaults, valid files, and errors that name the key and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui_reader.core.config import Config, load_config
from tui_reader.core.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "nope.toml")
    assert config == Config()
    assert config.concurrency == 32 and config.per_host == 4
    assert config.fetch_pages and config.mark_read_on_open
    assert config.keymap == {} and config.theme is None


def test_default_path_comes_from_the_config_dir(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TUI_READER_CONFIG_DIR", str(tmp_path))
    write(tmp_path, "[store]\nretention_days = 7\n")
    config = load_config()
    assert config.retention_days == 7
    assert config.path == tmp_path / "config.toml"


def test_valid_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
# comments are fine
[fetch]
concurrency = 8
per_host = 2
connect_timeout = 3        # an integer where a number is expected is fine
read_timeout = 4.5
pages = false
retries = 0
deadline = 30
max_mb = 5

[store]
retention_days = 0

[reader]
mark_read_on_open = false

[theme]
name = "nord"

[keys]
refresh = "r, f5"
quit = "q"
""",
    )
    config = load_config(path)
    assert config.concurrency == 8 and config.per_host == 2
    assert config.connect_timeout == 3.0 and isinstance(config.connect_timeout, float)
    assert config.read_timeout == 4.5
    assert config.fetch_pages is False and config.retries == 0
    assert config.deadline == 30.0 and config.max_mb == 5
    assert config.retention_days == 0
    assert config.mark_read_on_open is False
    assert config.theme == "nord"
    assert config.keymap == {"refresh": "r,f5", "quit": "q"}


def test_wrong_type_names_key_and_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[reader]\nmark_read_on_open = true\n\n[fetch]\nper_host = 2\nconcurrency = "lots"\n',
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "line 6" in message
    assert "fetch.concurrency" in message
    assert "must be an integer" in message and "'lots'" in message
    assert "\n" not in message


def test_same_key_name_in_another_section_finds_the_right_line(tmp_path: Path) -> None:
    path = write(tmp_path, "[theme]\nname = 'ok'\n[keys]\nname = 3\n")
    with pytest.raises(ConfigError, match=r"line 4: keys\.name: must be a string"):
        load_config(path)


def test_bool_is_not_an_integer(tmp_path: Path) -> None:
    path = write(tmp_path, "[store]\nretention_days = true\n")
    with pytest.raises(ConfigError, match=r"line 2: store\.retention_days: must be an integer"):
        load_config(path)


def test_out_of_range_value(tmp_path: Path) -> None:
    path = write(tmp_path, "[fetch]\nconcurrency = 0\n")
    with pytest.raises(ConfigError, match=r"line 2: fetch\.concurrency: must be at least 1"):
        load_config(path)


def test_dotted_key_at_top_level_is_found(tmp_path: Path) -> None:
    path = write(tmp_path, "\n\nfetch.pages = 'yes'\n")
    with pytest.raises(ConfigError, match=r"line 3: fetch\.pages: must be true or false"):
        load_config(path)


def test_syntax_error_names_line(tmp_path: Path) -> None:
    path = write(tmp_path, "[fetch]\nconcurrency = 8\nper_host = \n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "invalid TOML" in message and "line 3" in message
    assert str(path) in message
    assert "\n" not in message


def test_unknown_key_names_key_line_and_known_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "[fetch]\nconcurrency = 8\nconcurency = 9\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "line 3" in message and "fetch.concurency" in message
    assert "unknown key" in message and "concurrency" in message


def test_unknown_section_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "[store]\nretention_days = 3\n\n[colours]\nbg = 'red'\n")
    with pytest.raises(ConfigError, match=r"line 4: unknown section or key 'colours'"):
        load_config(path)


def test_unknown_top_level_key(tmp_path: Path) -> None:
    path = write(tmp_path, "\nretention = 3\n")
    with pytest.raises(ConfigError, match=r"line 2: unknown section or key 'retention'"):
        load_config(path)


def test_theme_as_a_top_level_string(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "theme = 'nord'\n")).theme == "nord"


def test_section_given_as_a_value(tmp_path: Path) -> None:
    path = write(tmp_path, "keys = 3\n")
    with pytest.raises(ConfigError, match=r"line 1: keys: must be a table"):
        load_config(path)


def test_keymap_value_must_be_keys(tmp_path: Path) -> None:
    path = write(tmp_path, '[keys]\nrefresh = ""\n')
    with pytest.raises(ConfigError, match=r"line 2: keys\.refresh: must be a string"):
        load_config(path)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"[theme]\nname = '\xff'\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)


def test_unreadable_path_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path)  # a directory
