# tests for the sim world: owned by the world helper (placeholder)
