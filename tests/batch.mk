# tests for batch
