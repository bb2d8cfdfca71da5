"""Content shipped with tui-reader: the Welcome feed and a starter list of news feeds."""
