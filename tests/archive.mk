# tests for archive
