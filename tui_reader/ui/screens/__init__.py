"""The app's screens: the main three-pane screen, help, log, and modal dialogs."""
