# tests for proto
