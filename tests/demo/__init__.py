"""Tests of the built-in demo ROM (pygotchi/demo)."""
