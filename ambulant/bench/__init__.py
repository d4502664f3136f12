"""Benchmark harness: public VRPTW and home-care instances, their checkers, `ambulant bench`."""
