# src/sim world: owned by the world helper (placeholder)
