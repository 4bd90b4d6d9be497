# src/pile
