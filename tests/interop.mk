# tests for interop
