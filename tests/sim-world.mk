# tests of the sim world (tests/unit-sim-*.c)
