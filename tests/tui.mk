# tests for tui
