"""The app's widgets: feed tree, virtual article list, reader pane and status line."""
