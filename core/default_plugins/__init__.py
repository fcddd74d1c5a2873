"""Built-in behaviour, implemented as plugins like any other."""
