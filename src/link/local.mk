# src/link
