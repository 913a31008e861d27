"""Generators of hostile files, one function an attack, for trying each door the same way."""
