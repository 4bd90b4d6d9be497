# tests for link
