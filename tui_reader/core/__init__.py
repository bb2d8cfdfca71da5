"""The headless core: fetching, feeds, extraction and storage.

Nothing under ``tui_reader.core`` imports Textual; the UI calls into it, never the reverse.
A test imports every module here in a fresh interpreter to keep it that way.
"""
