"""Hostile-input tests: nothing a stranger writes reaches the terminal or the store unclean."""
